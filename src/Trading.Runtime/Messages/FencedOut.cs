namespace Trading.Runtime.Messages;

/// <summary>
/// The broker has seen an epoch above this brain's: a newer brain trades the account. Published on the event stream by
/// the broker session; the cluster's trader host stops the brain on it.
/// </summary>
public sealed record FencedOut(string AccountId, long Epoch, long Highest);
