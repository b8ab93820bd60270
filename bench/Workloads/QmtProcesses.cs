using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Trading.Bench.Workloads;

/// <summary>
/// The xtquant channel as it runs beside miniQMT, on loopback, each in its own process: fakextquant's server (the
/// miniQMT client and the broker's counter: python3 -m fakextquant serve) and the unmodified bridge
/// (scripts/qmt_bridge.py with the fake's xtquant package on PYTHONPATH). Disposing kills both and deletes their folder.
/// </summary>
public sealed class QmtProcesses : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly Process _fake;
    private Process _bridge;
    private readonly string[] _bridgeArgs;
    private readonly string _dir;
    private readonly string _scripts;

    private QmtProcesses(Process fake, Process bridge, string[] bridgeArgs, string dir, string scripts, int port)
    {
        (_fake, _bridge, _bridgeArgs, _dir, _scripts, Port) = (fake, bridge, bridgeArgs, dir, scripts, port);
    }

    /// <summary>The bridge's port on 127.0.0.1.</summary>
    public int Port { get; }

    /// <summary>The fake's userdata folder (what the bridge is given as miniQMT's path).</summary>
    public string UserData => Path.Combine(_dir, "userdata_mini");

    public bool BridgeExited => _bridge.HasExited;

    /// <summary>The bridge's journal folder (one JSONL file per trade day: orders, reports, the fence).</summary>
    public string JournalDir => Path.Combine(_dir, "journal");

    /// <summary>The bridge's log file.</summary>
    public string BridgeLog => Path.Combine(_dir, "bridge.log");

    /// <param name="fixtureFile">the day's prices, limits and suspensions (scripts/fakextquant/README.md)</param>
    /// <param name="matchEveryMs">0: orders fill only on <c>ctl match</c></param>
    /// <param name="saveEveryMs">0: the fake rewrites its state file after every change; N: at most every N ms</param>
    public static async Task<QmtProcesses> Start(string repoRoot, string fixtureFile, string account, decimal cash, DateOnly tradeDate, int matchEveryMs = 0,
        int saveEveryMs = 0)
    {
        var scripts = Path.Combine(repoRoot, "scripts");
        var dir = Directory.CreateTempSubdirectory("qmt-").FullName;
        var userdata = Path.Combine(dir, "userdata_mini");
        Directory.CreateDirectory(userdata);
        var day = tradeDate.ToString("yyyy-MM-dd");
        var fake = Python(Path.Combine(scripts, "fakextquant"), null, Path.Combine(dir, "fakextquant.log"), "-m", "fakextquant", "serve", "--dir", userdata, "--fixtures", fixtureFile,
            "--account", account, "--cash", cash.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--match-every-ms", matchEveryMs.ToString(), "--save-every-ms", saveEveryMs.ToString(), "--trade-date", day);
        var until = DateTime.UtcNow + Wait;
        while (!File.Exists(Path.Combine(userdata, "fakextquant.json")))
        {
            if (fake.HasExited) throw new InvalidOperationException($"fakextquant exited with {fake.ExitCode}");
            if (DateTime.UtcNow > until) throw new TimeoutException($"fakextquant did not start within {Wait}");
            await Task.Delay(50);
        }
        int port = FreePort();
        string[] bridgeArgs = [Path.Combine(scripts, "qmt_bridge.py"), "--qmt-path", userdata,
            "--account", account, "--listen", $"127.0.0.1:{port}", "--journal-dir", Path.Combine(dir, "journal"), "--trade-date", day];
        var bridge = Python(scripts, Path.Combine(scripts, "fakextquant"), Path.Combine(dir, "bridge.log"), bridgeArgs);
        await Listening(bridge, port, until);
        var qmt = new QmtProcesses(fake, bridge, bridgeArgs, dir, scripts, port);
        await qmt.XtquantConnected(0, until);
        return qmt;
    }

    /// <summary>
    /// SIGKILLs the bridge (mid-request, mid-journal-write: wherever it is), waits <paramref name="downMs"/>, and starts
    /// it again on the same port, journal and xtquant: what a crash of the bridge's Windows box process and its
    /// scheduled-task restart look like to the node (a new epoch, a look-up by remark before any resend).
    /// </summary>
    public async Task RestartBridge(int downMs)
    {
        try { if (!_bridge.HasExited) _bridge.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        await _bridge.WaitForExitAsync();
        _bridge.Dispose();
        await Task.Delay(downMs);
        int before = XtquantSessions();
        _bridge = Python(_scripts, Path.Combine(_scripts, "fakextquant"), Path.Combine(_dir, "bridge.log"), _bridgeArgs);
        var until = DateTime.UtcNow + Wait;
        await Listening(_bridge, Port, until);
        await XtquantConnected(before, until);
    }

    // The bridge listens before its xtquant session is up (a node may connect while miniQMT is still starting; its
    // orders are then refused as not_connected): a rig that starts trading at once waits for the session too, or its
    // first order meets "xtquant is not connected" on a loaded machine. The bridge logs each session it opens.
    private const string SessionLine = "connected and subscribed for account";

    private int XtquantSessions()
    {
        var log = Path.Combine(_dir, "bridge.log");
        try
        {
            using var f = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            return new StreamReader(f).ReadToEnd().Split('\n').Count(l => l.Contains(SessionLine, StringComparison.Ordinal));
        }
        catch (FileNotFoundException) { return 0; }
    }

    private async Task XtquantConnected(int before, DateTime until)
    {
        while (XtquantSessions() <= before)
        {
            if (_bridge.HasExited) throw new InvalidOperationException($"qmt_bridge.py exited with {_bridge.ExitCode}");
            if (DateTime.UtcNow > until) throw new TimeoutException($"qmt_bridge.py did not open its xtquant session within {Wait}");
            await Task.Delay(50);
        }
    }

    /// <summary>Returns once a connect to the bridge's port gets through.</summary>
    private static async Task Listening(Process bridge, int port, DateTime until)
    {
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < until && !bridge.HasExited)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary><c>python3 -m fakextquant ctl --dir … ARGS</c>: its JSON answer, or an exception with its one-line error.</summary>
    public async Task<string> Ctl(params string[] args)
    {
        using var p = Python(Path.Combine(_scripts, "fakextquant"), null, null, ["-m", "fakextquant", "ctl", "--dir", UserData, .. args], drain: false);
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"fakextquant ctl {string.Join(' ', args)}: {await error}");
        return await output;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in new[] { _bridge, _fake })
        {
            try { if (!p.HasExited) p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            await p.WaitForExitAsync();
            p.Dispose();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>
    /// Copies the bridge's and the fake's logs, the bridge's journal and the fake's state into <paramref name="folder"/>
    /// (a failed trial keeps them for diagnosis; the processes' own folder is deleted on dispose).
    /// </summary>
    public void KeepLogs(string folder)
    {
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.EnumerateFiles(_dir, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(folder, Path.GetRelativePath(_dir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            try { File.Copy(file, to, overwrite: true); } catch (IOException) { }
        }
    }

    private static Process Python(string workingDirectory, string? pythonPath, string? logFile, params string[] args) =>
        Python(workingDirectory, pythonPath, logFile, args, drain: true);

    private static Process Python(string workingDirectory, string? pythonPath, string? logFile, string[] args, bool drain)
    {
        var start = new ProcessStartInfo("python3") { WorkingDirectory = workingDirectory, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        if (pythonPath is not null) start.Environment["PYTHONPATH"] = pythonPath;
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var p = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start (scripts/python-test-deps.sh installs it)");
        if (drain)
        {
            // A long-running process's pipes are drained so a chatty one never blocks on a full pipe (into its log
            // file, appended across restarts).
            var log = logFile is null ? null : TextWriter.Synchronized(new StreamWriter(logFile, append: true) { AutoFlush = true });
            void Line(object _, DataReceivedEventArgs e) { if (e.Data is not null) log?.WriteLine(e.Data); }
            p.OutputDataReceived += Line;
            p.ErrorDataReceived += Line;
            p.Exited += (_, _) => log?.Dispose();
            p.EnableRaisingEvents = true;
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
        }
        return p;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
