using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Actors;

/// <summary>
/// Journals every <see cref="RiskAlert"/> published on the event stream (persistence id <c>alerts</c>, tag
/// <c>alert</c>), so a node's alerts outlive it and reach the read model <c>rm_alerts</c>. Only for a node with a
/// durable journal; backtests keep their alerts in their own output.
/// </summary>
public static class AlertLogActor
{
    public const string Id = "alerts";

    public static Props Props() => EventLogActor.Props(Id, typeof(RiskAlert), "alert-log");
}

/// <summary>
/// The audit trail of operator actions (persistence id <c>audit</c>, tag <c>audit</c>; read model <c>rm_audit</c>):
/// every <see cref="AuditEntry"/> published on the event stream or sent to it is journaled. Today the risk guard
/// publishes kill-switch engage and release and the position book deposits; a console command publishes its own.
/// </summary>
public static class AuditLogActor
{
    public const string Id = "audit";

    public static Props Props() => EventLogActor.Props(Id, typeof(AuditEntry), "audit-log");
}

/// <summary>
/// Journals every message of one type published on the event stream (or sent to it) under one persistence id. Keeps
/// no state: it skips replay on start (only the highest sequence number is read). Written with PersistAsync — an
/// entry never holds up the next one, and a burst (a whole batch rejected) goes to the journal in few writes.
/// <see cref="Flush"/> is answered once everything before it is journaled. Without <c>subscribe</c> it journals only
/// what is sent to it (the console endpoint's own audit trail, which must not take in the node's other entries).
/// </summary>
public sealed class EventLogActor : ReceivePersistentActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Type _type;
    private readonly string _name;
    private readonly bool _subscribe;

    public static Props Props(string persistenceId, Type type, string name, bool subscribe = true) =>
        Akka.Actor.Props.Create(() => new EventLogActor(persistenceId, type, name, subscribe));

    public EventLogActor(string persistenceId, Type type, string name, bool subscribe = true)
    {
        PersistenceId = persistenceId;
        _type = type;
        _name = name;
        _subscribe = subscribe;
        Command<Flush>(f => DeferAsync(f, _ => Sender.Tell(new StepDone(f.Step, _name))));
        CommandAny(m =>
        {
            if (_type.IsInstanceOfType(m)) PersistAsync(m, _ => { });
            else Unhandled(m);
        });
    }

    public override string PersistenceId { get; }

    public override Recovery Recovery => Recovery.None;

    protected override void PreStart()
    {
        if (_subscribe) Context.System.EventStream.Subscribe(Self, _type);
        base.PreStart();
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "{0}: not journaled: {1}", _name, @event);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
