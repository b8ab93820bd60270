using Akka.Actor;
using Akka.Event;
using Serilog;
using Serilog.Core;
using LogEvent = Serilog.Events.LogEvent;
using LogEventLevel = Serilog.Events.LogEventLevel;
using Trading.Runtime;
using Xunit;

namespace Trading.Runtime.Tests.Logging;

/// <summary>Akka's own log events reach the process's Serilog logger (hocon/base.conf names Akka.Logger.Serilog).</summary>
[Collection("serilog-static")]
public class AkkaSerilogTests
{
    private sealed class Collect : ILogEventSink
    {
        public readonly List<LogEvent> Events = [];
        public void Emit(LogEvent e) { lock (Events) Events.Add(e); }
    }

    private sealed class Talker : ReceiveActor
    {
        public Talker()
        {
            var log = Context.GetLogger();
            Receive<string>(s =>
            {
                log.Warning("order {OrderId} waits for {Seconds} s", s, 30);
                Sender.Tell("done");
            });
        }
    }

    [Fact]
    public async Task Actor_log_events_arrive_in_serilog_with_their_template_and_properties()
    {
        var sink = new Collect();
        var previous = Log.Logger;
        Log.Logger = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(sink).CreateLogger();
        try
        {
            var config = TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = INFO");
            using var system = ActorSystem.Create("serilog-test", config);
            var talker = system.ActorOf(Props.Create(() => new Talker()), "talker");
            Assert.Equal("done", await talker.Ask<string>("A-1", TimeSpan.FromSeconds(5)));
            LogEvent? e = null;
            for (int i = 0; i < 100 && e is null; i++)
            {
                // Its own template: Log.Logger is global, and actors of tests running beside this one log {OrderId} too.
                lock (sink.Events) e = sink.Events.FirstOrDefault(x => x.MessageTemplate.Text == "order {OrderId} waits for {Seconds} s");
                if (e is null) await Task.Delay(50);
            }
            Assert.NotNull(e);
            Assert.Equal(LogEventLevel.Warning, e!.Level);
            Assert.Equal("\"A-1\"", e.Properties["OrderId"].ToString());
            Assert.Equal("30", e.Properties["Seconds"].ToString());
            await system.Terminate();
        }
        finally
        {
            Log.Logger = previous;
        }
    }
}
