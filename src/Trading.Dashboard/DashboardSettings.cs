using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Trading.Cluster.Hosting;
using Trading.Runtime.Configuration;

namespace Trading.Dashboard;

/// <summary>
/// The <c>trading.dashboard</c> block of a node's file (hocon/base.conf documents each key): where it listens, HTTPS when
/// a certificate is given, the session cookie, lock-out and the login rate. A bad value is one
/// <see cref="ConfigException"/> naming the file and the key; the certificate's password never leaves
/// <see cref="FromConfig"/> (it opens the certificate and is dropped).
/// </summary>
public sealed record DashboardSettings(string Host, int Port)
{
    public static readonly string[] Keys = ["bind", "certificate", "cookie-name", "session-idle", "lockout", "login-rate", "report-roots"];
    private static readonly string[] CertificateKeys = ["file", "password-file"];
    private static readonly string[] LockoutKeys = ["attempts", "duration"];
    private static readonly string[] RateKeys = ["per-minute"];

    /// <summary>The server certificate (PKCS#12 with its key): HTTPS and Secure cookies; null: plain HTTP.</summary>
    public X509Certificate2? Certificate { get; init; }
    public string CookieName { get; init; } = "trading.dashboard";
    /// <summary>A session ends after this long without a request (sliding).</summary>
    public TimeSpan SessionIdle { get; init; } = TimeSpan.FromHours(8);
    /// <summary>Failed logins in a row that lock a user out, and for how long.</summary>
    public int LockoutAttempts { get; init; } = 5;
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);
    /// <summary>Login attempts a client address may make per minute (beyond: 429).</summary>
    public int LoginPerMinute { get; init; } = 10;
    /// <summary>More folders for the report library, besides the node's reports folder and <c>out/</c>.</summary>
    public IReadOnlyList<string> ReportRoots { get; init; } = [];

    public bool Https => Certificate is not null;

    /// <summary>The URL to print: the bound port may differ from <see cref="Port"/> (0: a free one).</summary>
    public string Url(int port) => $"{(Https ? "https" : "http")}://{(Host is "*" or "0.0.0.0" or "::" ? "localhost" : Host.Contains(':') ? $"[{Host}]" : Host)}:{port}/";

    /// <summary>The node's <c>trading.dashboard</c> block, or null when the file has none (no dashboard).</summary>
    public static DashboardSettings? FromConfig(Akka.Configuration.Config root, string file)
    {
        if (ConfigBlock.Root(root, file).Block("trading", null)?.Block("dashboard", Keys) is not { } d) return null;
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var (host, port) = Bind(d.String("bind", "127.0.0.1:8080"), d.Where("bind"));
        var cookie = d.String("cookie-name", "trading.dashboard").Trim();
        if (cookie.Length is 0 or > 64 || !cookie.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new ConfigException($"{d.Where("cookie-name")} = '{cookie}' must be 1–64 letters, digits, '.', '_' or '-'.");
        var lockout = d.BlockOrEmpty("lockout", LockoutKeys);
        var rate = d.BlockOrEmpty("login-rate", RateKeys);
        return new DashboardSettings(host, port)
        {
            Certificate = d.Block("certificate", CertificateKeys) is { } c ? LoadCertificate(c, dir) : null,
            CookieName = cookie,
            SessionIdle = ClusterSettings.Duration(d, "session-idle", TimeSpan.FromHours(8), TimeSpan.FromMinutes(1), TimeSpan.FromDays(7)),
            LockoutAttempts = lockout.Int("attempts", 5, 1, 100),
            LockoutDuration = ClusterSettings.Duration(lockout, "duration", TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1)),
            LoginPerMinute = rate.Int("per-minute", 10, 1, 10_000),
            ReportRoots = (d.Strings("report-roots") ?? []).Select(r => Path.GetFullPath(Path.Combine(dir, r.Trim()))).ToArray(),
        };
    }

    /// <summary><c>HOST:PORT</c>: an IP address (IPv6 in brackets), <c>localhost</c> or <c>*</c>; port 0–65535 (0: any free one).</summary>
    internal static (string Host, int Port) Bind(string text, string where)
    {
        var t = text.Trim();
        var colon = t.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(t[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            throw new ConfigException($"{where} = '{text}' must be HOST:PORT (e.g. 127.0.0.1:8080).");
        var host = t[..colon];
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (host is not ("localhost" or "*") && !IPAddress.TryParse(host, out _))
            throw new ConfigException($"{where} = '{text}': '{host}' must be an IP address, localhost or *.");
        return (host, port);
    }

    private static X509Certificate2 LoadCertificate(ConfigBlock c, string dir)
    {
        var file = c.Text("file") is { Length: > 0 } f ? Path.GetFullPath(Path.Combine(dir, f.Trim()))
            : throw new ConfigException($"{c.Where("file")} is missing (a PKCS#12 file with the certificate and its key).");
        if (!File.Exists(file)) throw new ConfigException($"{c.Where("file")}: {file} does not exist.");
        string? password = null;
        if (c.Text("password-file") is { Length: > 0 } pf)
        {
            var pfile = Path.GetFullPath(Path.Combine(dir, pf.Trim()));
            if (!File.Exists(pfile)) throw new ConfigException($"{c.Where("password-file")}: {pfile} does not exist.");
            try { Trading.Cluster.Control.ConsoleUsers.RequireOwnerOnly(pfile); }
            catch (ConfigException e) { throw new ConfigException($"{c.Where("password-file")}: {e.Message}"); }
            password = File.ReadAllText(pfile).Trim();
        }
        try
        {
            var cert = X509CertificateLoader.LoadPkcs12FromFile(file, password);
            if (!cert.HasPrivateKey) throw new ConfigException($"{c.Where("file")}: {file} holds no private key.");
            return cert;
        }
        catch (CryptographicException)
        {
            // The loader's message may say why the password failed; it never holds the password, but one line is enough.
            throw new ConfigException($"{c.Where("file")}: {file} could not be opened (not PKCS#12, or the password is wrong).");
        }
    }
}
