using Akka.Actor;
using Akka.TestKit.Xunit2;
using Trading.Runtime;

namespace Trading.Backtest.Tests;

/// <summary>The backtest clock's request/answer channel to the actor tree.</summary>
public class StepChannelTests() : TestKit(TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = WARNING"))
{
    private sealed record Echo(string Text);

    private sealed class Answerer : ReceiveActor
    {
        public Answerer()
        {
            Receive<Echo>(e => Sender.Tell(e.Text));
            Receive<int>(i => Sender.Tell(new Status.Failure(new InvalidOperationException($"bad step {i}"))));
            Receive<string>(_ => { }); // never answers
        }
    }

    [Fact]
    public async Task A_step_gets_its_answer_and_a_failure_becomes_an_exception_naming_the_step()
    {
        var channel = new StepChannel(Sys, TimeSpan.FromSeconds(5), "clock-1");
        var answerer = Sys.ActorOf(Props.Create(() => new Answerer()));
        Assert.Equal("hello", await channel.Step(answerer, new Echo("hello")));
        var e = await Assert.ThrowsAsync<BacktestFailedException>(() => channel.Step(answerer, 7));
        Assert.Contains("Int32 failed: bad step 7", e.Message);
        Assert.Equal("again", await channel.Step(answerer, new Echo("again"))); // the channel is free again
    }

    [Fact]
    public async Task A_step_nobody_answers_times_out_naming_it_and_ends_the_channel()
    {
        var channel = new StepChannel(Sys, TimeSpan.FromMilliseconds(300), "clock-2");
        var probe = CreateTestProbe();
        var e = await Assert.ThrowsAsync<TimeoutException>(() => channel.Request(probe.Ref, new Echo("late")));
        Assert.Contains("Echo: no answer within", e.Message);
        probe.ExpectMsg<Echo>();
        probe.LastSender.Tell("too late"); // ignored: nothing is waiting
        // A late answer could be mistaken for the next step's, so no further step is sent.
        var answerer = Sys.ActorOf(Props.Create(() => new Answerer()));
        var refused = Assert.Throws<InvalidOperationException>(() => { _ = channel.Request(answerer, new Echo("next")); });
        Assert.Contains("Echo not sent: Echo: no answer within", refused.Message);
    }

    [Fact]
    public async Task One_step_at_a_time()
    {
        var channel = new StepChannel(Sys, TimeSpan.FromSeconds(5), "clock-3");
        var silent = Sys.ActorOf(Props.Create(() => new Answerer()));
        var first = channel.Request(silent, "no answer");
        var e = Assert.Throws<InvalidOperationException>(() => { _ = channel.Request(silent, new Echo("second")); });
        Assert.Contains("Echo sent while String is still unanswered", e.Message);
        Assert.False(first.IsCompleted);
        await Task.CompletedTask;
    }
}
