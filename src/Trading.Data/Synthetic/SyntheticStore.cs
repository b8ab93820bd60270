using Trading.Data.Store;

namespace Trading.Data.Synthetic;

/// <summary>Writes a generated market (bars, reference data, benchmark, valuations, financial reports) into a store, as a new version like any import.</summary>
public static class SyntheticStore
{
    /// <param name="heldLock">The store's write lock when the caller already holds it (to check and replace under one lock).</param>
    public static Task<MarketStore> WriteAsync(SyntheticMarket market, string storeDir, CancellationToken ct = default, StoreWriteLock? heldLock = null)
    {
        var o = market.Options;
        var source = $"synthetic symbols={o.Symbols} days={o.Days} seed={o.Seed} start={o.Start:yyyy-MM-dd} listing-fraction={o.ListingFraction} delist-fraction={o.DelistFraction} board-launch-dates={o.RespectBoardLaunchDates}";
        return MarketStore.WriteAsync(storeDir, market.Bars, market.Stocks.ToList(), market.Benchmark, market.Valuations, market.Financials, [source], ct: ct, heldLock: heldLock);
    }
}
