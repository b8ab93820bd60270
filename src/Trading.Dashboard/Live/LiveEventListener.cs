using Akka.Actor;
using Trading.Backtest.Paper;
using Trading.Cluster.Hosting;
using Trading.Runtime.Messages;

namespace Trading.Dashboard.Live;

/// <summary>
/// Listens on the node's event stream for what the page should show at once, before the read models have it (an alert
/// is journaled, then projected in batches) or when they never will (a brain starting elsewhere): alerts of this account,
/// brains started and stopped, members up, paper-day jobs. Each becomes a <see cref="LiveEvent"/> and a read of the
/// read models now.
/// </summary>
public sealed class LiveEventListener : ReceiveActor
{
    public static Props Props(ILiveFeed feed, string accountId) => Akka.Actor.Props.Create(() => new LiveEventListener(feed, accountId));

    public LiveEventListener(ILiveFeed feed, string accountId)
    {
        void Push(LiveEvent e)
        {
            feed.Publish(e);
            feed.Refresh();
        }

        Receive<RiskAlert>(a => a.AccountId is null || a.AccountId == accountId,
            a => Push(new LiveEvent(a.Kind, a.At, SnapshotBuilder.SeverityOf(a.Kind), a.Source, a.Message)));
        Receive<BrainStarted>(b => Push(new LiveEvent("brain-started", b.At, "info", b.Address, $"brain of {b.AccountId} started on {b.Address}, epoch {b.Epoch}")));
        Receive<BrainStopped>(b => Push(new LiveEvent("brain-stopped", b.At, "warning", b.Address,
            $"brain of {b.AccountId} on {b.Address} (epoch {b.Epoch}) stopped: {b.Reason}")));
        Receive<NodeUp>(n => Push(new LiveEvent("node-up", DateTime.Now, "info", n.Address, $"{n.Role} node {n.Address} is up")));
        Receive<PaperDayEvent>(p => p.AccountId == accountId,
            p => Push(new LiveEvent("paper-day", DateTime.Now, "info", "paper-day", $"{p.Day:yyyy-MM-dd} {p.Job}: {p.Detail}")));
    }

    protected override void PreStart()
    {
        var stream = Context.System.EventStream;
        stream.Subscribe(Self, typeof(RiskAlert));
        stream.Subscribe(Self, typeof(BrainStarted));
        stream.Subscribe(Self, typeof(BrainStopped));
        stream.Subscribe(Self, typeof(NodeUp));
        stream.Subscribe(Self, typeof(PaperDayEvent));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
}
