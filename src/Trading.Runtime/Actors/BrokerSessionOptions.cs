using Akka.Configuration;
using Trading.Runtime.Clock;
using Trading.Runtime.Configuration;

namespace Trading.Runtime.Actors;

/// <summary>
/// The broker session's timings, from the <c>trading.broker</c> block of hocon/base.conf. Every gateway call runs
/// under one of the timeouts; <see cref="Heartbeat"/> zero means no heartbeat (backtests).
/// </summary>
public sealed record BrokerSessionOptions
{
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan ReconnectMinBackoff { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan ReconnectMaxBackoff { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan SubmitTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan CancelTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan ReplayTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After the orders, reconcile positions and cash too (off in backtests: the exchange and the book move in lockstep).</summary>
    public bool ReconcileAccount { get; init; } = true;

    /// <summary>What to do with orders the broker has that no client of this system placed: halt new orders, or adopt them.</summary>
    public UnknownDifferencePolicy UnknownDifferences { get; init; } = UnknownDifferencePolicy.Halt;

    /// <summary>Cash may differ by this much (CNY) before it counts as a difference.</summary>
    public decimal CashTolerance { get; init; } = 0.01m;

    /// <summary>
    /// A difference must still be there after this many looks, <see cref="AccountCheckInterval"/> apart, before it halts:
    /// a fill on its way between the broker's answer and the book is not a difference.
    /// </summary>
    public int AccountCheckAttempts { get; init; } = 3;

    public TimeSpan AccountCheckInterval { get; init; } = TimeSpan.FromSeconds(1);

    public static BrokerSessionOptions Default { get; } = new();

    public const string Key = "trading.broker";

    public static readonly IReadOnlyCollection<string> KnownKeys =
    [
        "heartbeat-interval", "reconnect-min-backoff", "reconnect-max-backoff", "connect-timeout", "submit-timeout",
        "cancel-timeout", "query-timeout", "replay-timeout", "reconcile-account", "unknown-differences", "cash-tolerance",
        "account-check-attempts", "account-check-interval",
    ];

    /// <summary>The <c>trading.broker</c> block of <paramref name="root"/> (defaults when absent), read strictly.</summary>
    public static BrokerSessionOptions From(Config root, string file = "hocon/base.conf")
    {
        var b = ConfigBlock.Root(root, file).Block(Key, KnownKeys);
        if (b is null) return Default;
        var d = Default;
        TimeSpan Read(string key, TimeSpan fallback, int max = 600) =>
            b.Text(key) is { } t ? TradingSchedule.Duration(b, key, t, 1, max) : fallback;
        var o = new BrokerSessionOptions
        {
            Heartbeat = b.Text("heartbeat-interval") is { } h
                ? h.Trim().Equals("off", StringComparison.OrdinalIgnoreCase) ? TimeSpan.Zero : TradingSchedule.Duration(b, "heartbeat-interval", h, 1, 600)
                : d.Heartbeat,
            ReconnectMinBackoff = Read("reconnect-min-backoff", d.ReconnectMinBackoff),
            ReconnectMaxBackoff = Read("reconnect-max-backoff", d.ReconnectMaxBackoff, 3600),
            ConnectTimeout = Read("connect-timeout", d.ConnectTimeout),
            SubmitTimeout = Read("submit-timeout", d.SubmitTimeout),
            CancelTimeout = Read("cancel-timeout", d.CancelTimeout),
            QueryTimeout = Read("query-timeout", d.QueryTimeout),
            ReplayTimeout = Read("replay-timeout", d.ReplayTimeout),
            ReconcileAccount = b.Flag("reconcile-account", d.ReconcileAccount),
            UnknownDifferences = b.Text("unknown-differences")?.Trim().ToLowerInvariant() switch
            {
                null => d.UnknownDifferences,
                "halt" => UnknownDifferencePolicy.Halt,
                "adopt" => UnknownDifferencePolicy.Adopt,
                var v => throw new ConfigException($"{b.Where("unknown-differences")} = '{v}' must be halt or adopt."),
            },
            CashTolerance = (decimal)b.Double("cash-tolerance", (double)d.CashTolerance, 0, 1_000_000),
            AccountCheckAttempts = b.Int("account-check-attempts", d.AccountCheckAttempts, 1, 100),
            AccountCheckInterval = Read("account-check-interval", d.AccountCheckInterval, 60),
        };
        if (o.ReconnectMaxBackoff < o.ReconnectMinBackoff)
            throw new ConfigException($"{b.Where("reconnect-max-backoff")} must not be below reconnect-min-backoff.");
        return o;
    }
}

/// <summary>Orders at the broker that no client of this system placed (a person typed them into the client).</summary>
public enum UnknownDifferencePolicy
{
    /// <summary>Halt new orders with an alert until an operator acknowledges (the default).</summary>
    Halt,

    /// <summary>Adopt them into the journal (their fills are booked) and log it.</summary>
    Adopt,
}
