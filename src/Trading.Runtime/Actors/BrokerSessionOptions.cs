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

    public static BrokerSessionOptions Default { get; } = new();

    public const string Key = "trading.broker";

    public static readonly IReadOnlyCollection<string> KnownKeys =
    [
        "heartbeat-interval", "reconnect-min-backoff", "reconnect-max-backoff", "connect-timeout", "submit-timeout",
        "cancel-timeout", "query-timeout", "replay-timeout",
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
        };
        if (o.ReconnectMaxBackoff < o.ReconnectMinBackoff)
            throw new ConfigException($"{b.Where("reconnect-max-backoff")} must not be below reconnect-min-backoff.");
        return o;
    }
}
