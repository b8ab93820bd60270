using Akka.Actor;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Trading.Runtime.Actors;
using Trading.Runtime.Messages;

namespace Trading.Cluster.Hosting;

/// <summary>How the trading singleton builds its brain once it holds the lease.</summary>
/// <param name="AccountId">The account this brain trades (one lease per account).</param>
/// <param name="Address">This node's address, for <see cref="BrainStarted"/>.</param>
/// <param name="Lease">A new lease handle for this incarnation of the singleton.</param>
/// <param name="Brain">(epoch, lease) → the <see cref="TradingSupervisor"/>'s props: the epoch is the lease's fencing token;
/// the brain checks the lease before each send.</param>
public sealed record TraderHostSetup(string AccountId, string Address, Func<IBrainLease> Lease, Func<long, IBrainLease, Props> Brain)
{
    /// <summary>
    /// Children that live and die with the brain (the paper day's clock, the read-model projector, the console's
    /// trader-side control): (context, brain, lease) → started children. They are started once the brain is ready.
    /// </summary>
    public Action<IUntypedActorContext, IActorRef, IBrainLease>? Companions { get; init; }

    /// <summary>The trader side of console commands (<c>ControlCall</c>), given the brain; null: none.</summary>
    public Func<IActorRef, Props>? Control { get; init; }

