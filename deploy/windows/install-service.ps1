<#
.SYNOPSIS
  Installs the office standby trader (or any node) as the Windows service "TradingActors".
.DESCRIPTION
  Registers the published trading.exe as `trading.exe node --config CONFIG --data-dir DATADIR`, started automatically
  (delayed, after the network), restarted by the service control manager 2 s, 5 s and 10 s after a crash (failure
  counter reset after a day), and running as a virtual service account (NT SERVICE\TradingActors) with modify rights on
  the data dir only. The process runs under the SCM through Microsoft.Extensions.Hosting.WindowsServices
  (src/Trading.Node/ServiceHosting.cs): a service stop is the node's graceful hand-over.
  Secrets (TRADING_PG_CONNECTION, TRADING_BRIDGE_SECRET) go into the service's own environment (registry, readable by
  administrators and the service only), never into its command line, which any user can read.
.EXAMPLE
  dotnet publish src\Trading.Node -c Release -r win-x64 --self-contained false -o C:\Trading\bin
  .\deploy\windows\install-service.ps1 -Exe C:\Trading\bin\trading.exe -Config C:\Trading\standby.conf -DataDir C:\Trading\data `
      -Role trader -PublicHostname office-standby.vpn -Seeds "10.0.1.10:4053,office-standby.vpn:4053,10.0.2.20:4053"
  (then type the PostgreSQL connection string and the bridge secret when asked)
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)] [string] $Exe,
    [Parameter(Mandatory)] [string] $Config,
    [Parameter(Mandatory)] [string] $DataDir,
    [ValidateSet('trader', 'witness', 'worker')] [string] $Role = 'trader',
    [string] $PublicHostname,
    [string] $Seeds,
    [int] $Port = 4053,
    [string] $ServiceName = 'TradingActors',
    [switch] $NoSecrets
)
$ErrorActionPreference = 'Stop'
function Fail([string] $message) { Write-Error "error: install-service: $message" -ErrorAction Continue; exit 1 }

# Absolute paths: a service starts in C:\Windows\System32, where a relative --config would not be found.
if (-not (Test-Path -LiteralPath $Exe -PathType Leaf)) { Fail "'$Exe' not found (publish src\Trading.Node first)" }
if (-not (Test-Path -LiteralPath $Config -PathType Leaf)) { Fail "'$Config' not found" }
$Exe = (Resolve-Path -LiteralPath $Exe).Path
$Config = (Resolve-Path -LiteralPath $Config).Path
New-Item -ItemType Directory -Force -Path $DataDir | Out-Null
$DataDir = (Resolve-Path -LiteralPath $DataDir).Path
if (Get-Service -Name $ServiceName -ErrorAction SilentlyContinue) { Fail "service '$ServiceName' exists; remove it first: sc.exe stop $ServiceName; sc.exe delete $ServiceName" }

$binPath = "`"$Exe`" node --config `"$Config`" --data-dir `"$DataDir`""
New-Service -Name $ServiceName -BinaryPathName $binPath -DisplayName "Trading.Actors node ($Role)" `
    -Description "Trading.Actors cluster node ($Role); docs/DEPLOYMENT.md" -StartupType Automatic | Out-Null
# Delayed start: after the network and the VPN to the cloud region are up.
sc.exe config $ServiceName start= delayed-auto obj= "NT SERVICE\$ServiceName" | Out-Null
# Restart on every crash (2 s, 5 s, then 10 s), counter reset after a day; a non-zero exit counts as a failure too.
sc.exe failure $ServiceName reset= 86400 actions= restart/2000/restart/5000/restart/10000 | Out-Null
sc.exe failureflag $ServiceName 1 | Out-Null
# Starts after the TCP/IP stack.
sc.exe config $ServiceName depend= Tcpip | Out-Null

# The virtual account may modify the data dir (journal, logs, reports) and read the config; nothing else.
icacls $DataDir /grant "NT SERVICE\${ServiceName}:(OI)(CI)M" | Out-Null
icacls $Config /grant "NT SERVICE\${ServiceName}:R" | Out-Null

# The service's environment (REG_MULTI_SZ "Environment" under its key): cluster address and, asked for, the secrets.
$envLines = @("TRADING_CLUSTER_ROLE=$Role", "TRADING_CLUSTER_PORT=$Port", "TRADING_CLUSTER_HOSTNAME=0.0.0.0")
if ($PublicHostname) { $envLines += "TRADING_CLUSTER_PUBLIC_HOSTNAME=$PublicHostname" }
if ($Seeds) { $envLines += "TRADING_CLUSTER_SEEDS=$Seeds" }
if ($Role -eq 'trader' -and -not $NoSecrets) {
    foreach ($name in 'TRADING_PG_CONNECTION', 'TRADING_BRIDGE_SECRET') {
        $secure = Read-Host -AsSecureString "$name (empty: none)"
        $plain = [System.Net.NetworkCredential]::new('', $secure).Password
        if ($plain) { $envLines += "$name=$plain" }
    }
}
$key = "HKLM:\SYSTEM\CurrentControlSet\Services\$ServiceName"
New-ItemProperty -Path $key -Name Environment -PropertyType MultiString -Value $envLines -Force | Out-Null

Write-Host "installed '$ServiceName': $binPath"
Write-Host "start it with: Start-Service $ServiceName   (health: http://127.0.0.1:8558/health/ready)"
