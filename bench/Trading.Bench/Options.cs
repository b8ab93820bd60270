namespace Trading.Bench;

internal sealed class Options
{
    private readonly Dictionary<string, string> _values = [];

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i + 1 < args.Length; i += 2)
            if (args[i].StartsWith("--", StringComparison.Ordinal)) o._values[args[i][2..]] = args[i + 1];
        return o;
    }

    public string Get(string key, string fallback) => _values.TryGetValue(key, out var v) ? v : fallback;
    public int Int(string key, int fallback) => _values.TryGetValue(key, out var v) ? int.Parse(v) : fallback;
}
