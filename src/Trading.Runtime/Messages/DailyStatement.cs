namespace Trading.Runtime.Messages;

/// <summary>
/// A node's daily risk statement was written after the close: the HTML page at <paramref name="Path"/> and its short
/// markdown summary (NAV, P&amp;L, VaR, rule hits, alerts, a link to the page), published on the event stream for
/// the notifier to forward (WeCom, e-mail) and for the console.
/// </summary>
public sealed record DailyStatementReady(string AccountId, DateOnly Date, string Path, string Markdown);
