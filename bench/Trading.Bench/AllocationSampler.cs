using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Trading.Bench;

/// <summary>
/// Where a run allocates: the runtime's allocation-tick events (one per ~100 KB allocated, naming the type that
/// crossed the tick) counted per type, in process. Enabled with <c>--alloc-profile on</c>; prints the top types to stderr.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly ConcurrentDictionary<string, long> _ticks = new();

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
        int i = e.PayloadNames!.IndexOf("TypeName");
        if (i >= 0 && e.Payload[i] is string type) _ticks.AddOrUpdate(type, 1, (_, n) => n + 1);
    }

    public void Report(int top = 25)
    {
        long total = _ticks.Values.Sum();
        Console.Error.WriteLine($"allocation ticks: {total} (~100 KB each)");
        foreach (var (type, n) in _ticks.OrderByDescending(kv => kv.Value).Take(top))
            Console.Error.WriteLine($"{n,8} {100.0 * n / total,5:F1}%  {type}");
    }
}
