using System.Net;
using Akka.Configuration;
using Trading.Runtime.Clock;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Alerts;

/// <summary>How loud an alert is; each sink sends only those at or above its <c>min-severity</c>.</summary>
public enum AlertSeverity
{
    Info,
    Warning,
    Critical,
}

/// <summary>
/// A secret read from an owner-only file or an environment variable (a webhook key, an SMTP password). Its
/// <see cref="ToString"/> never shows it, so a record holding one can be logged or printed safely.
/// </summary>
public sealed class Secret(string value)
{
    public string Reveal() => value;

    /// <summary><paramref name="text"/> with every occurrence of the secret replaced by <c>***</c> (for messages of third-party exceptions).</summary>
    public string Redact(string text) => value.Length == 0 ? text : text.Replace(value, "***", StringComparison.Ordinal);

    public override string ToString() => "***";
}

/// <summary>
/// The <c>trading.alerts</c> block of a node's HOCON (hocon/base.conf documents each key): which alert kinds are how
/// severe, the notifier's de-duplication and rate limit, its retries, and its sinks (the log always; the WeCom group
/// robot and e-mail when their blocks are present).
/// </summary>
public sealed record AlertOptions
{
    /// <summary>Alerts below this are not notified at all (they are still journaled by the alert log).</summary>
    public AlertSeverity MinSeverity { get; init; } = AlertSeverity.Info;
    /// <summary>The same kind + source + symbol again within this window is counted, not sent again.</summary>
    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>Each sink sends at most this many alerts a minute (a token bucket); the excess becomes one summary.</summary>
    public int RatePerMinute { get; init; } = 10;
    /// <summary>How long alerts refused by the rate limit are gathered before their one summary goes out.</summary>
    public TimeSpan SummaryWindow { get; init; } = TimeSpan.FromMinutes(1);
    /// <summary>Sends retried on a transient failure (a 5xx, WeCom's 45009, a dropped connection), with jittered exponential backoff.</summary>
    public int RetryAttempts { get; init; } = 4;
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long one send may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Kinds not listed in <see cref="Severities"/> are this severe.</summary>
    public AlertSeverity DefaultSeverity { get; init; } = AlertSeverity.Warning;
    public IReadOnlyDictionary<string, AlertSeverity> Severities { get; init; } = DefaultSeverities;
    /// <summary>
    /// A kind that ends another (<c>broker-link-up</c> ends <c>broker-link-down</c>): sent at the severity of the alert
    /// it ends when that one was notified for the same source (so whoever heard "down" hears "up"), otherwise at its own.
    /// </summary>
    public IReadOnlyDictionary<string, string> Resolves { get; init; } = DefaultResolves;
    public AlertSeverity LogMinSeverity { get; init; } = AlertSeverity.Info;
    public WeComOptions? WeCom { get; init; }
    public EmailOptions? Email { get; init; }

    /// <summary>Whether a sink other than the log is configured (the node starts the notifier only then).</summary>
    public bool HasRemoteSinks => WeCom is not null || Email is not null;

    /// <summary>The kinds the runtime publishes (<c>RiskAlert.Kind</c>) and how severe each is by default.</summary>
    public static readonly IReadOnlyDictionary<string, AlertSeverity> DefaultSeverities = new Dictionary<string, AlertSeverity>
    {
        ["kill-switch"] = AlertSeverity.Critical,
        ["reconciliation"] = AlertSeverity.Critical,
        ["broker-link-down"] = AlertSeverity.Critical,
        ["broker-link-up"] = AlertSeverity.Info,
        ["failure"] = AlertSeverity.Critical,
        // A standby taking over (the cluster of a later issue publishes it).
        ["failover"] = AlertSeverity.Critical,
        // The broker refused this brain's epoch: a newer brain trades the account; this one sends nothing more.
        ["fenced"] = AlertSeverity.Critical,
        ["drawdown"] = AlertSeverity.Warning,
        ["stuck-order"] = AlertSeverity.Warning,
        ["cancel-rate"] = AlertSeverity.Warning,
        ["risk-reject"] = AlertSeverity.Warning,
        ["algo-stopped"] = AlertSeverity.Warning,
        // The node's pre-open data refresh failed; it trades on the data it has (Trading.Backtest.Paper.PaperDayActor).
        ["data-refresh"] = AlertSeverity.Warning,
        ["portfolio-fallback"] = AlertSeverity.Info,
        ["test"] = AlertSeverity.Info,
    };

    public static readonly IReadOnlyDictionary<string, string> DefaultResolves = new Dictionary<string, string>
    {
        ["broker-link-up"] = "broker-link-down",
    };

