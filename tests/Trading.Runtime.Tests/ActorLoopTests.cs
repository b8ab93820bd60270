using Akka.Actor;
using Trading.Runtime.Threading;

namespace Trading.Runtime.Tests;

/// <summary>An actor system whose dispatchers run on one <see cref="ActorLoop"/> thread, with its driver.</summary>
public class ActorLoopTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<T> OnLoop<T>(Func<ActorSystem, ActorLoop, Task<T>> body)
    {
        using var loop = new ActorLoop("test-loop");
        return await loop.RunAsync(async () =>
        {
            var system = await Task.Run(() => TradingSystem.Create("loop-" + Guid.NewGuid().ToString("N"), JournalKind.InMemory,
                extra: "akka.loglevel = WARNING\n" + ActorLoop.Hocon, with: loop.Setup));
            try { return await body(system, loop); }
            finally { await system.Terminate(); }
        });
    }

    private sealed class ThreadReporter : ReceiveActor
    {
        public ThreadReporter() => Receive<string>(_ => Sender.Tell(Environment.CurrentManagedThreadId));
    }

    /// <summary>Awaits inside a handler, then uses its context: only possible if the await resumed in the actor.</summary>
    private sealed class AwaitingActor : ReceiveActor
    {
        public AwaitingActor(IActorRef other)
        {
            ReceiveAsync<string>(async _ =>
            {
                var replyTo = Sender;
                int before = Environment.CurrentManagedThreadId;
                var answer = await other.Ask<int>("where", Timeout);
                replyTo.Tell((before, answer, Environment.CurrentManagedThreadId, Self.Path.Name, Context.Sender.Equals(replyTo)));
            });
        }
    }

    private sealed class Counter : ReceiveActor
    {
        private int _count;
        public Counter()
        {
            Receive<int>(i => _count += i);
            Receive<string>(_ => Sender.Tell(_count));
        }
    }

    [Fact]
    public async Task Actors_and_the_code_driving_them_share_the_loop_thread()
    {
        var (loopThread, actorThread, afterAwait) = await OnLoop(async (system, loop) =>
        {
            int driver = Environment.CurrentManagedThreadId;
            var reporter = system.ActorOf(Props.Create(() => new ThreadReporter()));
            int actor = await reporter.Ask<int>("where", Timeout);
            Assert.True(loop.IsCurrentThread);
            return (driver, actor, Environment.CurrentManagedThreadId);
        });
        Assert.Equal(loopThread, actorThread);
        Assert.Equal(loopThread, afterAwait);
    }

    [Fact]
    public async Task An_await_inside_an_actor_resumes_in_that_actor_on_the_loop()
    {
        var (loopThread, reply) = await OnLoop(async (system, _) =>
        {
            var reporter = system.ActorOf(Props.Create(() => new ThreadReporter()));
            var awaiting = system.ActorOf(Props.Create(() => new AwaitingActor(reporter)), "awaiting");
            var r = await awaiting.Ask<(int Before, int Answer, int After, string Name, bool SameSender)>("go", Timeout);
            return (Environment.CurrentManagedThreadId, r);
        });
        Assert.Equal(loopThread, reply.Before);
        Assert.Equal(loopThread, reply.Answer);
        Assert.Equal(loopThread, reply.After);
        Assert.Equal("awaiting", reply.Name);  // Self and Context were the actor's after the await
        Assert.True(reply.SameSender);
    }

    [Fact]
    public async Task Messages_sent_from_other_threads_wake_the_loop_and_none_is_lost()
    {
        int count = await OnLoop(async (system, _) =>
        {
            var counter = system.ActorOf(Props.Create(() => new Counter()));
            // Four pool threads telling at once, while the loop sleeps between bursts.
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                for (int i = 0; i < 2_500; i++)
                {
                    counter.Tell(1);
                    if (i % 500 == 0) await Task.Delay(1);
                }
            })));
            return await counter.Ask<int>("count", Timeout);
        });
        Assert.Equal(10_000, count);
    }

    [Fact]
    public async Task A_system_configured_for_a_loop_but_given_none_fails_with_a_clear_error()
    {
        var error = await Record.ExceptionAsync(() => Task.Run(() =>
        {
            using var system = TradingSystem.Create("no-loop", JournalKind.InMemory, extra: ActorLoop.Hocon);
            system.ActorOf(Props.Create(() => new Counter())).Tell(1);
        }));
        Assert.NotNull(error);
        var messages = string.Join(" | ", Chain(error));
        Assert.Contains(nameof(ActorLoopSetup), messages);
    }

    [Fact]
    public async Task Work_posted_after_the_loop_is_disposed_still_runs()
    {
        var loop = new ActorLoop("short-lived");
        Assert.Equal(1, await loop.RunAsync(() => Task.FromResult(1)));
        loop.Dispose();
        Assert.Equal(2, await loop.RunAsync(() => Task.FromResult(2)).WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_failure_in_the_body_reaches_the_caller()
    {
        using var loop = new ActorLoop("failing");
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => loop.RunAsync<int>(async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("boom on the loop");
        }));
        Assert.Equal("boom on the loop", e.Message);
    }

    private static IEnumerable<string> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException) yield return x.Message;
    }
}
