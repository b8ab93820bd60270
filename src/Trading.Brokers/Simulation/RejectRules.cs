namespace Trading.Brokers;

/// <summary>
/// The rule a rejection broke: the first word of <see cref="OrderRejected.Reason"/>, before a colon
/// (e.g. <c>lot: buy quantity 150 …</c>), so the runtime can record the rule and the text apart.
/// </summary>
public static class RejectRules
{
    public const string Epoch = "epoch";
    public const string Closed = "closed";
    public const string TradeDate = "trade-date";
    public const string OrderType = "order-type";
    public const string Quantity = "quantity";
    public const string Price = "price";
    public const string Tick = "tick";
    public const string Suspended = "suspended";
    public const string PriceLimit = "price-limit";
    public const string MaxSize = "max-size";
    public const string Lot = "lot";
    public const string Cash = "cash";
    public const string Position = "position";

    /// <summary>The rule of a reason written as <c>rule: text</c>.</summary>
    public static string Of(string reason)
    {
        int colon = reason.IndexOf(':');
        return colon > 0 ? reason[..colon] : "";
    }
}
