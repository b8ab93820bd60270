using System.IO.Compression;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Data.Import;
using Trading.Data.Store;

namespace Trading.Data.Tests;

/// <summary>
/// Any bytes given as an input file (plain, gzipped, or gzipped and cut short) import or fail cleanly: a valid
/// import, or errors in the report / an exception the CLI prints as one line naming the file; never another
/// exception or a hang, never a changed store when a --strict import has errors, and the store always opens.
/// </summary>
public class HostileInputProperties
{
    private const string Header = "date,symbol,open,high,low,close,volume,amount,adj_factor";
    private static readonly Lazy<string> Seed = new(CreateSeed);

    private static string CreateSeed()
    {
        var dir = Path.Combine(Path.GetTempPath(), "trading-tests", "hostile-seed-" + Guid.NewGuid().ToString("N"));
        var input = Path.Combine(dir, "seed.csv");
        Directory.CreateDirectory(dir);
        File.WriteAllText(input, $"{Header}\n2024-01-02,600000.SH,10.00,10.10,9.90,10.00,1000,10000,1\n");
        var r = DataImporter.ImportAsync(SourceFormat.Csv, input, Path.Combine(dir, "store"), new ImportOptions { Today = new(2024, 6, 28) }).GetAwaiter().GetResult();
        Assert.True(r.Written);
        return Path.Combine(dir, "store");
    }

    private static void Copy(string from, string to)
    {
        foreach (var d in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories)) Directory.CreateDirectory(d.Replace(from, to));
        Directory.CreateDirectory(to);
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories)) File.Copy(f, f.Replace(from, to));
    }

    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(data);
        return ms.ToArray();
    }

    /// <summary>Bytes that are half the time behind a valid header (so rows get parsed), with a few CSV-ish bytes mixed in.</summary>
    private static Gen<byte[]> Content() =>
        from raw in ArbMap.Default.GeneratorFor<byte[]>()
        from header in Gen.Elements(true, false)
        from sprinkle in Gen.ArrayOf(Gen.Elements((byte)',', (byte)'\n', (byte)'"', (byte)'1', (byte)'.', (byte)'-', (byte)0xE6, (byte)0xB5, (byte)0xA6, (byte)0xC6))
        select (header ? Encoding.ASCII.GetBytes(Header + "\n2024-01-03,600000.SH,10.00,10.10,9.90,10.00,1000,10000,1\n") : [])
            .Concat(raw.Zip(sprinkle.Concat(Enumerable.Repeat((byte)0, raw.Length)), (a, b) => b == 0 ? a : b)).ToArray();

    /// <summary>A valid five-row file with a few bytes overwritten or inserted: sometimes still valid, often one bad row.</summary>
    private static Gen<byte[]> Mutated() =>
        from edits in Gen.ListOf(Gen.Choose(0, 400).SelectMany(pos => ArbMap.Default.GeneratorFor<byte>().SelectMany(b =>
            Gen.Elements(true, false).Select(insert => (pos, b, insert)))))
        select Mutate(edits);

    private static byte[] Mutate(IEnumerable<(int Pos, byte Byte, bool Insert)> edits)
    {
        var sb = new StringBuilder(Header).Append('\n');
        for (int i = 0; i < 5; i++) sb.Append($"2024-01-{3 + i:00},600000.SH,10.00,10.10,9.90,10.00,1000,10000,1\n");
        var bytes = Encoding.ASCII.GetBytes(sb.ToString()).ToList();
        foreach (var (pos, b, insert) in edits.Take(3))
        {
            int at = pos % bytes.Count;
            if (insert) bytes.Insert(at, b); else bytes[at] = b;
        }
        return [.. bytes];
    }

    private static void Check(string name, byte[] bytes)
    {
        Check(name, bytes, strict: true);
        Check(name, bytes, strict: false);
    }

    private static void Check(string name, byte[] bytes, bool strict)
    {
        var dir = Path.Combine(Path.GetTempPath(), "trading-tests", "hostile-" + Guid.NewGuid().ToString("N"));
        try
        {
            var store = Path.Combine(dir, "store");
            Copy(Seed.Value, store);
            var before = File.ReadAllText(Path.Combine(store, "CURRENT"));
            var input = Path.Combine(dir, "in", name);
            Directory.CreateDirectory(Path.GetDirectoryName(input)!);
            File.WriteAllBytes(input, bytes);

            ImportResult? result = null;
            try
            {
                result = Task.Run(() => DataImporter.ImportAsync(SourceFormat.Csv, input, store, new ImportOptions { Strict = strict, Today = new(2024, 6, 28) }))
                    .WaitAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();
            }
            catch (Exception e) when (e is StoreException or FormatException or InvalidDataException or IOException)
            {
                Assert.Contains(name, e.Message);
            }
            if (result is { Written: true })
            {
                Assert.True(!strict || !result.Report.HasErrors);
                Assert.True(result.Report.RowsAccepted > 0);
            }
            else
            {
                if (result is not null) Assert.True((strict && result.Report.HasErrors) || result.Report.RowsAccepted == 0);
                if (result is not null) Assert.All(result.Report.Issues, i => Assert.Equal(name, i.File));
                Assert.Equal(before, File.ReadAllText(Path.Combine(store, "CURRENT")));
            }
            var opened = MarketStore.Open(store);
            var bars = opened.ReadBarsAsync().GetAwaiter().GetResult();
            Assert.Equal(opened.Manifest.Bars, bars.Count);
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    [Property(MaxTest = 40, EndSize = 300)]
    public Property Any_bytes_as_a_csv_file_import_or_fail_cleanly() =>
        Prop.ForAll(Content().ToArbitrary(), bytes => Check("input.csv", bytes));

    [Property(MaxTest = 40, EndSize = 300)]
    public Property Any_bytes_gzipped_and_maybe_cut_short_import_or_fail_cleanly() =>
        Prop.ForAll(Content().ToArbitrary(), Gen.Choose(0, 10).ToArbitrary(), (bytes, tenths) =>
        {
            var gz = Gzip(bytes);
            Check("input.csv.gz", tenths == 10 ? gz : gz[..(gz.Length * tenths / 10)]);
        });

    [Property(MaxTest = 40)]
    public Property A_valid_file_with_a_few_bytes_changed_imports_or_fails_cleanly() =>
        Prop.ForAll(Mutated().ToArbitrary(), Gen.Elements(false, true).ToArbitrary(), (bytes, gzip) =>
            Check(gzip ? "edited.csv.gz" : "edited.csv", gzip ? Gzip(bytes) : bytes));

    [Property(MaxTest = 40, EndSize = 300)]
    public Property Any_bytes_named_csv_gz_fail_cleanly() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes => Check("raw.csv.gz", bytes));
}
