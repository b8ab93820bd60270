using System.Text.Json;

namespace Trading.Node.Tests;

[Collection("console")]
public class DataCommandTests
{
    private static string Sample => Path.Combine(CliRunner.RepoRoot, "data", "ashare-2024-sample");

    [Fact]
    public async Task Import_then_info_json_reports_the_bundled_sample()
    {
        var store = Path.Combine(CliRunner.TempDir(), "store");
        var (exit, output, err) = await CliRunner.Run("data", "import", "--format", "tushare", "--input", Sample, "--store", store);
        Assert.True(exit == 0, err);
        Assert.Contains("0 errors, 0 warnings", output);
        Assert.True(File.Exists(Path.Combine(store, "reports", "import-v000001.csv")));

        (exit, output, err) = await CliRunner.Run("data", "info", "--store", store, "--json");
        Assert.True(exit == 0, err);
        using var json = JsonDocument.Parse(output);
        var root = json.RootElement;
        Assert.Equal(984, root.GetProperty("symbols").GetInt32());
        Assert.Equal(237_144, root.GetProperty("bars").GetInt64());
        Assert.Equal("2024-01-02", root.GetProperty("first_date").GetString());
        Assert.Equal("2024-12-31", root.GetProperty("last_date").GetString());
        Assert.Equal(984, root.GetProperty("boards").GetProperty("SZSE main").GetProperty("symbols").GetInt32());
        Assert.Equal(193, root.GetProperty("gap_days").GetInt64());
        Assert.Equal(263, root.GetProperty("index_series").GetProperty("000300.SH").GetProperty("bars").GetInt32());
    }

    [Fact]
    public async Task Strict_import_of_a_bad_file_fails_and_creates_no_store()
    {
        var dir = CliRunner.TempDir();
        var input = Path.Combine(dir, "bars.csv");
        File.WriteAllText(input, "date,symbol,open,high,low,close,volume,amount\n2024-01-02,600000.SH,10,10.5,9.9,10.2,1000,10200\n2024-01-03,600000.SH,10,10.5,9.9,abc,1000,10200\n");
        var store = Path.Combine(dir, "store");

        var (exit, output, err) = await CliRunner.Run("data", "import", "--format", "csv", "--input", input, "--store", store, "--strict");

        Assert.Equal(1, exit);
        Assert.Contains("bars.csv:3 column 'close'", output);
        Assert.Contains("nothing was written", err);
        Assert.False(File.Exists(Path.Combine(store, "CURRENT")));
    }

    [Fact]
    public async Task Validate_writes_nothing_and_exits_1_on_errors()
    {
        var dir = CliRunner.TempDir();
        var input = Path.Combine(dir, "bars.csv");
        File.WriteAllText(input, "date,symbol,open,high,low,close,volume,amount\n2024-01-02,XYZ,10,10.5,9.9,10.2,1000,10200\n");

        var (exit, output, _) = await CliRunner.Run("data", "validate", "--format", "csv", "--input", input, "--json");

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(output);
        var issue = json.RootElement.GetProperty("issues")[0];
        Assert.Equal("BadSymbol", issue.GetProperty("kind").GetString());
        Assert.Equal(2, issue.GetProperty("line").GetInt32());
        Assert.Contains("'XYZ'", issue.GetProperty("message").GetString());
        Assert.Equal(["bars.csv"], Directory.GetFiles(dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Validate_of_good_input_exits_0()
    {
        var dir = CliRunner.TempDir();
        var input = Path.Combine(dir, "bars.csv");
        File.WriteAllText(input, "date,symbol,open,high,low,close,volume,amount\n2024-01-02,600000.SH,10,10.5,9.9,10.2,1000,10200\n");
        var (exit, _, _) = await CliRunner.Run("data", "validate", "--format", "csv", "--input", input);
        Assert.Equal(0, exit);
    }

    [Fact]
    public async Task Info_on_a_missing_store_is_a_one_line_error()
    {
        var (exit, _, err) = await CliRunner.Run("data", "info", "--store", "/nonexistent/store");
        Assert.Equal(1, exit);
        Assert.StartsWith("error: No store at '/nonexistent/store'", err);
    }

    [Fact]
    public async Task Missing_input_is_a_one_line_error()
    {
        var (exit, _, err) = await CliRunner.Run("data", "import", "--format", "csv", "--input", "/nonexistent/in.csv", "--store", CliRunner.TempDir());
        Assert.Equal(1, exit);
        Assert.Contains("'/nonexistent/in.csv' does not exist", err);
    }

    [Theory]
    [InlineData("data", "import")]
    [InlineData("data", "validate")]
    [InlineData("data", "info")]
    [InlineData("fees")]
    public async Task Every_verb_has_help(params string[] verb)
    {
        var (exit, output, _) = await CliRunner.Run([.. verb, "--help"]);
        Assert.Equal(0, exit);
        Assert.Contains("Usage:", output);
    }

    [Fact]
    public async Task Unknown_format_is_refused()
    {
        var (exit, _, err) = await CliRunner.Run("data", "validate", "--format", "excel", "--input", "x");
        Assert.NotEqual(0, exit);
        Assert.Contains("excel", err);
    }
}
