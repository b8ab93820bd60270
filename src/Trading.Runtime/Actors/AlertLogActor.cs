using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Actors;

/// <summary>
/// Journals every <see cref="RiskAlert"/> published on the event stream (persistence id <c>alerts</c>, tag
/// <c>alert</c>), so a node's alerts outlive it and reach the read model <c>rm_alerts</c>. Keeps no state: it skips
/// replay on start (only the highest sequence number is read). Written with PersistAsync — an alert never holds up
/// the next one, and a burst (a whole batch rejected) goes to the journal in few writes. Only for a node with a
/// durable journal; backtests keep their alerts in their own output.
/// </summary>
public sealed class AlertLogActor : ReceivePersistentActor
{
    public const string Id = "alerts";
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public static Props Props() => Akka.Actor.Props.Create(() => new AlertLogActor());

    public AlertLogActor()
    {
        Command<RiskAlert>(a => PersistAsync(a, _ => { }));
        Command<Flush>(f => DeferAsync(f, _ => Sender.Tell(new StepDone(f.Step, "alert-log"))));
    }

    public override string PersistenceId => Id;

    public override Recovery Recovery => Recovery.None;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(RiskAlert));
        base.PreStart();
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Alert not journaled: {Alert}", @event);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
