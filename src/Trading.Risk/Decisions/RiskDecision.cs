namespace Trading.Risk;

/// <summary>
/// A rule's verdict on one order: <see cref="Accept"/>, <see cref="Shrink"/> to a smaller quantity, or
/// <see cref="Reject"/>. A shrink or a rejection names its rule and gives a reason with the numbers behind it.
/// </summary>
public abstract record RiskDecision
{
    private RiskDecision() { }

    /// <summary>The rule has no objection.</summary>
    public sealed record Accept : RiskDecision
    {
        public static Accept Instance { get; } = new();
    }

    /// <summary>The order may go with <paramref name="NewQuantity"/> shares (fewer than asked, a valid quantity for its board).</summary>
    public sealed record Shrink(long NewQuantity, string Rule, string Reason) : RiskDecision;

    /// <summary>The order must not go.</summary>
    public sealed record Reject(string Rule, string Reason) : RiskDecision;

    public static RiskDecision Accepted => Accept.Instance;
}

/// <summary>
/// One pre-trade check. Rules are stateless: their parameters come in the constructor; everything that changes
/// (account, quotes, counters, time) comes in the <see cref="RiskContext"/>. One rule, one small class.
/// </summary>
public interface IPreTradeRule
{
    /// <summary>The name a rejection carries, e.g. <c>position-weight</c>.</summary>
    string Name { get; }

    RiskDecision Check(OrderRequest order, RiskContext context);
}