    /// <summary>How often an acquire is tried while another owner holds the lease.</summary>
    public TimeSpan RetryAcquire { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A gap between two of the host's own ticks longer than this is a pause (SIGSTOP, a long GC, a suspended VM).</summary>
    public TimeSpan PauseTolerance { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>How long the brain may take to journal its epoch and start its children.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Publish <see cref="BrainStarted"/>/<see cref="BrainStopped"/> and alerts on the cluster's pub-sub (off in single-system tests).</summary>
    public bool UsePubSub { get; init; } = true;
}

/// <summary>Sent by the singleton manager to end this incarnation (hand-over, node leaving): stop the brain, release the lease.</summary>
public sealed record StopTrader
{
    public static readonly StopTrader Instance = new();
}

/// <summary>
/// The trading cluster singleton (role <c>trader</c>): holds the account's fencing lease and, while it does, the brain.
/// <list type="number">
/// <item>Acquires the lease (retrying while another owner holds it); its token is the epoch.</item>
/// <item>Starts the <see cref="TradingSupervisor"/> with that epoch — it persists the epoch first, recovers from the
/// shared journal, and its broker session announces the epoch to the broker (the fence) and reconciles before sending
/// anything — then the companions (the day's clock), and publishes <see cref="BrainStarted"/>.</item>
/// <item>On a lost lease, a fenced-out broker session, or a pause longer than <see cref="TraderHostSetup.PauseTolerance"/>
/// with the lease no longer valid: stops the brain at once (no catch-up tick acts), publishes <see cref="BrainStopped"/>,
/// waits for it to be gone (its journal must not have two writers), and goes back to acquiring.</item>
/// </list>
/// Every other message is forwarded to the brain (the singleton proxy delivers the node's commands here); messages
/// that arrive before the brain runs wait (stashed).
/// </summary>
public sealed class TraderHost : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly TraderHostSetup _s;
    private IBrainLease? _lease;
    private IActorRef _brain = ActorRefs.Nobody, _control = ActorRefs.Nobody;
    private long _epoch;
    private DateTime _readyDeadline;
    private BrainStarted? _started;
    private int _ticksSinceAnnounce;
    private bool _ready, _stopping;
    private DateTime _lastTick = DateTime.UtcNow;

    public IStash Stash { get; set; } = null!;
    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(TraderHostSetup setup) => Akka.Actor.Props.Create(() => new TraderHost(setup));

    public TraderHost(TraderHostSetup setup) => _s = setup;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(FencedOut));
        Context.System.EventStream.Subscribe(Self, typeof(RiskAlert));
        Timers.StartPeriodicTimer("tick", Tick.Instance, TimeSpan.FromMilliseconds(250));
        Self.Tell(TryAcquire.Instance);
    }

    protected override void PostStop()
    {
        Context.System.EventStream.Unsubscribe(Self);
        if (_lease is { } lease)
        {
            // Children are stopped before PostStop: the brain's journal writes are over, the next owner may begin.
            try { lease.ReleaseAsync().Wait(TimeSpan.FromSeconds(3)); }
            catch (Exception e) { _log.Warning("Releasing the trading lease of {0} failed: {1} (it lapses after its ttl)", _s.AccountId, e.GetBaseException().Message); }
        }
        if (_epoch > 0) Publish(new BrainStopped(_s.AccountId, _epoch, _s.Address, DateTime.UtcNow, "singleton stopped (hand-over or node leaving)"));
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Tick:
                OnTick();
                break;
            case TryAcquire when _brain.IsNobody() && !_stopping:
                Acquire();
                break;
            case TryAcquire:
                break;
            case Acquired a:
                StartBrain(a.Token);
                break;
            case NotAcquired n:
                if (n.Error is { } e) _log.Warning("Trading lease of {0} not acquired: {1}", _s.AccountId, e);
                Timers.StartSingleTimer("acquire", TryAcquire.Instance, _s.RetryAcquire);
                break;
            case LeaseLost l:
                if (l.Lease == _lease) StopBrain($"lease lost: {l.Why}");
                break;
            case FencedOut f when f.AccountId == _s.AccountId && f.Epoch == _epoch:
                StopBrain($"the broker has seen epoch {f.Highest}, above this brain's {f.Epoch}");
                break;
            case FencedOut:
                break;
            case NodeStatus st when Sender.Equals(_brain):
                OnBrainStatus(st);
                break;
            case ReadyCheck c when c.Brain.Equals(_brain) && !_ready:
                if (DateTime.UtcNow > _readyDeadline) StopBrain($"the brain did not start within {_s.ReadyTimeout.TotalSeconds:0} s");
                else _brain.Tell(GetNodeStatus.Instance);
                break;
            case ReadyCheck:
                break;
            case Status.Failure f when Sender.Equals(_brain) && !_ready:
                StopBrain($"the brain refused to start: {f.Cause.Message}");
                break;
            case Terminated t when t.ActorRef.Equals(_brain):
                OnBrainGone();
                break;
            case Terminated t when _ready && !_stopping:
                StopBrain($"{t.ActorRef.Path.Name} stopped; starting again from the journal");
                break;
            case Terminated:
                break;
            case RiskAlert alert:
                // The brain's alerts (raised on this node's event stream) to every node: consoles, the dashboard, the status.
                Publish(alert, ClusterPaths.AlertTopic);
                break;
            case StopTrader:
                _log.Info("Trading singleton of {0} stopping (hand-over): brain epoch {1}", _s.AccountId, _epoch);
                _stopping = true;
                Context.Stop(Self);
                break;
            case GetNodeStatus when !_ready:
                Sender.Tell(new NodeStatus(_s.AccountId, _epoch, false, null, []));
                break;
            default:
                if (!_ready) Stash.Stash();
                else if (IsControl(message) && !_control.IsNobody()) _control.Forward(message);
                else _brain.Forward(message);
                break;
        }
    }

    private static bool IsControl(object message) => message is Control.ControlCall;

    private void OnTick()
    {
        var now = DateTime.UtcNow;
        var gap = now - _lastTick;
        _lastTick = now;
        // Pub-sub is eventually consistent: a node that joined (or subscribed) after the start hears the primary at the
        // next announcement, every 2 s.
        if (_ready && ++_ticksSinceAnnounce >= 8)
        {
            _ticksSinceAnnounce = 0;
            Publish(_started!);
        }
        // After a pause every timer fires its missed ticks at once; the lease's local check is already false if the
        // pause outlived its ttl. Stop before any of those ticks can act (the broker session checks it too, per send).
        if (gap > _s.PauseTolerance && !_brain.IsNobody() && _lease is { } lease && !lease.CheckLease())
        {
            _log.Warning("Trading node of {0} was paused for {1:0.0} s and its lease is no longer valid: stopping the brain", _s.AccountId, gap.TotalSeconds);
            StopBrain($"paused {gap.TotalSeconds:0.0} s, lease no longer valid");
        }
    }

    private void Acquire()
    {
        var lease = _lease ??= _s.Lease();
        var self = Self;
        lease.TryAcquireAsync(e => self.Tell(new LeaseLost(lease, e?.Message ?? "renew refused or expired")))
            .ContinueWith(t => t.IsCompletedSuccessfully
                ? t.Result is { } token ? new Acquired(token) : (object)new NotAcquired(null)
                : new NotAcquired(t.Exception?.GetBaseException().Message ?? "cancelled"))
            .PipeTo(self);
    }

    private void StartBrain(long token)
    {
        if (!_brain.IsNobody() || _stopping || _lease is null) return;
        _epoch = token;
        _ready = false;
        _log.Info("Trading lease of {0} acquired with token {1}: starting the brain with epoch {1}", _s.AccountId, token);
        _brain = Context.ActorOf(_s.Brain(token, _lease), "brain");
        Context.Watch(_brain);
        _readyDeadline = DateTime.UtcNow + _s.ReadyTimeout;
        Self.Tell(new ReadyCheck(_brain));
    }

    private void OnBrainStatus(NodeStatus st)
    {
        if (_ready) return;
        if (st.Refused is { } why)
        {
            StopBrain($"the brain refused to start: {why}");
            return;
        }
        if (!st.Ready)
        {
            Timers.StartSingleTimer("ready", new ReadyCheck(_brain), TimeSpan.FromMilliseconds(50));
            return;
        }
        _ready = true;
        if (_s.Control is { } control) _control = Context.ActorOf(control(_brain), "control");
        _s.Companions?.Invoke(Context, _brain, _lease!);
        // A companion that stops (its journal refused a write: another brain's late write to the same stream after a
        // failover) takes the brain down with it; both start again from the journal as it now is.
        foreach (var child in Context.GetChildren().Where(c => !c.Equals(_brain) && !c.Equals(_control))) Context.Watch(child);
        var started = _started = new BrainStarted(_s.AccountId, _epoch, _s.Address, DateTime.UtcNow);
        _log.Info("Trading brain of {0} runs on {1} with epoch {2}", _s.AccountId, _s.Address, _epoch);
        Publish(started);
        Context.System.EventStream.Publish(started);
        Stash.UnstashAll();
    }

    /// <summary>Stops the brain and everything that lives with it; acquiring again starts once it is gone.</summary>
    private void StopBrain(string why)
    {
        if (_brain.IsNobody()) return;
        _log.Warning("Trading brain of {0} (epoch {1}) stops: {2}", _s.AccountId, _epoch, why);
        foreach (var child in Context.GetChildren()) Context.Stop(child);
        _ready = false;
        _control = ActorRefs.Nobody;
        var stopped = new BrainStopped(_s.AccountId, _epoch, _s.Address, DateTime.UtcNow, why);
        Publish(stopped);
        Context.System.EventStream.Publish(stopped);
        Context.System.EventStream.Publish(new RiskAlert(DateTime.Now, "failover", "cluster", $"brain of {_s.AccountId} on {_s.Address} (epoch {_epoch}) stopped: {why}", AccountId: _s.AccountId));
    }

    private void OnBrainGone()
    {
        _brain = ActorRefs.Nobody;
        _ready = false;
        if (_stopping) return;
        // A lost lease is not given back: the next acquire finds it held (or lapsed) by the database's judgement.
        var old = _lease;
        _lease = null;
        old?.ReleaseAsync().ContinueWith(_ => { });
        _epoch = 0;
        Timers.StartSingleTimer("acquire", TryAcquire.Instance, _s.RetryAcquire);
    }

    private void Publish(object message, string topic = ClusterPaths.StatusTopic)
    {
        if (_s.UsePubSub) DistributedPubSub.Get(Context.System).Mediator.Tell(new Publish(topic, message));
    }

    private sealed class Tick { public static readonly Tick Instance = new(); }
    private sealed class TryAcquire { public static readonly TryAcquire Instance = new(); }
    private sealed record Acquired(long Token);
    private sealed record NotAcquired(string? Error);
    private sealed record LeaseLost(IBrainLease Lease, string Why);
    private sealed record ReadyCheck(IActorRef Brain);
}
