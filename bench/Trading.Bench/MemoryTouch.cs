using System.Diagnostics;
using Trading.Data.Panel;

namespace Trading.Bench;

/// <summary>
/// The machine's ceiling for fresh memory: <c>touch-once --mb N --huge on|off</c> allocates N MB of new arrays (97 MB
/// each, a market panel's field) and writes every element once, timing the writes. The first write to a page the
/// process has never used is a page fault (the kernel zeroes and maps it); with <c>--huge on</c> the arrays come from
/// <see cref="LargeArrays"/> (2 MB transparent huge pages where Linux gives them), else from the plain allocator. A
/// second write of the same arrays is the floor (memory bandwidth alone).
/// </summary>
internal static class MemoryTouch
{
    public static int Once(Options o)
    {
        int mb = o.Int("mb", 1024);
        bool huge = o.Get("huge", "on") == "on";
        const int Length = 2430 * 5000;
        int count = Math.Max(1, (int)((long)mb * 1024 * 1024 / (Length * 8L)));
        var arrays = new List<double[]>();
        for (int i = 0; i < count; i++) arrays.Add(huge ? LargeArrays.Allocate<double>(Length) : GC.AllocateUninitializedArray<double>(Length));
        var first = Stopwatch.StartNew();
        foreach (var a in arrays) Array.Fill(a, double.NaN);
        first.Stop();
        var second = Stopwatch.StartNew();
        foreach (var a in arrays) Array.Fill(a, 1.0);
        second.Stop();
        double gb = count * (Length * 8.0) / (1L << 30);
        string hugePages = File.Exists("/proc/self/smaps_rollup")
            ? File.ReadLines("/proc/self/smaps_rollup").FirstOrDefault(l => l.StartsWith("AnonHugePages:", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?"
            : "?";
        Measure.Emit(new Sample(huge ? "touch-huge" : "touch-4k", first.Elapsed.TotalSeconds, Measure.PeakRss(), GC.GetTotalAllocatedBytes(),
            $"{count} arrays, {gb:F2} GB: first write {first.Elapsed.TotalSeconds / gb:F2} s/GB, second write {second.Elapsed.TotalSeconds / gb:F2} s/GB; AnonHugePages {hugePages}"));
        return 0;
    }
}
