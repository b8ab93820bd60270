using System.Diagnostics;
using Akka.Actor;
using Microsoft.Extensions.Time.Testing;
using Trading.Domain.Instruments;
using Trading.Runtime.Alerts;
using Trading.Runtime.Messages;
using Trading.Runtime.Tests.Actors;
using Xunit.Abstractions;

namespace Trading.Runtime.Tests.Alerts;

/// <summary>The notifier against a WeCom stub and an SMTP stub on 127.0.0.1: delivery time, de-duplication, storms, retries, severities.</summary>
public class NotifierActorTests(ITestOutputHelper output) : RuntimeTestKit
{
    private const string Key = "0a1b2c3d-4e5f-6789-abcd-ef0123456789";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    private static AlertOptions Options(WeComStub wecom, AlertSeverity min = AlertSeverity.Info) => AlertOptions.Default with
    {
        RetryDelay = TimeSpan.FromMilliseconds(50),
        RetryMaxDelay = TimeSpan.FromMilliseconds(200),
        Timeout = TimeSpan.FromSeconds(3),
        WeCom = new WeComOptions(new Secret(Key), wecom.BaseUrl, min),
    };

    private async Task<IActorRef> Start(AlertOptions options, TimeProvider? time = null)
    {
        var notifier = Sys.ActorOf(NotifierActor.Props(options, NotifierActor.Sinks(options), time ?? TimeProvider.System));
        await notifier.Ask<ActorIdentity>(new Identify(null), Wait); // subscribed (PreStart ran)
        return notifier;
    }

    private static RiskAlert Alert(string kind, string message = "it happened", string? symbol = null) =>
        new(new DateTime(2024, 1, 2, 10, 0, 0), kind, "risk-guard", message, symbol is null ? null : Symbol.Parse(symbol), AccountId: "main");

    private static async Task<List<string>> Contents(WeComStub wecom, int n)
    {
        var list = new List<string>();
        for (int i = 0; i < n; i++) list.Add((await wecom.NextAsync(Wait)).Content);
        return list;
    }

    [Fact]
    public async Task A_published_alert_reaches_the_wecom_robot_within_two_seconds_as_markdown()
    {
        using var wecom = new WeComStub();
        await Start(Options(wecom));
        // A first connection costs more than the next ones: the 2 s bound is for this, the cold path.
        var sent = Stopwatch.GetTimestamp();
        Sys.EventStream.Publish(Alert("kill-switch", "engaged: drawdown 12% past 10%"));
        var request = await wecom.NextAsync(Wait);
        var latency = Stopwatch.GetElapsedTime(sent, request.ArrivedAt);
        output.WriteLine($"alert → WeCom stub: {latency.TotalMilliseconds:0.0} ms");
        Assert.True(latency < TimeSpan.FromSeconds(2), $"took {latency}");
        Assert.Equal(Key, request.Key);
        Assert.Contains("CRITICAL", request.Content);
        Assert.Contains("kill-switch", request.Content);
        Assert.Contains("engaged: drawdown 12% past 10%", request.Content);
        Assert.Contains("account: main", request.Content);
    }

