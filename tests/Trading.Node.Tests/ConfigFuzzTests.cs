using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Trading.Runtime.Configuration;
using Trading.Runtime.Strategy;

namespace Trading.Node.Tests;

/// <summary>
/// Whatever a strategy file holds, loading it gives a strategy or a <see cref="ConfigException"/>: never another
/// exception, a hang or a crash (Akka's HOCON parser loops forever or recurses without bound on some inputs; the
/// guards in front of it must catch them).
/// </summary>
public class ConfigFuzzTests
{
    private static readonly string Dir = CliRunner.TempDir();

    private static readonly string Example = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "examples", "momentum-multifactor.conf"));

    /// <summary>Pieces of HOCON (and of its hostile corners) for token soups.</summary>
    private static readonly string[] Tokens =
    [
        "strategy", "{", "}", "[", "]", "=", ":", ",", "\n", " ", "\"", "\"\"\"", "${", "${?", "}", "a", "b", "a.b", "strategy.top-n",
        "factors", "spec", "momentum", "\"momentum(lookback=5)\"", "weight", "top-n", "buffer", "universe", "execution", "risk", "fees",
        "5", "5.7", "-1", "0", "1e400", "NaN", "Infinity", "null", "on", "off", "include", "\"x.conf\"", "file(", "required(", ")",
        "#", "//", "+=", ".", "\\", "\t", "\r", "\u00e9", "\0", "weighting", "bogus", "benchmark", "\"000300.SH\"", "stamp-duty",
        "from", "rate", "transforms", "zscore",
    ];

    private static readonly Gen<string> TokenSoup =
        Gen.Elements(Tokens).ListOf().Select(list => string.Concat(list.Take(80)));

    private static readonly Gen<string> RandomText =
        Gen.Elements("{}[]=:,\"$?#/\\. \n\tabz019-+".ToCharArray()).ArrayOf().Select(a => new string(a.Take(200).ToArray()));

    private static readonly Gen<byte[]> RandomBytes = Gen.Choose(0, 255).Select(i => (byte)i).ArrayOf().Select(a => a.Take(200).ToArray());

    /// <summary>The bundled example with a few random edits: a span deleted, a token inserted, a span repeated.</summary>
    private static readonly Gen<string> MutatedExample =
        Gen.Choose(0, Example.Length).Zip(Gen.Choose(0, 40)).Zip(Gen.Elements(Tokens)).Zip(Gen.Choose(0, 2)).ListOf()
            .Select(edits =>
            {
                var s = Example;
                foreach (var (((at, len), token), kind) in edits.Take(4))
                {
                    int i = Math.Min(at, s.Length), n = Math.Min(len, s.Length - i);
                    s = kind switch
                    {
                        0 => s.Remove(i, n),
                        1 => s.Insert(i, token),
                        _ => s.Insert(i, s.Substring(i, n)),
                    };
                }
                return s;
            });

    private static void LoadsOrRefuses(byte[] content)
    {
        var file = Path.Combine(Dir, $"{Guid.NewGuid():N}.conf");
        File.WriteAllBytes(file, content);
        try
        {
            var load = Task.Run(() =>
            {
                try { return StrategyConfig.Load(file) is not null; }
                catch (ConfigException) { return true; }
            });
            Assert.True(load.Wait(TimeSpan.FromSeconds(10)), "loading did not finish in 10 s: " + Convert.ToBase64String(content));
            Assert.True(load.Result);
        }
        catch (AggregateException e)
        {
            Assert.Fail($"{e.InnerException!.GetType().Name}: {e.InnerException.Message} for input {Convert.ToBase64String(content)}");
        }
        finally { File.Delete(file); }
    }

    [Property(MaxTest = 500)]
    public Property Token_soup_loads_or_is_a_config_error() =>
        Prop.ForAll(TokenSoup.ToArbitrary(), text => LoadsOrRefuses(Encoding.UTF8.GetBytes(text)));

    [Property(MaxTest = 500)]
    public Property Random_text_loads_or_is_a_config_error() =>
        Prop.ForAll(RandomText.ToArbitrary(), text => LoadsOrRefuses(Encoding.UTF8.GetBytes(text)));

    [Property(MaxTest = 500)]
    public Property Random_bytes_load_or_are_a_config_error() =>
        Prop.ForAll(RandomBytes.ToArbitrary(), LoadsOrRefuses);

    [Property(MaxTest = 500)]
    public Property An_edited_example_loads_or_is_a_config_error() =>
        Prop.ForAll(MutatedExample.ToArbitrary(), text => LoadsOrRefuses(Encoding.UTF8.GetBytes(text)));

    /// <summary>Inputs fuzzing found (kept so they stay fixed).</summary>
    [Theory]
    [InlineData("strategy { factors = [ { spec = momentum } ] }\na = [ ${b} ]\nb = ${a}")]
    [InlineData("${")]
    [InlineData("a = ${}")]
    [InlineData("a = \"\"\"x\"\"\"\"")]
    [InlineData("strategy { factors = [ { spec = momentum }\n :{ spec = reversal } ] }")]
    [InlineData("a = [ 1 = 2 ]")]
    [InlineData("a = [ $ ]")]
    [InlineData("a = [ x ? y ]")]
    [InlineData("a = ${?[x, y] }")]
    [InlineData("strategy { factors = [\n { spec = x, weight =# 0.4 }\n { spec = y }\n { spec = z, weight = 0}.2, t = [a] }\n ] }")]
    [InlineData("a = [ { b = 1 }\n s   { c = 2 } ]")]
    public void Known_hostile_inputs(string text) => LoadsOrRefuses(Encoding.UTF8.GetBytes(text));
}
