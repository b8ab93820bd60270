using System.Collections.Concurrent;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Dispatch;

namespace Trading.Runtime.Threading;

/// <summary>
/// One thread that runs an actor system's mailboxes and the code driving it (a backtest's clock), in the order their
/// work arrives. A backtest is a chain of small messages: on the thread pool every hand-off between two actors, or
/// between an actor and the clock awaiting its answer, wakes another thread, and one run keeps more than one core
/// busy doing so; on the loop a hand-off is a queue append. Runs side by side (a sweep) then scale with the cores.
/// <para>
/// Work from other threads (a timer, a task continuation off the loop) is queued and wakes the loop. Mailboxes run
/// with no synchronisation context, so an actor's <c>await</c> resumes through its own task scheduler as on the
/// pool; only work posted through the loop's context (the driver's continuations) runs under it.
/// </para>
/// <para>Nothing running on the loop may block waiting for other work on the loop: that would wait forever.</para>
/// </summary>
public sealed class ActorLoop : IDisposable
{
    private readonly ConcurrentQueue<Work> _queue = new();
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
    private readonly Thread _thread;
    private readonly LoopContext _context;
    private int _sleeping;
    private volatile bool _stopped;

    public ActorLoop(string name)
    {
        _context = new LoopContext(this);
        _thread = new Thread(Pump) { IsBackground = true, Name = name };
        _thread.Start();
    }

    /// <summary>The HOCON that puts an actor system's dispatchers on the loop given by <see cref="Setup"/>.</summary>
    public const string Hocon = $$"""
        akka.actor.default-dispatcher.executor = {{Executor}}
        akka.actor.internal-dispatcher.executor = {{Executor}}
        akka.persistence.dispatchers.default-plugin-dispatcher.executor = {{Executor}}
        akka.persistence.dispatchers.default-replay-dispatcher.executor = {{Executor}}
        akka.actor.default-dispatcher.throughput = 100
        """;

    private const string Executor = "\"Trading.Runtime.Threading.ActorLoopExecutor, Trading.Runtime\"";

    /// <summary>Hands the loop to the actor system's dispatchers (with <see cref="Hocon"/>).</summary>
    public Setup Setup => new ActorLoopSetup(this);

    public bool IsCurrentThread => Thread.CurrentThread == _thread;

    /// <summary>Runs <paramref name="body"/> on the loop; its awaits resume on the loop.</summary>
    public Task<T> RunAsync<T>(Func<Task<T>> body)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _context.Post(_ =>
        {
            Task<T> task;
            try { task = body(); }
            catch (Exception e) { done.TrySetException(e); return; }
            task.ContinueWith(t =>
            {
                if (t.IsCanceled) done.TrySetCanceled();
                else if (t.IsFaulted) done.TrySetException(t.Exception!.InnerExceptions);
                else done.TrySetResult(t.Result);
            }, TaskContinuationOptions.ExecuteSynchronously);
        }, null);
        return done.Task;
    }

    internal void Execute(IRunnable runnable) => Enqueue(new Work(runnable, null, null));

    private void Enqueue(Work work)
    {
        _queue.Enqueue(work);
        // After the loop ended (a timer firing into a terminated system), or while it drained for the last time:
        // still run the work, on the pool; never drop it.
        if (_stopped) DrainToPool();
        else if (Volatile.Read(ref _sleeping) == 1 && !IsCurrentThread) _wake.Set();
    }

    private void DrainToPool()
    {
        while (_queue.TryDequeue(out var late)) ThreadPool.UnsafeQueueUserWorkItem(static w => w.Run(null), late, preferLocal: false);
    }

    private void Pump()
    {
        while (true)
        {
            while (_queue.TryDequeue(out var work)) work.Run(_context);
            if (_stopped) break;
            Interlocked.Exchange(ref _sleeping, 1);
            if (_queue.IsEmpty && !_stopped) _wake.Wait();
            _wake.Reset();
            Volatile.Write(ref _sleeping, 0);
        }
        DrainToPool(); // anything queued while stopping
    }

    /// <summary>Stops the thread once the queue is empty; later work runs on the thread pool.</summary>
    public void Dispose()
    {
        if (_stopped) return;
        _stopped = true;
        _wake.Set();
        if (!IsCurrentThread) _thread.Join();
    }

    private readonly record struct Work(IRunnable? Runnable, SendOrPostCallback? Callback, object? State)
    {
        public void Run(LoopContext? context)
        {
            if (Runnable is not null)
            {
                Runnable.Run();
                return;
            }
            var previous = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(context);
            try { Callback!(State); }
            finally { SynchronizationContext.SetSynchronizationContext(previous); }
        }
    }

    private sealed class LoopContext(ActorLoop loop) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => loop.Enqueue(new Work(null, d, state));

        public override void Send(SendOrPostCallback d, object? state)
        {
            if (loop.IsCurrentThread) d(state);
            else throw new NotSupportedException("Send to an actor loop from another thread would block it; use Post.");
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}

/// <summary>Carries the <see cref="ActorLoop"/> into the actor system (see <see cref="ActorLoopExecutor"/>).</summary>
public sealed class ActorLoopSetup(ActorLoop loop) : Setup
{
    public ActorLoop Loop { get; } = loop;
}

/// <summary>An Akka executor whose mailboxes run on the system's <see cref="ActorLoop"/> (named in HOCON).</summary>
public sealed class ActorLoopExecutor(Config config, IDispatcherPrerequisites prerequisites)
    : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id)
    {
        var setup = Prerequisites.Settings.Setup.Get<ActorLoopSetup>();
        if (!setup.HasValue)
            throw new ConfigurationException($"Dispatcher '{id}' runs on an actor loop, but the actor system was created without an {nameof(ActorLoopSetup)}.");
        return new Service(id, setup.Value.Loop);
    }

    private sealed class Service(string id, ActorLoop loop) : ExecutorService(id)
    {
        public override void Execute(IRunnable run) => loop.Execute(run);

        public override void Shutdown() { } // the loop belongs to whoever created it
    }
}
