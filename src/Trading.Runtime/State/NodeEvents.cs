namespace Trading.Runtime.State;

/// <summary>What a trading node journals about itself (<c>trader-{account}</c>), apart from its children's events.</summary>
public abstract record NodeEvent;

/// <summary>An incarnation of the node started with this epoch: every order it sends carries it.</summary>
public sealed record EpochStarted(long Epoch, DateTime At) : NodeEvent;
