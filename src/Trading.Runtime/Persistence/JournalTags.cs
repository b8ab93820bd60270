using System.Collections.Immutable;
using Akka.Persistence.Journal;
using Trading.Runtime.State;

namespace Trading.Runtime.Persistence;

/// <summary>
/// Tags every event a durable journal writes by kind, for Akka.Persistence.Query's EventsByTag (the read models,
/// <see cref="ReadModels.ReadModelProjector"/>): <c>order</c> (every OMS event), <c>fill</c> (an OMS fill report),
/// <c>position</c> (every book event), <c>nav</c> (a mark to market), <c>risk</c>, <c>alert</c>, <c>audit</c>, <c>parent</c>
/// (the execution manager's and its algos' events: parent orders and how they were worked). The
/// payload is written exactly as before (the tags go to the plugin's tag table, not into the row's bytes). No
/// <c>account:{id}</c> tag: an event does not carry its account, the persistence id does (<c>orders-{account}</c>),
/// and every envelope a query returns has it. Bound for the SQL journal in hocon/persistence.sqlite.conf and
/// persistence.postgres.conf only — backtests' in-memory journal writes untagged events.
/// </summary>
public sealed class JournalTagger : IWriteEventAdapter
{
    public const string Order = "order", Fill = "fill", Position = "position", Nav = "nav", Risk = "risk", Alert = "alert", Audit = "audit",
        Parent = "parent";

    /// <summary>Every tag, in the order the projector and <c>trading journal inspect</c> list them.</summary>
    public static readonly ImmutableArray<string> All = [Order, Fill, Position, Nav, Risk, Alert, Audit, Parent];

    private static readonly ImmutableHashSet<string> OrderTags = [Order], FillTags = [Order, Fill], PositionTags = [Position],
        NavTags = [Position, Nav], RiskTags = [Risk], AlertTags = [Alert], AuditTags = [Audit], ParentTags = [Parent];

    public string Manifest(object evt) => string.Empty;

    public object ToJournal(object evt) => TagsOf(evt) is { } tags ? new Tagged(evt, tags) : evt;

    /// <summary>The tags of one event; null for anything else (snapshots never pass here).</summary>
    public static ImmutableHashSet<string>? TagsOf(object evt) => evt switch
    {
        OrderFillReported => FillTags,
        OrderEvent => OrderTags,
        PricesMarked => NavTags,
        BookEvent => PositionTags,
        Trading.Risk.RiskEvent => RiskTags,
        Messages.RiskAlert => AlertTags,
        Messages.AuditEntry => AuditTags,
        Execution.AlgoEvent => ParentTags,
        _ => null,
    };
}
