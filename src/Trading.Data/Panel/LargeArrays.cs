using System.Runtime.InteropServices;

namespace Trading.Data.Panel;

/// <summary>
/// Arrays of a whole panel (dates × symbols: about 100 MB each at market scale), backed by transparent huge pages
/// where Linux offers them. The first write to fresh memory costs a page fault per 4 KB page; on this project's cloud
/// machines that is ~3.4 s per GB, and a market-scale backtest with its report touches ~2 GB of fresh arrays. Asking
/// for 2 MB pages (<c>madvise(MADV_HUGEPAGE)</c>, which Linux honours when transparent huge pages are
/// <c>always</c> or <c>madvise</c>, the usual default) cut that to ~1.5 s per GB (BENCHMARKS.md). The arrays are
/// allocated pinned (they never move, so the advice stays with them) and uninitialised: callers write every element.
/// Elsewhere, or when the advice is refused, they are ordinary arrays.
/// </summary>
public static class LargeArrays
{
    private const int MadvHugePage = 14;
    private const long HugePage = 2L << 20;
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>An uninitialised array of <paramref name="length"/> elements, on huge pages where possible.</summary>
    public static T[] Allocate<T>(int length) where T : unmanaged
    {
        long bytes = (long)length * Marshal.SizeOf<T>();
        if (_unavailable || bytes < 4 * HugePage) return GC.AllocateUninitializedArray<T>(length);
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        long start = (Marshal.UnsafeAddrOfPinnedArrayElement(array, 0) + HugePage - 1) & ~(HugePage - 1);
        long end = (Marshal.UnsafeAddrOfPinnedArrayElement(array, 0) + bytes) & ~(HugePage - 1);
        try
        {
            if (end > start && madvise((nint)start, (nuint)(end - start), MadvHugePage) != 0) _unavailable = true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
        }
        return array;
    }

    /// <summary>As <see cref="Allocate{T}"/>, every element set to <paramref name="value"/>.</summary>
    public static T[] Filled<T>(int length, T value) where T : unmanaged
    {
        var array = Allocate<T>(length);
        Array.Fill(array, value);
        return array;
    }

    [DllImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);
}
