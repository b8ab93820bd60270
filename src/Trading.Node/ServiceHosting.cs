using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Hosting.WindowsServices;

namespace Trading.Node;

/// <summary>Which supervisor a node runs under, as <see cref="ServiceHosting.UseTradingServiceLifetime"/> found it.</summary>
public enum ServiceLifetimeKind
{
    /// <summary>A terminal or a container: Ctrl-C / SIGTERM stop the host (the generic host's console lifetime).</summary>
    Console,
    /// <summary>systemd (<c>deploy/systemd/trading-node@.service</c>, Type=notify): READY=1 / STOPPING=1 are sent on start and stop.</summary>
    Systemd,
    /// <summary>The Windows service control manager (<c>deploy/windows/install-service.ps1</c>), service name <see cref="ServiceHosting.WindowsServiceName"/>.</summary>
    WindowsService,
}

/// <summary>
/// A node's lifetime under a service manager, by Microsoft's own hosting packages rather than hand-written sd_notify or
/// ServiceBase code: they detect how the process was started, and answer the manager's start/stop protocol.
/// </summary>
public static class ServiceHosting
{
    /// <summary>The Windows service's name (<c>sc.exe query TradingActors</c>); install-service.ps1 registers it.</summary>
    public const string WindowsServiceName = "TradingActors";

    /// <summary>
    /// Under the Windows service control manager: <c>AddWindowsService</c> (start/stop from the SCM, the event log).
    /// Under systemd: <c>AddSystemd</c> (sd_notify READY=1 once the host has started — the unit is Type=notify, so
    /// systemd counts the node started only when its actor system runs — STOPPING=1 on stop, and console logging
    /// without colours or timestamps journald adds itself). Anywhere else nothing changes.
    /// </summary>
    /// <remarks>Both <c>Add…</c> calls check for their service manager again themselves (a no-op elsewhere), so the
    /// detection here only decides what the node reports; it cannot be faked in a test.</remarks>
    public static ServiceLifetimeKind UseTradingServiceLifetime(this HostApplicationBuilder builder)
    {
        if (WindowsServiceHelpers.IsWindowsService())
        {
            builder.Services.AddWindowsService(o => o.ServiceName = WindowsServiceName);
            return ServiceLifetimeKind.WindowsService;
        }
        if (SystemdHelpers.IsSystemdService())
        {
            builder.Services.AddSystemd();
            return ServiceLifetimeKind.Systemd;
        }
        return ServiceLifetimeKind.Console;
    }
}
