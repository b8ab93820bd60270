using Trading.Runtime.Tests.Alerts;

namespace Trading.Node.Tests;

/// <summary><c>trading alerts test</c> end to end, against a WeCom stub and an SMTP stub on 127.0.0.1.</summary>
[Collection("console")]
public class AlertsCommandTests
{
    private const string Key = "5e6f7a8b-1111-2222-3333-444455556666";

    private static string Node(string dir, string alerts)
    {
        var key = Path.Combine(dir, "wecom.key");
        File.WriteAllText(key, Key);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var file = Path.Combine(dir, "node.conf");
        File.WriteAllText(file, $"trading {{\n  account-id = paper\n  alerts {{\n{alerts}\n  }}\n}}\n");
        return file;
    }

    [Fact]
    public async Task A_test_message_goes_through_every_configured_sink_one_line_each()
    {
        using var wecom = new WeComStub();
        using var smtp = new SmtpStub();
        var file = Node(CliRunner.TempDir(), $$"""
                wecom { webhook-key-file = "wecom.key", base-url = "{{wecom.BaseUrl}}" }
                email { host = "127.0.0.1", port = {{smtp.Port}}, tls = none, from = "node@example.com", to = ["ops@example.com"] }
            """);
        var (exit, output, err) = await CliRunner.Run("alerts", "test", "--config", file, "--message", "hello from the test");
        Assert.True(exit == 0, err);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("log: ok", lines[0]);
        Assert.StartsWith("wecom: ok", lines[1]);
        Assert.StartsWith("email: ok", lines[2]);
        var robot = await wecom.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(Key, robot.Key);
        Assert.Contains("CRITICAL", robot.Content);
        Assert.Contains("hello from the test", robot.Content);
        Assert.Contains("hello from the test", (await smtp.NextAsync(TimeSpan.FromSeconds(5))).Data);
    }

    [Fact]
    public async Task A_failing_sink_is_its_line_and_exit_1_without_the_key()
    {
        using var wecom = new WeComStub { Answer = _ => (200, $$"""{"errcode":93000,"errmsg":"invalid webhook url key={{Key}}"}""") };
        var file = Node(CliRunner.TempDir(), $$"""
                retry-attempts = 0
                wecom { webhook-key-file = "wecom.key", base-url = "{{wecom.BaseUrl}}" }
            """);
        var (exit, output, err) = await CliRunner.Run("alerts", "test", "--config", file, "--severity", "warning");
        Assert.Equal(1, exit);
        Assert.Contains("wecom: failed: WeCom: errcode 93000 invalid webhook url key=***", output);
        Assert.DoesNotContain(Key, output + err);
        Assert.Contains("WARNING", (await wecom.NextAsync(TimeSpan.FromSeconds(5))).Content);
    }

    [Theory]
    [InlineData("wecom { webhook-key-file = \"no-such.key\" }", "'trading.alerts.wecom.webhook-key-file'")]
    [InlineData("email { host = \"127.0.0.1\", port = 99999, tls = none, from = \"a@x.cn\", to = [\"b@x.cn\"] }", "'trading.alerts.email.port'")]
    [InlineData("min-severity = info", "configures no wecom or email block")]
    public async Task Bad_config_is_one_error_line_and_exit_1(string alerts, string says)
    {
        var file = Node(CliRunner.TempDir(), alerts);
        var (exit, _, err) = await CliRunner.Run("alerts", "test", "--config", file);
        Assert.Equal(1, exit);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(says, line);
    }

    [Fact]
    public async Task A_bad_severity_is_one_error_line()
    {
        var (exit, _, err) = await CliRunner.Run("alerts", "test", "--config", "x.conf", "--severity", "loud");
        Assert.Equal(1, exit);
        Assert.Contains("--severity 'loud' must be info, warning or critical", err);
    }
}
