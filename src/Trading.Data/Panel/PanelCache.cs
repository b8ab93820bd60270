using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Trading.Data.Store;

namespace Trading.Data.Panel;

/// <summary>
/// A store version's bars as the panel holds them (ten dates × symbols fields and the flags, suspensions filled), kept
/// in the research cache folder: a run that loads the same store again reads the arrays back instead of decoding
/// Parquet (most of a load). Keyed by the store version (<see cref="MarketStore.CacheIdentity"/>) and the build of this
/// code; checked on read (header, length, a checksum per array): anything wrong and the store is decoded as if there
/// were no entry. Valuations, financial reports and custom factors are not in it (they load from the store as before).
/// </summary>
public sealed class PanelCache(CacheFolder folder)
{
    private const uint Magic = 0x52424154; // "TABR"
    private const int Format = 1, Arrays = 11, HeaderBytes = 4 + 4 + 4 + 4 + 32 + Arrays * 8;
    private readonly List<Task> _writes = [];
    private int _hits;

    /// <summary>Loads answered from the cache so far.</summary>
    public int Hits => _hits;

    public CacheFolder Folder { get; } = folder;

    public static string Key(MarketStore store) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        $"format={Format}\nstore={store.CacheIdentity}\ncode={typeof(PanelCache).Assembly.ManifestModule.ModuleVersionId}\n")));

    private string PathOf(string key) => Path.Combine(Folder.Directory, key + ".bars");

    private static long Bytes(MarketPanel p) => (long)p.DayCount * p.SymbolCount * (10 * sizeof(double) + 1);

    private static Memory<byte>[] Sections(MarketPanel p) =>
    [
        Bytes(p.Open), Bytes(p.High), Bytes(p.Low), Bytes(p.Close), Bytes(p.PreClose), Bytes(p.Volume), Bytes(p.Amount),
        Bytes(p.AdjFactor), Bytes(p.UpLimit), Bytes(p.DownLimit), p.Flags.AsMemory(),
    ];

    private static Memory<byte> Bytes(double[] values) => new CastMemory(values).Memory;

    /// <summary>Whether an entry for this store version exists (it is checked when read).</summary>
    public bool Has(MarketStore store) => File.Exists(PathOf(Key(store)));

    /// <summary>Reads the entry into the bars of <paramref name="panel"/> (its shape the store's); false when it is missing or damaged (then deleted).</summary>
    public bool TryRead(MarketStore store, MarketPanel panel)
    {
        var key = Key(store);
        var path = PathOf(key);
        try
        {
            var header = new byte[HeaderBytes];
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1))
            {
                if (fs.Length != HeaderBytes + Bytes(panel)) throw new InvalidDataException("length");
                fs.ReadExactly(header);
            }
            if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4)) != Format
                || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8)) != panel.DayCount || BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12)) != panel.SymbolCount
                || Convert.ToHexStringLower(header.AsSpan(16, 32)) != key)
                throw new InvalidDataException("header");
            var sections = Sections(panel);
            var offsets = new long[Arrays];
            for (int i = 1; i < Arrays; i++) offsets[i] = offsets[i - 1] + sections[i - 1].Length;
            bool ok = true;
            // Arrays on every core at once: each reads its own part of the file into fresh memory and checks it.
            Parallel.For(0, Arrays, i =>
            {
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1);
                fs.Position = HeaderBytes + offsets[i];
                fs.ReadExactly(sections[i].Span);
                if (CacheFolder.Checksum(sections[i].Span) != BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(48 + 8 * i))) ok = false;
            });
            if (!ok) throw new InvalidDataException("checksum");
            CacheFolder.Touch(path);
            Interlocked.Increment(ref _hits);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return false; }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            CacheFolder.TryDelete(path);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>Writes the panel's bars on a pool thread (best effort); <see cref="FlushAsync"/> waits for it.</summary>
    public void WriteInBackground(MarketStore store, MarketPanel panel)
    {
        lock (_writes) _writes.Add(Task.Run(() => Write(store, panel)));
    }

    public Task FlushAsync()
    {
        lock (_writes) return Task.WhenAll(_writes.ToList());
    }

    private void Write(MarketStore store, MarketPanel panel)
    {
        var key = Key(store);
        var path = PathOf(key);
        var temp = CacheFolder.TempFor(path);
        try
        {
            if (HeaderBytes + Bytes(panel) > Folder.MaxBytes) return;
            Directory.CreateDirectory(Folder.Directory);
            var sections = Sections(panel);
            var header = new byte[HeaderBytes];
            BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), Format);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(8), panel.DayCount);
            BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(12), panel.SymbolCount);
            Convert.FromHexString(key).CopyTo(header.AsSpan(16));
            for (int i = 0; i < Arrays; i++) BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(48 + 8 * i), CacheFolder.Checksum(sections[i].Span));
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
            {
                fs.Write(header);
                foreach (var s in sections) fs.Write(s.Span);
            }
            File.Move(temp, path, overwrite: true);
            Folder.Evict(keep: path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CacheFolder.TryDelete(temp);
        }
    }

    /// <summary>A double array seen as bytes, as a Memory (the arrays are pinned: <see cref="LargeArrays"/>).</summary>
    private sealed class CastMemory(double[] values) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(values.AsSpan());
        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException();
        public override void Unpin() { }
        protected override void Dispose(bool disposing) { }
    }
}
