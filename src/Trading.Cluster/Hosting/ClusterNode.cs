using Akka.Actor;

namespace Trading.Cluster.Hosting;

/// <summary>
/// What a clustered node starts, by role (called by <c>trading node</c> once the actor system runs): every node the
/// status actor and the proxy to the brain; traders the singleton manager whose singleton (<see cref="TraderHost"/>)
/// holds the lease and the brain.
/// </summary>
public static class ClusterNode
{
    /// <summary>A short id of this node for its own journal streams (alert and audit logs): host_port.</summary>
    public static string NodeId(ActorSystem system)
    {
        var a = Akka.Cluster.Cluster.Get(system).SelfAddress;
        return $"{a.Host}_{a.Port}";
    }

    /// <summary>
    /// Handles on the account's PostgreSQL fencing lease (<see cref="Lease.PostgresLease"/>, through Akka's
    /// <c>LeaseProvider</c>; its settings come from <see cref="ClusterHocon.Build"/>), owned by this node's address: a
    /// restarted node at the same address is the same owner (its dead incarnation cannot trade any more).
    /// </summary>
    public static Func<IBrainLease> PostgresLeases(ActorSystem system, ClusterSettings settings)
    {
        var owner = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
        return () =>
        {
            var lease = (Lease.PostgresLease)Akka.Coordination.LeaseProvider.Get(system).GetLease(settings.Lease.Name, Lease.PostgresLease.ConfigPath, owner);
            return new AkkaBrainLease(lease, () => lease.Token);
        };
    }

    /// <summary>
    /// The node's cluster config (<see cref="ClusterHocon.Build"/>), after reading what the node otherwise reads only once
    /// it runs (TLS files, the console's users file): a bad one is a one-line error at start.
    /// </summary>
    public static Akka.Configuration.Config Prepare(ClusterSettings settings)
    {
        var config = ClusterHocon.Build(settings);
        _ = Control.ControlSettings.From(settings.Control).LoadUsers();
        return config;
    }

    /// <summary>
    /// Status, proxy and the console's control endpoint (every role; registered with the cluster-client receptionist).
    /// <paramref name="audit"/>: where the endpoint's audit entries go (null: its own journal stream).
    /// </summary>
    public static void StartCommon(ActorSystem system, ClusterSettings settings, IActorRef? audit = null)
    {
        ClusterHocon.StartStatus(system, settings);
        var proxy = ClusterHocon.StartProxy(system);
        var control = Control.ControlSettings.From(settings.Control);
        Control.ControlEndpoint.Start(system, new Control.ControlEndpointSetup(proxy, control.LoadUsers(), control.AskTimeout) { Audit = audit });
    }

    /// <summary>
    /// A trader: status, proxy and the singleton manager. <paramref name="lease"/> makes a new handle on the account's
    /// fencing lease for each incarnation of the singleton; <paramref name="brain"/> builds the brain for an epoch;
    /// <paramref name="companions"/> start what lives with it (the day's clock, the projector).
    /// </summary>
    public static void StartTrader(ActorSystem system, ClusterSettings settings, string accountId, Func<IBrainLease> lease,
        Func<long, IBrainLease, Props> brain, Action<IUntypedActorContext, IActorRef, IBrainLease>? companions, Func<IActorRef, Props>? control = null)
    {
        StartCommon(system, settings);
        var address = Akka.Cluster.Cluster.Get(system).SelfAddress.ToString();
        ClusterHocon.StartSingleton(system, new TraderHostSetup(accountId, address, lease, brain) { Companions = companions, Control = control });
    }
}