    // After the dictionaries: static fields initialise in order.
    public static AlertOptions Default { get; } = new();

    public AlertSeverity SeverityOf(string kind) => Severities.TryGetValue(kind, out var s) ? s : DefaultSeverity;

    public const string Key = "trading.alerts";
    public const string WeComKeyVariable = "TRADING_WECOM_KEY";
    public const string SmtpPasswordVariable = "TRADING_SMTP_PASSWORD";

    private static readonly string[] Keys =
    [
        "min-severity", "dedup-window", "rate-per-minute", "summary-window", "retry-attempts", "retry-delay", "retry-max-delay",
        "timeout", "default-severity", "severity", "resolves", "log", "wecom", "email",
    ];
    private static readonly string[] LogKeys = ["min-severity"];
    private static readonly string[] WeComKeys = ["webhook-key-file", "base-url", "min-severity"];
    private static readonly string[] EmailKeys = ["host", "port", "tls", "allow-insecure", "user", "password-file", "from", "to", "min-severity"];

    /// <summary>
    /// The <c>trading.alerts</c> block of <paramref name="root"/> (defaults when absent), read strictly; secret files
    /// are relative to <paramref name="file"/>. Errors name the file and key, never a secret.
    /// </summary>
    public static AlertOptions From(Config root, string file, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var a = ConfigBlock.Root(root, file).Block(Key, Keys);
        if (a is null) return Default;
        var d = Default;
        var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        TimeSpan Read(ConfigBlock b, string key, TimeSpan fallback, int min, int max) =>
            b.Text(key) is { } t ? TradingSchedule.Duration(b, key, t, min, max) : fallback;
        var severities = new Dictionary<string, AlertSeverity>(d.Severities);
        if (a.Block("severity", null) is { } s)
            foreach (var kind in s.Keys())
                severities[kind] = s.Enum<AlertSeverity>(kind, default);
        var resolves = new Dictionary<string, string>(d.Resolves);
        if (a.Block("resolves", null) is { } r)
            foreach (var kind in r.Keys())
                resolves[kind] = r.Text(kind)!.Trim();
        var o = new AlertOptions
        {
            MinSeverity = a.Enum("min-severity", d.MinSeverity),
            DedupWindow = Read(a, "dedup-window", d.DedupWindow, 0, 86_400),
            RatePerMinute = a.Int("rate-per-minute", d.RatePerMinute, 1, 1000),
            SummaryWindow = Read(a, "summary-window", d.SummaryWindow, 1, 3600),
            RetryAttempts = a.Int("retry-attempts", d.RetryAttempts, 0, 20),
            RetryDelay = Read(a, "retry-delay", d.RetryDelay, 0, 600),
            RetryMaxDelay = Read(a, "retry-max-delay", d.RetryMaxDelay, 0, 3600),
            Timeout = Read(a, "timeout", d.Timeout, 1, 300),
            DefaultSeverity = a.Enum("default-severity", d.DefaultSeverity),
            Severities = severities,
            Resolves = resolves,
            LogMinSeverity = a.BlockOrEmpty("log", LogKeys).Enum("min-severity", d.LogMinSeverity),
            WeCom = a.Block("wecom", WeComKeys) is { } w ? WeComOptions.From(w, dir, environment) : null,
            Email = a.Block("email", EmailKeys) is { } e ? EmailOptions.Read(e, dir, environment) : null,
        };
        if (o.RetryMaxDelay < o.RetryDelay) throw new ConfigException($"{a.Where("retry-max-delay")} must not be below retry-delay.");
        return o;
    }

    /// <summary>
    /// A secret from <paramref name="fileKey"/> of <paramref name="b"/> (owner-only on Unix, like an SSH key) or else the
    /// environment variable; null when neither is set. Errors name the file, never its text.
    /// </summary>
    internal static Secret? ReadSecret(ConfigBlock b, string fileKey, string dir, string variable, Func<string, string?> environment)
    {
        string? text;
        if (b.Text(fileKey) is { Length: > 0 } name)
        {
            var path = Path.GetFullPath(Path.Combine(dir, name));
            if (!File.Exists(path)) throw new ConfigException($"{b.Where(fileKey)}: {path} does not exist.");
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                throw new ConfigException($"{b.Where(fileKey)}: {path} is readable or writable by group or others; chmod 600 it.");
            try { text = File.ReadAllText(path).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ConfigException($"{b.Where(fileKey)}: {path} cannot be read: {e.Message}"); }
            if (text.Length == 0) throw new ConfigException($"{b.Where(fileKey)}: {path} is empty.");
        }
        else text = environment(variable)?.Trim();
        return string.IsNullOrEmpty(text) ? null : new Secret(text);
    }
}