    [Fact]
    public async Task The_same_kind_source_and_symbol_within_the_window_is_counted_not_sent_again()
    {
        using var wecom = new WeComStub();
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 2, 2, 0, 0, TimeSpan.Zero));
        await Start(Options(wecom), time);
        for (int i = 0; i < 5; i++) Sys.EventStream.Publish(Alert("stuck-order", $"order {i} stuck", "600000.SH"));
        Sys.EventStream.Publish(Alert("stuck-order", "another symbol", "000001.SZ"));
        // Sends run concurrently: the two may arrive in either order.
        var first = await Contents(wecom, 2);
        Assert.Contains(first, c => c.Contains("order 0 stuck"));
        Assert.Contains(first, c => c.Contains("another symbol"));

        time.Advance(AlertOptions.Default.DedupWindow);
        Sys.EventStream.Publish(Alert("stuck-order", "still stuck", "600000.SH"));
        var again = await wecom.NextAsync(Wait);
        Assert.Contains("still stuck (+4 more like it since", again.Content);
        Assert.Equal(3, wecom.All.Count);
    }

    [Fact]
    public async Task A_storm_past_the_rate_becomes_one_summary_when_the_window_ends()
    {
        using var wecom = new WeComStub();
        var time = new FakeTimeProvider(new DateTimeOffset(2024, 1, 2, 2, 0, 0, TimeSpan.Zero));
        var notifier = await Start(Options(wecom) with { RatePerMinute = 2 }, time);
        for (int i = 0; i < 10; i++) Sys.EventStream.Publish(Alert("risk-reject", $"reject {i}", $"60000{i}.SH"));
        for (int i = 0; i < 4; i++) Sys.EventStream.Publish(Alert("stuck-order", $"stuck {i}", $"00000{i + 1}.SZ"));
        var first = await Contents(wecom, 2);
        Assert.Contains(first, c => c.Contains("reject 0"));
        Assert.Contains(first, c => c.Contains("reject 1"));
        await notifier.Ask<ActorIdentity>(new Identify(null), Wait); // all 14 seen
        await Task.Delay(200);
        Assert.Equal(2, wecom.All.Count); // the other 12 wait for the window's end

        time.Advance(TimeSpan.FromMinutes(1));
        var summary = await wecom.NextAsync(Wait);
        Assert.Contains("12 more alerts: 8 risk-reject, 4 stuck-order", summary.Content);
        await Task.Delay(200);
        Assert.Equal(3, wecom.All.Count);
    }

    [Fact]
    public async Task A_500_and_a_45009_are_retried_and_the_alert_is_delivered_once()
    {
        using var wecom = new WeComStub
        {
            Answer = n => n switch
            {
                1 => (500, "busy"),
                2 => (200, """{"errcode":45009,"errmsg":"api freq out of limit"}"""),
                _ => (200, """{"errcode":0,"errmsg":"ok"}"""),
            },
        };
        var delivered = CreateTestProbe();
        Sys.EventStream.Subscribe(delivered.Ref, typeof(AlertDelivered));
        await Start(Options(wecom));
        Sys.EventStream.Publish(Alert("reconciliation", "new orders halted: cash differs"));
        var result = delivered.FishForMessage<AlertDelivered>(d => d.Sink == "wecom", Wait);
        Assert.Null(result.Error);
        Assert.Equal(3, wecom.All.Count);
        Assert.All(wecom.All, r => Assert.Contains("new orders halted", r.Content));
    }

    [Fact]
    public async Task A_permanent_wecom_error_is_not_retried_and_is_reported()
    {
        using var wecom = new WeComStub { Answer = _ => (200, """{"errcode":93000,"errmsg":"invalid webhook url"}""") };
        var delivered = CreateTestProbe();
        Sys.EventStream.Subscribe(delivered.Ref, typeof(AlertDelivered));
        await Start(Options(wecom));
        Sys.EventStream.Publish(Alert("kill-switch"));
        var result = delivered.FishForMessage<AlertDelivered>(d => d.Sink == "wecom", Wait);
        Assert.Equal("WeCom: errcode 93000 invalid webhook url", result.Error);
        Assert.Single(wecom.All);
    }

    [Fact]
    public async Task Alerts_below_a_sinks_min_severity_do_not_reach_it()
    {
        using var wecom = new WeComStub();
        await Start(Options(wecom, AlertSeverity.Critical));
        Sys.EventStream.Publish(Alert("risk-reject", "a warning only", "600000.SH"));
        Sys.EventStream.Publish(Alert("kill-switch", "critical"));
        Assert.Contains("kill-switch", (await wecom.NextAsync(Wait)).Content);
        await Task.Delay(200);
        Assert.Single(wecom.All);
    }

    [Fact]
    public async Task A_link_back_after_a_notified_loss_is_sent_at_the_losss_severity_and_a_new_loss_at_once()
    {
        using var wecom = new WeComStub();
        await Start(Options(wecom, AlertSeverity.Critical));
        RiskAlert Link(string kind, string message) => new(DateTime.Now, kind, "bridge", message);
        Sys.EventStream.Publish(Link("broker-link-up", "connected")); // a first connect: info, below critical
        Sys.EventStream.Publish(Link("broker-link-down", "disconnected: reset"));
        Assert.Contains("disconnected: reset", (await wecom.NextAsync(Wait)).Content);
        Sys.EventStream.Publish(Link("broker-link-up", "connected again"));
        var up = await wecom.NextAsync(Wait);
        Assert.Contains("CRITICAL", up.Content);
        Assert.Contains("connected again", up.Content);
        Sys.EventStream.Publish(Link("broker-link-down", "lost again")); // within the dedup window, yet news
        Assert.Contains("lost again", (await wecom.NextAsync(Wait)).Content);
        Assert.Equal(3, wecom.All.Count);
    }

    [Fact]
    public async Task An_alert_is_mailed_through_smtp_with_login()
    {
        using var smtp = new SmtpStub();
        var options = AlertOptions.Default with
        {
            Email = new EmailOptions("127.0.0.1", smtp.Port, SmtpTls.None, "alerts", new Secret("pw-s3cret"), "alerts@example.com", ["ops@example.com", "risk@example.com"], AlertSeverity.Warning),
        };
        await Start(options);
        Sys.EventStream.Publish(Alert("kill-switch", "engaged: manual"));
        var mail = await smtp.NextAsync(Wait);
        Assert.Equal("alerts@example.com", mail.From);
        Assert.Equal(["ops@example.com", "risk@example.com"], mail.To);
        Assert.Equal("alerts pw-s3cret", mail.Login);
        Assert.Contains("Subject: [trading] [CRITICAL] kill-switch (risk-guard): engaged: manual", mail.Data);
        Assert.Contains("engaged: manual", mail.Data);
    }

    [Fact]
    public async Task A_451_from_smtp_is_retried()
    {
        using var smtp = new SmtpStub { FailTransactions = 2 };
        var options = AlertOptions.Default with
        {
            RetryDelay = TimeSpan.FromMilliseconds(50),
            Email = new EmailOptions("127.0.0.1", smtp.Port, SmtpTls.None, null, null, "alerts@example.com", ["ops@example.com"], AlertSeverity.Warning),
        };
        await Start(options);
        Sys.EventStream.Publish(Alert("failure", "trader stopped"));
        Assert.Contains("trader stopped", (await smtp.NextAsync(Wait)).Data);
    }
}
