using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Tools.PublishSubscribe;
using Akka.Event;
using Trading.Runtime.Messages;

namespace Trading.Cluster.Hosting;

/// <summary>
/// <c>/user/cluster-status</c> on every node: the cluster as this node sees it (members, reachability, leader), the
/// primary (the node whose brain last started: <see cref="BrainStarted"/> on the status topic), its epoch, the last
/// failover (a change of primary, or a brain that stopped), and the broker link (the brain's broker-link alerts on
/// the alert topic). Answers <see cref="GetClusterStatus"/> for the console, the dashboard and the health endpoint,
/// and carries out <see cref="RequestHandOver"/>: the primary leaves the cluster gracefully, so the singleton moves to
/// the next oldest trader (its brain stops and releases the lease first).
/// </summary>
public sealed class ClusterStatusActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly string _role;
    private string? _account, _primary, _lastPrimary, _lastFailover;
    private long _epoch;
    private DateTime? _since, _lastFailoverAt;
    private string _link = "unknown";

    public static Props Props(string role) => Akka.Actor.Props.Create(() => new ClusterStatusActor(role));

    public ClusterStatusActor(string role)
    {
        _role = role;
        Receive<BrainStarted>(OnStarted);
        Receive<BrainStopped>(s =>
        {
            if (s.Address != _primary || s.Epoch != _epoch) return;
            _lastFailoverAt = s.At;
            _lastFailover = $"brain on {s.Address} (epoch {s.Epoch}) stopped: {s.Reason}";
            _lastPrimary = _primary;
            _primary = null;
        });
        Receive<RiskAlert>(a =>
        {
            if (a.Kind == "broker-link-down") _link = $"down since {a.At:HH:mm:ss}: {a.Message}";
            else if (a.Kind == "broker-link-up") _link = "up";
        });
        Receive<ClusterEvent.UnreachableMember>(m =>
        {
            if (m.Member.Address.ToString() == _primary) _lastFailover = $"primary {_primary} unreachable at {DateTime.Now:HH:mm:ss}";
        });
        Receive<ClusterEvent.MemberUp>(m =>
        {
            if (m.Member.Address.Equals(_cluster.SelfAddress)) Context.System.EventStream.Publish(new NodeUp(m.Member.Address.ToString(), _role));
        });
        Receive<ClusterEvent.IMemberEvent>(_ => { });
        Receive<ClusterEvent.ReachableMember>(_ => { });
        Receive<SubscribeAck>(_ => { });
        Receive<GetClusterStatus>(_ => Sender.Tell(View()));
        Receive<RequestHandOver>(OnHandOver);
    }

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents,
            typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.UnreachableMember), typeof(ClusterEvent.ReachableMember));
        var mediator = DistributedPubSub.Get(Context.System).Mediator;
        mediator.Tell(new Subscribe(ClusterPaths.StatusTopic, Self));
        mediator.Tell(new Subscribe(ClusterPaths.AlertTopic, Self));
        // The brain on this node publishes locally too (pub-sub reaches the other nodes only after gossip).
        Context.System.EventStream.Subscribe(Self, typeof(BrainStarted));
        Context.System.EventStream.Subscribe(Self, typeof(BrainStopped));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void OnStarted(BrainStarted s)
    {
        if (s.Epoch < _epoch) return; // an older brain's late news
        if (s.Epoch == _epoch && s.Address == _primary) return; // heard twice (pub-sub and the local stream)
        if (_primary is { } current && current != s.Address || _lastFailover is not null && _primary is null && _epoch > 0)
        {
            _lastFailoverAt = s.At;
            var before = _primary ?? _lastPrimary;
            _lastFailover = $"{before ?? "(none)"} → {s.Address}, epoch {_epoch} → {s.Epoch}";
            // A change of primary, raised once, where the new brain runs (its notifier sends it).
            if (s.Address == _cluster.SelfAddress.ToString())
                Context.System.EventStream.Publish(new RiskAlert(DateTime.Now, "failover", "cluster",
                    $"account {s.AccountId} now trades on {s.Address} with epoch {s.Epoch} (before: {before ?? "none"})", AccountId: s.AccountId));
        }
        _account = s.AccountId;
        if (_primary != s.Address) _link = "no outage reported since the brain started";
        _primary = s.Address;
        _epoch = s.Epoch;
        _since = s.At;
    }

    private ClusterStatusView View()
    {
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var members = state.Members
            .Select(m => new ClusterMemberView(m.Address.ToString(), m.Roles.Order(StringComparer.Ordinal).ToArray(), m.Status.ToString(),
                !unreachable.Contains(m.Address), m.Address.ToString() == _primary))
            .ToArray();
        return new ClusterStatusView(_cluster.SelfAddress.ToString(), _role, members, state.Leader?.ToString(), _account, _primary, _epoch, _since,
            _lastFailoverAt, _lastFailover, _primary is null ? "no brain" : _link);
    }

    private void OnHandOver(RequestHandOver r)
    {
        var state = _cluster.State;
        if (_primary is not { } primary)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException("no trading brain is running: nothing to hand over")));
            return;
        }
        var from = state.Members.FirstOrDefault(m => m.Address.ToString() == primary);
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var standby = state.Members.Where(m => m.Status == MemberStatus.Up && m.HasRole(ClusterSettings.RoleName(ClusterRole.Trader))
            && m.Address.ToString() != primary && !unreachable.Contains(m.Address)).ToArray();
        if (from is null)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException($"the primary {primary} is not a member any more")));
            return;
        }
        if (standby.Length == 0)
        {
            Sender.Tell(new Status.Failure(new InvalidOperationException("no standby trader is up and reachable to take over")));
            return;
        }
        _log.Warning("Hand-over requested by {0}: primary {1} leaves the cluster, {2} takes over", r.By, primary, standby[0].Address);
        _cluster.Leave(from.Address);
        Sender.Tell(new HandOverStarted(primary, $"{primary} leaves the cluster; a standby ({string.Join(", ", standby.Select(s => s.Address))}) takes over"));
    }
}
