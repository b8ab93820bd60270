using Akka.Actor;

namespace Trading.Backtest;

/// <summary>
/// How the backtest clock sends its steps to the actor tree: one step at a time, the answer delivered to a small
/// actor that completes the step's task on the clock's loop. Akka's <c>Ask</c> does the same through a temporary
/// actor, but its promise runs continuations asynchronously, so each ask also queues a clean-up to the thread pool:
/// two or more pool wake-ups per simulated day, whose spinning workers took CPU from runs beside it (sweeps).
/// </summary>
internal sealed class StepChannel
{
    private readonly object _gate = new();
    private readonly IActorRef _inbox;
    private readonly IScheduler _scheduler;
    private readonly TimeSpan _timeout;
    private TaskCompletionSource<object>? _pending;
    private ICancelable? _timer;
    private object? _sent;
    private long _sequence;
    private string? _timedOut;

    public StepChannel(ActorSystem system, TimeSpan timeout, string name)
    {
        _scheduler = system.Scheduler;
        _timeout = timeout;
        _inbox = system.ActorOf(Props.Create(() => new Inbox(this)), name);
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> and waits for its answer (any message).</summary>
    public Task<object> Request(IActorRef target, object message)
    {
        var answer = new TaskCompletionSource<object>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            // After a timeout the late answer may still come and could be taken for the next step's: the run is over.
            if (_timedOut is not null) throw new InvalidOperationException($"{message.GetType().Name} not sent: {_timedOut}");
            if (_pending is not null)
                throw new InvalidOperationException($"{message.GetType().Name} sent while {_sent!.GetType().Name} is still unanswered");
            _pending = answer;
            _sent = message;
            _timer = _scheduler.ScheduleTellOnceCancelable(_timeout, _inbox, new TimedOut(++_sequence), ActorRefs.NoSender);
        }
        target.Tell(message, _inbox);
        return answer.Task;
    }

    /// <summary>The same, failing with <see cref="BacktestFailedException"/> when the answer is a failure.</summary>
    public async Task<object> Step(IActorRef target, object message)
    {
        var reply = await Request(target, message);
        if (reply is Status.Failure f) throw new BacktestFailedException($"{message.GetType().Name} failed: {f.Cause.Message}", f.Cause);
        return reply;
    }

    private void Deliver(object message)
    {
        TaskCompletionSource<object>? answer;
        Exception? failure = null;
        lock (_gate)
        {
            if (_pending is null) return; // an answer after its step timed out: the run has already failed
            if (message is TimedOut t)
            {
                if (t.Sequence != _sequence) return;
                failure = new TimeoutException($"{_sent!.GetType().Name}: no answer within {_timeout}");
                _timedOut = failure.Message;
            }
            answer = _pending;
            _pending = null;
            _sent = null;
            _timer?.Cancel();
        }
        if (failure is null) answer.TrySetResult(message);
        else answer.TrySetException(failure);
    }

    private sealed record TimedOut(long Sequence);

    private sealed class Inbox(StepChannel channel) : UntypedActor
    {
        protected override void OnReceive(object message) => channel.Deliver(message);
    }
}
