using Akka.Configuration;
using Trading.Runtime.Alerts;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Tests.Alerts;

public class AlertOptionsTests
{
    private static string Dir()
    {
        var d = Path.Combine(Path.GetTempPath(), "alert-options-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    private static AlertOptions Read(string dir, string hocon, Func<string, string?>? env = null)
    {
        var file = Path.Combine(dir, "node.conf");
        File.WriteAllText(file, hocon);
        return AlertOptions.From(HoconFile.Load(file), file, env ?? (_ => null));
    }

    private static string SecretFile(string dir, string name, string text, UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, mode);
        return path;
    }

    [Fact]
    public void The_documented_block_of_base_conf_is_the_code_defaults()
    {
        var o = AlertOptions.From(TradingSystem.LoadConfig(JournalKind.InMemory), "hocon/base.conf");
        var d = AlertOptions.Default;
        Assert.Equal((d.MinSeverity, d.DedupWindow, d.RatePerMinute, d.SummaryWindow, d.RetryAttempts, d.RetryDelay, d.RetryMaxDelay, d.Timeout, d.DefaultSeverity, d.LogMinSeverity),
            (o.MinSeverity, o.DedupWindow, o.RatePerMinute, o.SummaryWindow, o.RetryAttempts, o.RetryDelay, o.RetryMaxDelay, o.Timeout, o.DefaultSeverity, o.LogMinSeverity));
        Assert.Equal(d.Severities.OrderBy(k => k.Key), o.Severities.OrderBy(k => k.Key));
        Assert.Equal(d.Resolves, o.Resolves);
        Assert.False(o.HasRemoteSinks);
        Assert.Equal(AlertSeverity.Critical, o.SeverityOf("failover"));
        Assert.Equal(AlertSeverity.Warning, o.SeverityOf("something-new"));
    }

    [Fact]
    public void Sinks_read_their_secrets_from_owner_only_files_or_the_environment_and_never_show_them()
    {
        var dir = Dir();
        SecretFile(dir, "wecom.key", "abc-123\n");
        var o = Read(dir, """
            trading.alerts {
              severity { risk-reject = info }
              wecom { webhook-key-file = "wecom.key", min-severity = critical }
              email { host = "smtp.example.com", user = "u", from = "a@example.com", to = ["b@example.com"] }
            }
            """, v => v == AlertOptions.SmtpPasswordVariable ? "pw-from-env" : null);
        Assert.Equal("abc-123", o.WeCom!.Key.Reveal());
        Assert.Equal(AlertSeverity.Critical, o.WeCom.MinSeverity);
        Assert.Equal(WeComOptions.DefaultBaseUrl, o.WeCom.BaseUrl);
        Assert.Equal(AlertSeverity.Info, o.SeverityOf("risk-reject"));
        Assert.Equal((587, SmtpTls.StartTls, "pw-from-env"), (o.Email!.Port, o.Email.Tls, o.Email.Password!.Reveal()));
        Assert.DoesNotContain("abc-123", o.ToString());
        Assert.DoesNotContain("pw-from-env", o.ToString());
    }

    [Theory]
    [InlineData("wecom { webhook-key-file = \"missing.key\" }", "'trading.alerts.wecom.webhook-key-file'", "does not exist")]
    [InlineData("wecom { }", "'trading.alerts.wecom.webhook-key-file'", "TRADING_WECOM_KEY")]
    [InlineData("wecom { webhook-key-file = \"open.key\" }", "'trading.alerts.wecom.webhook-key-file'", "chmod 600")]
    [InlineData("wecom { webhook-key-file = \"ok.key\", base-url = \"http://example.com\" }", "'trading.alerts.wecom.base-url'", "127.0.0.1 only")]
    [InlineData("email { host = \"smtp.example.com\", port = 70000, from = \"a@x.cn\", to = [\"b@x.cn\"] }", "'trading.alerts.email.port'", "whole number in [1, 65535]")]
    [InlineData("email { host = \"smtp.example.com\", tls = none, from = \"a@x.cn\", to = [\"b@x.cn\"] }", "'trading.alerts.email.tls'", "loopback")]
    [InlineData("email { host = \"smtp.example.com\", user = u, from = \"a@x.cn\", to = [\"b@x.cn\"] }", "'trading.alerts.email.password-file'", "TRADING_SMTP_PASSWORD")]
    [InlineData("email { host = \"smtp.example.com\", from = \"a@x.cn\", to = [] }", "'trading.alerts.email.to'", "empty")]
    [InlineData("rate-per-minute = 0", "'trading.alerts.rate-per-minute'", "")]
    [InlineData("severity { kill-switch = loud }", "'trading.alerts.severity.kill-switch'", "info, warning, critical")]
    [InlineData("wecomm { }", "unknown key 'trading.alerts.wecomm'", "")]
    public void Bad_settings_are_one_error_naming_the_key_and_no_secret(string block, string names, string says)
    {
        var dir = Dir();
        SecretFile(dir, "ok.key", "topsecret-key");
        SecretFile(dir, "open.key", "topsecret-key", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var e = Assert.Throws<ConfigException>(() => Read(dir, $"trading.alerts {{ {block} }}"));
        Assert.Contains(names, e.Message);
        Assert.Contains(says, e.Message);
        Assert.DoesNotContain("topsecret", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void No_tls_is_allowed_for_a_loopback_host_or_when_explicitly_allowed()
    {
        var dir = Dir();
        Assert.Equal(SmtpTls.None, Read(dir, "trading.alerts.email { host = \"127.0.0.1\", port = 2525, tls = none, from = \"a@x.cn\", to = [\"b@x.cn\"] }").Email!.Tls);
        Assert.Equal(SmtpTls.None, Read(dir, "trading.alerts.email { host = \"mail.lan\", tls = none, allow-insecure = on, from = \"a@x.cn\", to = [\"b@x.cn\"] }").Email!.Tls);
        Assert.Equal((SmtpTls.Ssl, 465), Read(dir, "trading.alerts.email { host = \"smtp.qq.com\", tls = ssl, from = \"a@x.cn\", to = [\"b@x.cn\"] }").Email is { } e ? (e.Tls, e.Port) : default);
    }
}

public class AlertThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 2, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_token_bucket_lets_a_burst_through_then_one_per_interval()
    {
        var limit = new SinkRateLimit(6); // a token every 10 s
        Assert.Equal(6, Enumerable.Range(0, 10).Count(_ => limit.TryTake(T0)));
        Assert.False(limit.TryTake(T0.AddSeconds(9)));
        Assert.True(limit.TryTake(T0.AddSeconds(10)));
        Assert.False(limit.TryTake(T0.AddSeconds(10)));
        Assert.Equal(6, Enumerable.Range(0, 10).Count(_ => limit.TryTake(T0.AddHours(1)))); // refills to the burst, not beyond
    }

    [Fact]
    public void Held_alerts_become_one_summary_by_kind_with_the_highest_severity()
    {
        var limit = new SinkRateLimit(1);
        Assert.True(limit.Hold("risk-reject", AlertSeverity.Warning));
        Assert.False(limit.Hold("stuck-order", AlertSeverity.Critical));
        Assert.False(limit.Hold("risk-reject", AlertSeverity.Warning));
        Assert.Equal(("3 more alerts: 2 risk-reject, 1 stuck-order", AlertSeverity.Critical, 3), limit.TakeSummary());
        Assert.Null(limit.TakeSummary());
    }

    [Fact]
    public void Dedup_counts_repeats_in_the_window_and_reports_them_with_the_next_one()
    {
        var dedup = new AlertDedup(TimeSpan.FromMinutes(5));
        Assert.Equal((0, T0), dedup.Admit("stuck-order", "watchdog", "600000.SH", T0));
        Assert.Null(dedup.Admit("stuck-order", "watchdog", "600000.SH", T0.AddMinutes(1)));
        Assert.Null(dedup.Admit("stuck-order", "watchdog", "600000.SH", T0.AddMinutes(4)));
        Assert.NotNull(dedup.Admit("stuck-order", "watchdog", "000001.SZ", T0.AddMinutes(4)));
        Assert.Equal((2, T0), dedup.Admit("stuck-order", "watchdog", "600000.SH", T0.AddMinutes(5)));
    }
}
