using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using Trading.Backtest.Sweeps;

namespace Trading.Cluster.Sweeps;

/// <summary>What a cluster sweep sends with every point, and how long it waits for workers.</summary>
/// <param name="PointTimeout">A point out on a worker for longer than this is given to another (the first answer wins).</param>
/// <param name="WorkerTimeout">How long the sweep waits while no worker is in the cluster before it gives up.</param>
/// <param name="Where">The seeds, for messages.</param>
public sealed record SweepJob(string SweepId, string StrategyFile, string StrategyHocon, string StoreFingerprint,
    TimeSpan PointTimeout, TimeSpan WorkerTimeout, string Where);

/// <summary>A cluster sweep that cannot go on (no workers, every worker refused, a point failed): one line for the user.</summary>
public sealed class ClusterSweepException(string message) : Exception(message);

/// <summary>
/// The sweeper's end of a cluster sweep (<see cref="SweepPaths.Coordinator"/>): offers the sweep to every
/// <c>worker</c> member, answers their requests from the queue of points (parking a request while the queue is
/// empty, so points given back later still find a worker), and tracks which point is out on which worker. A worker
/// that becomes unreachable, leaves, stops or holds a point past the point timeout has its points queued again; a
/// worker that refuses (another store) is dropped and its points go to the others. Answers for a point already
/// answered are ignored: the first wins, and every run of a point gives the same numbers anyway.
/// </summary>
public sealed class SweepCoordinator : ReceiveActor, IWithTimers
{
    private readonly IReadOnlyList<SweepPoint> _points;
    private readonly SweepJob _job;
    private readonly TaskCompletionSource<IReadOnlyList<SweepOutcome>> _result;
    private readonly IProgress<SweepOutcome>? _progress;
    private readonly Action<string>? _notice;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly SweepOutcome?[] _outcomes;
    private readonly string[] _pointJson;
    private readonly LinkedList<int> _pending = new();
    private readonly Dictionary<int, (IActorRef Worker, DateTime Since)> _out = new();
    private readonly List<IActorRef> _parked = [];
    private readonly HashSet<Address> _live = [], _excluded = [], _offered = [];
    private readonly List<string> _refusals = [];
    private int _done;

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IReadOnlyList<SweepPoint> points, SweepJob job, TaskCompletionSource<IReadOnlyList<SweepOutcome>> result,
        IProgress<SweepOutcome>? progress = null, Action<string>? notice = null) =>
        Akka.Actor.Props.Create(() => new SweepCoordinator(points, job, result, progress, notice));

    public SweepCoordinator(IReadOnlyList<SweepPoint> points, SweepJob job, TaskCompletionSource<IReadOnlyList<SweepOutcome>> result,
        IProgress<SweepOutcome>? progress, Action<string>? notice)
    {
        _points = points;
        _job = job;
        _result = result;
        _progress = progress;
        _notice = notice;
        _outcomes = new SweepOutcome?[points.Count];
        _pointJson = points.Select(p => JsonSerializer.Serialize(p, ProcessSweep.Json)).ToArray();
        foreach (var p in points) _pending.AddLast(p.Index);

        Receive<ClusterEvent.MemberUp>(e => { if (IsWorker(e.Member)) Join(e.Member.Address); });
        Receive<ClusterEvent.ReachableMember>(e => { if (IsWorker(e.Member) && e.Member.Status == MemberStatus.Up) Join(e.Member.Address); });
        Receive<ClusterEvent.UnreachableMember>(e => { if (IsWorker(e.Member)) Lose(e.Member.Address, "unreachable"); });
        Receive<ClusterEvent.MemberRemoved>(e => { if (IsWorker(e.Member)) Lose(e.Member.Address, "removed from the cluster"); });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.IReachabilityEvent>(_ => { });
        Receive<Terminated>(t => Lose(t.ActorRef.Path.Address, "its sweep worker stopped", keepLive: true));

        Receive<SweepPointRequest>(r =>
        {
            if (r.SweepId != _job.SweepId) return;
            if (_excluded.Contains(Sender.Path.Address)) { Sender.Tell(new SweepClosed(_job.SweepId)); return; }
            Context.Watch(Sender);
            _parked.Add(Sender);
            Dispatch();
        });
        Receive<SweepPointDone>(d =>
        {
            if (d.SweepId != _job.SweepId || d.Index < 0 || d.Index >= _points.Count) return;
            if (_out.TryGetValue(d.Index, out var o) && o.Worker.Equals(Sender)) _out.Remove(d.Index);
            if (_outcomes[d.Index] is not null) return; // a point given out twice: the first answer won
            SweepOutcome outcome;
            try { outcome = JsonSerializer.Deserialize<SweepOutcome>(d.OutcomeJson, ProcessSweep.Json) ?? throw new JsonException("empty outcome"); }
            catch (JsonException e) { Fail($"worker {d.Worker} answered point {_points[d.Index].Label} with a malformed outcome: {e.Message}"); return; }
            _outcomes[d.Index] = outcome with { Point = _points[d.Index] };
            _out.Remove(d.Index);
            _pending.Remove(d.Index);
            _done++;
            _progress?.Report(_outcomes[d.Index]!);
            if (_done == _points.Count) Finish();
        });
        Receive<SweepPointRefused>(r =>
        {
            if (r.SweepId != _job.SweepId) return;
            var address = Sender.Path.Address;
            _refusals.Add(r.Reason);
            _excluded.Add(address);
            Sender.Tell(new SweepClosed(_job.SweepId));
            Lose(address, "refused");
            _notice?.Invoke($"{r.Reason}; its points go to the other workers");
        });
        Receive<SweepPointFailed>(f =>
        {
            if (f.SweepId != _job.SweepId || f.Index < 0 || f.Index >= _points.Count || _outcomes[f.Index] is not null) return;
            Fail($"point {_points[f.Index].Label} failed on {f.Worker}: {f.Reason}");
        });
        Receive<CheckTimeouts>(_ =>
        {
            var now = DateTime.UtcNow;
            foreach (var (index, o) in _out.Where(x => now - x.Value.Since > _job.PointTimeout).ToList())
            {
                _out.Remove(index);
                _pending.AddFirst(index);
                _notice?.Invoke($"point {_points[index].Label} took longer than {_job.PointTimeout.TotalSeconds:0}s on {o.Worker.Path.Address}; giving it to another worker too");
            }
            Dispatch();
        });
        Receive<NoWorkers>(_ =>
        {
            if (_live.Count > 0) return;
            Fail(_refusals.Count > 0 ? $"every worker refused the sweep: {string.Join("; ", _refusals.Distinct())}"
                : _done == 0 && _offered.Count == 0 ? $"no worker nodes in the cluster at {_job.Where} (waited {_job.WorkerTimeout.TotalSeconds:0}s for a member with role 'worker')"
                : $"no worker nodes left in the cluster at {_job.Where} ({_done} of {_points.Count} points done; waited {_job.WorkerTimeout.TotalSeconds:0}s)");
        });
        Receive<Cancel>(_ => { CloseWorkers(); Context.Stop(Self); });
    }

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        var tick = TimeSpan.FromTicks(Math.Clamp(_job.PointTimeout.Ticks / 4, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(5).Ticks));
        Timers.StartPeriodicTimer("timeouts", CheckTimeouts.Instance, tick);
        Timers.StartSingleTimer("no-workers", NoWorkers.Instance, _job.WorkerTimeout);
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        _result.TrySetCanceled();
    }

    private static bool IsWorker(Member m) => m.HasRole(SweepPaths.WorkerRole);

    private void Join(Address address)
    {
        if (_excluded.Contains(address)) return;
        _live.Add(address);
        _offered.Add(address);
        Timers.Cancel("no-workers");
        _log.Info("Sweep {0}: offering {1} points to worker {2}", _job.SweepId, _points.Count - _done, address);
        Context.ActorSelection(new RootActorPath(address) / "user" / "sweep-worker").Tell(new SweepOffer(_job.SweepId), Self);
    }

    /// <summary>A worker gone (or refusing): its points queued again at the front, its parked requests dropped.</summary>
    private void Lose(Address address, string why, bool keepLive = false)
    {
        if (!keepLive) _live.Remove(address);
        _parked.RemoveAll(r => r.Path.Address.Equals(address));
        var back = _out.Where(x => x.Value.Worker.Path.Address.Equals(address)).Select(x => x.Key).ToList();
        foreach (var index in back)
        {
            _out.Remove(index);
            _pending.AddFirst(index);
        }
        if (back.Count > 0)
        {
            _log.Warning("Sweep {0}: worker {1} {2}; {3} point(s) queued again", _job.SweepId, address, why, back.Count);
            if (why != "refused") _notice?.Invoke($"worker {address} {why}: {back.Count} point(s) go to other workers");
        }
        if (_live.Count == 0 && _done < _points.Count)
        {
            if (_refusals.Count > 0 && _offered.All(_excluded.Contains)) Self.Tell(NoWorkers.Instance);
            else Timers.StartSingleTimer("no-workers", NoWorkers.Instance, _job.WorkerTimeout);
        }
        Dispatch();
    }

    private void Dispatch()
    {
        while (_parked.Count > 0 && _pending.First is { } first)
        {
            var worker = _parked[0];
            _parked.RemoveAt(0);
            var index = first.Value;
            _pending.RemoveFirst();
            if (_outcomes[index] is not null) { _parked.Insert(0, worker); continue; }
            _out[index] = (worker, DateTime.UtcNow);
            worker.Tell(new SweepWork(_job.SweepId, index, _pointJson[index], _job.StrategyFile, _job.StrategyHocon, _job.StoreFingerprint));
        }
    }

    private void Finish()
    {
        CloseWorkers();
        _result.TrySetResult(_outcomes.Select(o => o!).ToList());
        Context.Stop(Self);
    }

    private void Fail(string message)
    {
        CloseWorkers();
        _result.TrySetException(new ClusterSweepException(message));
        Context.Stop(Self);
    }

    private void CloseWorkers()
    {
        foreach (var address in _offered)
            Context.ActorSelection(new RootActorPath(address) / "user" / "sweep-worker").Tell(new SweepClosed(_job.SweepId), Self);
    }

    private sealed record CheckTimeouts { public static readonly CheckTimeouts Instance = new(); }
    private sealed record NoWorkers { public static readonly NoWorkers Instance = new(); }

    /// <summary>Stop the sweep (Ctrl-C): the workers are told to drop its points.</summary>
    public sealed record Cancel { public static readonly Cancel Instance = new(); }
}
