namespace Trading.Domain.Rules;

public enum Side : byte
{
    Buy = 1,
    Sell = 2,
}