/// <summary>
/// The WeCom (企业微信) group robot: its webhook key (from <c>webhook-key-file</c> or <c>TRADING_WECOM_KEY</c>; it is
/// part of the URL, so it is never logged) and the API's base URL (a stub's in tests).
/// </summary>
public sealed record WeComOptions(Secret Key, Uri BaseUrl, AlertSeverity MinSeverity)
{
    public static readonly Uri DefaultBaseUrl = new("https://qyapi.weixin.qq.com");

    internal static WeComOptions From(ConfigBlock w, string dir, Func<string, string?> environment)
    {
        var key = AlertOptions.ReadSecret(w, "webhook-key-file", dir, AlertOptions.WeComKeyVariable, environment)
            ?? throw new ConfigException($"{w.Where("webhook-key-file")} is not set and {AlertOptions.WeComKeyVariable} is empty: the robot's webhook key is needed.");
        // The key goes into the URL's query: only the characters WeCom's keys are made of, so it cannot change the URL.
        if (!key.Reveal().All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new ConfigException($"{w.Where("webhook-key-file")}: the webhook key must be letters, digits and '-' only (the part after key= in the robot's URL).");
        var text = w.String("base-url", DefaultBaseUrl.ToString()).Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(url.Query.TrimStart('?')))
            throw new ConfigException($"{w.Where("base-url")} = '{text}' must be an http(s) URL without a query.");
        if (url.Scheme == "http" && !url.IsLoopback)
            throw new ConfigException($"{w.Where("base-url")} = '{text}': plain http is allowed for 127.0.0.1 only (the key would travel in clear).");
        return new WeComOptions(key, url, w.Enum("min-severity", AlertSeverity.Warning));
    }
}

/// <summary>How the e-mail sink secures its SMTP connection.</summary>
public enum SmtpTls
{
    /// <summary>Plain connection upgraded with STARTTLS (port 587); refused if the server cannot.</summary>
    StartTls,
    /// <summary>TLS from the first byte (port 465).</summary>
    Ssl,
    /// <summary>No TLS: loopback hosts only, unless <c>allow-insecure = on</c>.</summary>
    None,
}

/// <summary>The e-mail sink: an SMTP server (MailKit), its TLS, the account (password from <c>password-file</c> or <c>TRADING_SMTP_PASSWORD</c>), sender and recipients.</summary>
public sealed record EmailOptions(string Host, int Port, SmtpTls Tls, string? User, Secret? Password, string From, IReadOnlyList<string> To, AlertSeverity MinSeverity)
{
    internal static EmailOptions Read(ConfigBlock e, string dir, Func<string, string?> environment)
    {
        var host = e.Text("host")?.Trim() is { Length: > 0 } h ? h : throw new ConfigException($"{e.Where("host")} is missing.");
        var tls = e.Text("tls")?.Trim().ToLowerInvariant() switch
        {
            null or "starttls" => SmtpTls.StartTls,
            "ssl" or "tls" or "ssl-on-connect" => SmtpTls.Ssl,
            "none" or "off" => SmtpTls.None,
            var t => throw new ConfigException($"{e.Where("tls")} = '{t}' must be starttls, ssl or none."),
        };
        bool loopback = host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
        if (tls == SmtpTls.None && !loopback && !e.Flag("allow-insecure", false))
            throw new ConfigException($"{e.Where("tls")} = none sends the password and alerts in clear: allowed for a loopback host only (or set allow-insecure = on).");
        var port = e.Int("port", tls == SmtpTls.Ssl ? 465 : 587, 1, 65535);
        var user = e.Text("user")?.Trim() is { Length: > 0 } u ? u : null;
        var password = AlertOptions.ReadSecret(e, "password-file", dir, AlertOptions.SmtpPasswordVariable, environment);
        if (user is not null && password is null)
            throw new ConfigException($"{e.Where("password-file")} is not set and {AlertOptions.SmtpPasswordVariable} is empty: user '{user}' needs a password.");
        var from = e.Text("from")?.Trim() is { Length: > 0 } f ? f : throw new ConfigException($"{e.Where("from")} is missing.");
        var to = e.Strings("to") ?? throw new ConfigException($"{e.Where("to")} is missing (a list of addresses).");
        if (to.Count == 0) throw new ConfigException($"{e.Where("to")} is empty.");
        foreach (var address in to.Prepend(from))
            if (!MimeKit.MailboxAddress.TryParse(address, out _))
                throw new ConfigException($"{e.Where(address == from ? "from" : "to")}: '{address}' is not an e-mail address.");
        return new EmailOptions(host, port, tls, user, password, from, to, e.Enum("min-severity", AlertSeverity.Warning));
    }
}
