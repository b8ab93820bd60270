using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Trading.Runtime.Messages;

namespace Trading.Runtime.Actors;

/// <summary>
/// The audit trail of operator actions (persistence id <c>audit</c>, tag <c>audit</c>; read model <c>rm_audit</c>):
/// every <see cref="AuditEntry"/> published on the event stream or sent to it is journaled. Today the risk guard
/// publishes kill-switch engage and release and the position book deposits; a console command publishes its own.
/// Keeps no state: no replay on start.
/// </summary>
public sealed class AuditLogActor : ReceivePersistentActor
{
    public const string Id = "audit";
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public static Props Props() => Akka.Actor.Props.Create(() => new AuditLogActor());

    public AuditLogActor()
    {
        Command<AuditEntry>(a => PersistAsync(a, _ => { }));
        Command<Flush>(f => DeferAsync(f, _ => Sender.Tell(new StepDone(f.Step, "audit-log"))));
    }

    public override string PersistenceId => Id;

    public override Recovery Recovery => Recovery.None;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(AuditEntry));
        base.PreStart();
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Audit entry not journaled: {Entry}", @event);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }
}
