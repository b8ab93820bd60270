using System.Numerics;
using System.Runtime.InteropServices;

namespace Trading.Data.Panel;

/// <summary>
/// The folder of the research caches (decoded panels here, factor panels and studies in Trading.Research): every entry
/// is a file named by its key, written to a temporary file and renamed, touched when read; the folder is kept under
/// <see cref="MaxBytes"/> by deleting the least recently used entries of every kind.
/// </summary>
public sealed class CacheFolder(string directory, long maxBytes)
{
    /// <summary>The entry kinds (file name endings) that count towards the size and may be evicted.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".bars", ".fpanel", ".study.json"];

    public string Directory { get; } = Path.GetFullPath(directory);
    public long MaxBytes { get; } = maxBytes;

    /// <summary>Deletes the least recently used entries (and temporary files older than an hour) until the folder is within <see cref="MaxBytes"/>.</summary>
    public void Evict(string? keep = null)
    {
        if (!System.IO.Directory.Exists(Directory)) return;
        foreach (var t in new DirectoryInfo(Directory).EnumerateFiles("*.tmp"))
            if (t.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-1)) TryDelete(t.FullName); // left by a killed run
        var entries = Entries().OrderBy(f => f.LastWriteTimeUtc).ThenBy(f => f.Name, StringComparer.Ordinal).ToList();
        long total = entries.Sum(f => f.Length);
        foreach (var f in entries)
        {
            if (total <= MaxBytes) break;
            if (keep is not null && f.FullName == keep) continue;
            TryDelete(f.FullName);
            total -= f.Length;
        }
    }

    public IEnumerable<FileInfo> Entries() => !System.IO.Directory.Exists(Directory) ? []
        : Extensions.SelectMany(e => new DirectoryInfo(Directory).EnumerateFiles("*" + e));

    /// <summary>Entries and their total size.</summary>
    public (int Entries, long Bytes) Usage()
    {
        var files = Entries().ToList();
        return (files.Count, files.Sum(f => f.Length));
    }

    /// <summary>A temporary name beside <paramref name="path"/>, unique to this process and call.</summary>
    public static string TempFor(string path) => $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";

    /// <summary>Marks an entry used (its write time orders eviction).</summary>
    public static void Touch(string path)
    {
        try { File.SetLastWriteTimeUtc(path, DateTime.UtcNow); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public static bool TryDelete(string path)
    {
        try { File.Delete(path); return true; } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>A sum of the data's 8-byte words with a running second sum (any single changed bit changes it); vectorised, ~memory speed.</summary>
    public static ulong Checksum(ReadOnlySpan<byte> data)
    {
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        ulong a = 0, b = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && words.Length >= Vector<ulong>.Count * 2)
        {
            var va = Vector<ulong>.Zero;
            var vb = Vector<ulong>.Zero;
            var vs = MemoryMarshal.Cast<ulong, Vector<ulong>>(words);
            foreach (var v in vs) { va += v; vb += va; }
            i = vs.Length * Vector<ulong>.Count;
            for (int k = 0; k < Vector<ulong>.Count; k++) { a += va[k]; b += vb[k] * (ulong)(k + 1); }
        }
        for (; i < words.Length; i++) { a += words[i]; b += a; }
        for (int k = words.Length * 8; k < data.Length; k++) { a += data[k]; b += a; }
        return a ^ BitOperations.RotateLeft(b, 29) ^ (ulong)data.Length;
    }
}
