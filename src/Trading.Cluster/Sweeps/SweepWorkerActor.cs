using System.Text.Json;
using Akka.Actor;
using Akka.Event;
using Trading.Backtest.Sweeps;
using Trading.Data.Panel;
using Trading.Data.Store;
using Trading.Runtime.Configuration;
using Trading.Runtime.Strategy;

namespace Trading.Cluster.Sweeps;

/// <summary>
/// A worker node's end of a cluster sweep (<see cref="SweepPaths.Worker"/>). Work pulling: offered a sweep, it asks
/// the sweeper's coordinator for as many points as it has free slots, runs each in-process through
/// <see cref="SweepRunner.RunPointAsync"/> (the code path of a worker process: the panel loaded once per store
/// version and reused), answers the outcome and asks again. Pulling rather than pushing lets a fast worker take
/// more points and leaves nothing queued on a worker that dies. Before a point runs, its store fingerprint must
/// match this node's store: a worker with other data refuses rather than computing other numbers.
/// One sweep at a time; an offer from a second sweeper waits until the first closes.
/// </summary>
public sealed class SweepWorkerActor : ReceiveActor
{
    private readonly SweepWorkerOptions _options;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PointRunner _runner;
    private readonly Queue<(IActorRef Coordinator, string SweepId)> _offers = new();
    private readonly Queue<SweepWork> _queued = new();
    private IActorRef? _coordinator;
    private string? _sweepId;
    private CancellationTokenSource? _cts;
    private int _running, _requested;

    public static Props Props(SweepWorkerOptions options) => Akka.Actor.Props.Create(() => new SweepWorkerActor(options));

    public SweepWorkerActor(SweepWorkerOptions options)
    {
        _options = options;
        _runner = new PointRunner(options.Store);
        Receive<SweepOffer>(o =>
        {
            if (_sweepId == o.SweepId && _coordinator is not null)
            {
                _requested = 0; // offered again (e.g. reachable again): earlier requests may have been dropped
                Fill();
            }
            else if (_sweepId is null) Start(Sender, o.SweepId);
            else if (!_offers.Any(x => x.SweepId == o.SweepId)) _offers.Enqueue((Sender, o.SweepId));
        });
        Receive<SweepWork>(w =>
        {
            if (w.SweepId != _sweepId) return;
            _requested = Math.Max(0, _requested - 1);
            if (_running < _options.MaxPointsInFlight) Run(w);
            else _queued.Enqueue(w);
        });
        Receive<Finished>(f =>
        {
            _running--;
            if (f.SweepId != _sweepId) return;
            _coordinator!.Tell(f.Answer);
            if (f.Answer is SweepPointRefused) return; // the coordinator closes this sweep here
            if (_queued.TryDequeue(out var next)) Run(next);
            else Fill();
        });
        Receive<SweepClosed>(c => { if (c.SweepId == _sweepId) Close(); });
        Receive<Terminated>(t => { if (t.ActorRef.Equals(_coordinator)) Close(); });
    }

    private void Start(IActorRef coordinator, string sweepId)
    {
        _coordinator = coordinator;
        _sweepId = sweepId;
        _cts = new CancellationTokenSource();
        _requested = 0;
        Context.Watch(coordinator);
        _log.Info("Sweep {0}: taking points from {1}", sweepId, coordinator.Path.Address);
        Fill();
    }

    private void Fill()
    {
        while (_running + _queued.Count + _requested < _options.MaxPointsInFlight)
        {
            _coordinator!.Tell(new SweepPointRequest(_sweepId!));
            _requested++;
        }
    }

    private void Run(SweepWork work)
    {
        _running++;
        var self = Self;
        var worker = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();
        var ct = _cts!.Token;
        _ = Task.Run(async () =>
        {
            object answer;
            try { answer = await _runner.RunAsync(work, worker, ct); }
            catch (Exception e) { answer = new SweepPointFailed(work.SweepId, work.Index, $"{e.GetType().Name}: {e.Message}", worker); }
            self.Tell(new Finished(work.SweepId, answer));
        });
    }

    private void Close()
    {
        _log.Info("Sweep {0}: closed", _sweepId);
        _cts?.Cancel();
        if (_coordinator is not null) Context.Unwatch(_coordinator);
        _coordinator = null;
        _sweepId = null;
        _queued.Clear();
        _requested = 0;
        if (_offers.TryDequeue(out var next)) Start(next.Coordinator, next.SweepId);
    }

    private sealed record Finished(string SweepId, object Answer);

    /// <summary>
    /// Runs points against this node's store: the panel, index and fingerprint loaded once per store version (a
    /// version written by an import while the node runs is picked up at the next point), strategies parsed once.
    /// Thread-safe: points of one worker run concurrently.
    /// </summary>
    private sealed class PointRunner(string? storePath)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private (string Version, MarketPanel Panel, IReadOnlyList<Data.Model.IndexBar> Index, string Fingerprint, Trading.Research.Factors.FactorBook Book)? _loaded;
        private (string File, string Text, StrategyConfig Config)? _strategy;

        public async Task<object> RunAsync(SweepWork w, string worker, CancellationToken ct)
        {
            if (storePath is null)
                return new SweepPointRefused(w.SweepId, w.Index, $"worker {worker} has no store: set trading.cluster.sweep.store in its config", worker);
            (MarketPanel Panel, IReadOnlyList<Data.Model.IndexBar> Index, string Fingerprint, Trading.Research.Factors.FactorBook Book) data;
            StrategyConfig baseConfig;
            await _gate.WaitAsync(ct);
            try
            {
                MarketStore store;
                try { store = MarketStore.Open(storePath); }
                catch (StoreException e) { return new SweepPointRefused(w.SweepId, w.Index, $"worker {worker}: {e.Message}", worker); }
                if (_loaded is not { } l || l.Version != store.VersionDirectory)
                {
                    var fingerprint = StoreFingerprint.Of(store);
                    var panel = await MarketPanel.LoadAsync(store, ct);
                    // The points this worker runs share their factor values (see SweepRunner).
                    _loaded = l = (store.VersionDirectory, panel, await store.ReadIndexAsync(ct), fingerprint, new Trading.Research.Factors.FactorBook(panel));
                }
                data = (l.Panel, l.Index, l.Fingerprint, l.Book);
                if (_strategy is not { } s || s.File != w.StrategyFile || s.Text != w.StrategyHocon)
                    _strategy = s = (w.StrategyFile, w.StrategyHocon, StrategyConfig.Parse(HoconFile.Parse(w.StrategyHocon, w.StrategyFile), w.StrategyFile));
                baseConfig = s.Config;
            }
            finally { _gate.Release(); }
            if (data.Fingerprint != w.StoreFingerprint)
                return new SweepPointRefused(w.SweepId, w.Index,
                    $"worker {worker}: its store {storePath} (fingerprint {data.Fingerprint[..12]}) holds other data than the sweeper's (fingerprint {w.StoreFingerprint[..Math.Min(12, w.StoreFingerprint.Length)]}); refusing rather than computing different numbers",
                    worker);
            var point = JsonSerializer.Deserialize<SweepPoint>(w.PointJson, ProcessSweep.Json) ?? throw new FormatException("empty sweep point");
            var outcome = await SweepRunner.RunPointAsync(point, baseConfig, data.Panel, data.Index, ct, data.Book);
            return new SweepPointDone(w.SweepId, w.Index, JsonSerializer.Serialize(outcome, ProcessSweep.Json), worker);
        }
    }
}
