using Akka.Actor;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Trading.Runtime.Alerts;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Tests.Alerts;

/// <summary>
/// Failing sends, with every log event of the process captured (Akka's through Akka.Logger.Serilog, the log sink's
/// directly): the webhook key and the SMTP password appear in no log event, property, exception or error.
/// </summary>
[Collection("serilog-static")]
public class AlertSecretsTests
{
    private const string Key = "9f8e7d6c-5b4a-3210-fedc-ba9876543210";
    private const string Password = "smtp-pass-7Qx!";

    private sealed class Collect : ILogEventSink
    {
        public readonly List<LogEvent> Events = [];
        public void Emit(LogEvent e) { lock (Events) Events.Add(e); }
        public string All()
        {
            lock (Events)
                return string.Join("\n", Events.Select(e => $"{e.RenderMessage()} {e.Exception} {string.Join(" ", e.Properties.Select(p => p.Value.ToString()))}"));
        }
    }

    [Fact]
    public async Task Failed_sends_log_no_webhook_key_and_no_smtp_password()
    {
        var sink = new Collect();
        var previous = Log.Logger;
        Log.Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        using var wecom = new WeComStub
        {
            // A server that echoes the URL in its error (as proxies do): the sink must still not let the key out.
            Answer = _ => (200, $$"""{"errcode":93000,"errmsg":"invalid webhook url, hint: key={{Key}}"}"""),
        };
        using var smtp = new SmtpStub { RejectLogin = true }; // its 535 echoes the credentials
        // A port nothing listens on: HttpClient's connection error.
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var deadPort = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        try
        {
            var config = TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = DEBUG");
            using var system = ActorSystem.Create("alert-secrets", config);
            var results = new List<AlertDelivered>();
            var done = new TaskCompletionSource();
            var listener = system.ActorOf(Props.Create(() => new Listener(results, 3, done)));
            system.EventStream.Subscribe(listener, typeof(AlertDelivered));
            var options = AlertOptions.Default with
            {
                RetryAttempts = 1,
                RetryDelay = TimeSpan.FromMilliseconds(20),
                RetryMaxDelay = TimeSpan.FromMilliseconds(50),
                Timeout = TimeSpan.FromSeconds(3),
                Email = new EmailOptions("127.0.0.1", smtp.Port, SmtpTls.None, "alerts", new Secret(Password), "a@example.com", ["b@example.com"], AlertSeverity.Info),
            };
            IReadOnlyList<IAlertSink> sinks =
            [
                new LogSink(AlertSeverity.Info),
                new WeComSink(new WeComOptions(new Secret(Key), wecom.BaseUrl, AlertSeverity.Info)),
                new EmailSink(options.Email),
                new NamedSink(new WeComSink(new WeComOptions(new Secret(Key), new Uri($"http://127.0.0.1:{deadPort}/"), AlertSeverity.Info)), "wecom-dead"),
            ];
            var notifier = system.ActorOf(NotifierActor.Props(options, sinks, TimeProvider.System));
            await notifier.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(5));
            system.EventStream.Publish(new RiskAlert(DateTime.Now, "kill-switch", "risk-guard", "engaged"));
            await done.Task.WaitAsync(TimeSpan.FromSeconds(15));
            await Task.Delay(300); // Akka's logger is asynchronous
            await system.Terminate();

            lock (results)
            {
                Assert.Equal(3, results.Count);
                Assert.All(results, r => Assert.NotNull(r.Error));
                Assert.Contains(results, r => r.Sink == "wecom" && r.Error!.Contains("93000") && r.Error.Contains("key=***"));
                Assert.Contains(results, r => r.Sink == "email" && r.Error!.Contains("535"));
                Assert.Contains(results, r => r.Sink == "wecom-dead" && r.Error!.StartsWith("WeCom: "));
                foreach (var r in results)
                {
                    Assert.DoesNotContain(Key, r.Error);
                    Assert.DoesNotContain(Password, r.Error);
                }
            }
            var logged = sink.All();
            Assert.Contains("not delivered", logged); // the failures were logged …
            Assert.Contains("engaged", logged);
            Assert.DoesNotContain(Key, logged); // … without the secrets
            Assert.DoesNotContain(Password, logged);
        }
        finally
        {
            Log.Logger = previous;
        }
    }

    /// <summary>A second WeCom sink under another name (the notifier tells sinks apart by name).</summary>
    private sealed class NamedSink(IAlertSink inner, string name) : IAlertSink
    {
        public string Name => name;
        public AlertSeverity MinSeverity => inner.MinSeverity;
        public Task SendAsync(AlertNotice notice, CancellationToken ct) => inner.SendAsync(notice, ct);
        public void Dispose() => inner.Dispose();
    }

    private sealed class Listener : ReceiveActor
    {
        public Listener(List<AlertDelivered> results, int expected, TaskCompletionSource done) =>
            Receive<AlertDelivered>(d =>
            {
                if (d.Error is null) return; // the log sink's
                lock (results)
                {
                    results.Add(d);
                    if (results.Count == expected) done.TrySetResult();
                }
            });
    }
}
