using Trading.Data.Import;
using Trading.Data.Validation;

namespace Trading.Data.Tests;

/// <summary>Every validation error kind, each with a fixture file whose fourth line is the bad row.</summary>
public class ValidationFixtureTests
{
    [Theory]
    [InlineData("malformed_number", IssueKind.MalformedNumber, "high")]
    [InlineData("missing_value", IssueKind.MissingValue, "high")]
    [InlineData("nan_price", IssueKind.BadPrice, "close")]
    [InlineData("infinite_price", IssueKind.BadPrice, "high")]
    [InlineData("zero_price", IssueKind.BadPrice, "open")]
    [InlineData("negative_price", IssueKind.BadPrice, "low")]
    [InlineData("off_tick", IssueKind.OffTick, "close")]
    [InlineData("high_below_low", IssueKind.InconsistentOhlc, "high")]
    [InlineData("open_outside", IssueKind.InconsistentOhlc, "open")]
    [InlineData("close_outside", IssueKind.InconsistentOhlc, "close")]
    [InlineData("negative_volume", IssueKind.NegativeVolume, "vol")]
    [InlineData("negative_amount", IssueKind.NegativeAmount, "amount")]
    [InlineData("duplicate_row", IssueKind.DuplicateRow, "trade_date")]
    [InlineData("bad_symbol", IssueKind.BadSymbol, "ts_code")]
    [InlineData("bad_date", IssueKind.BadDate, "trade_date")]
    [InlineData("date_out_of_order", IssueKind.DateOutOfOrder, "trade_date")]
    [InlineData("adj_factor_zero", IssueKind.BadAdjFactor, "adj_factor")]
    [InlineData("adj_factor_negative", IssueKind.BadAdjFactor, "adj_factor")]
    [InlineData("units_volume_in_shares", IssueKind.SuspiciousUnits, "amount")]
    [InlineData("units_amount_in_cny", IssueKind.SuspiciousUnits, "amount")]
    public void Bad_row_is_rejected_with_its_place(string fixture, IssueKind kind, string column)
    {
        var report = DataImporter.Validate(SourceFormat.TuShare, TestPaths.Fixture($"errors/{fixture}.csv"));

        var issue = Assert.Single(report.Issues);
        Assert.Equal(IssueSeverity.Error, issue.Severity);
        Assert.Equal(kind, issue.Kind);
        Assert.Equal($"{fixture}.csv", issue.File);
        Assert.Equal(4, issue.Line);
        Assert.Equal(column, issue.Column);
        Assert.Contains($"{fixture}.csv:4 column '{column}'", issue.ToString());
        Assert.Equal(2, report.RowsAccepted);
        Assert.Equal(1, report.RowsRejected);
    }

    [Fact]
    public void Missing_column_rejects_the_file_naming_the_column()
    {
        var report = DataImporter.Validate(SourceFormat.TuShare, TestPaths.Fixture("errors/missing_column.csv"));

        var issue = Assert.Single(report.Issues);
        Assert.Equal(IssueKind.MissingColumn, issue.Kind);
        Assert.Equal(1, issue.Line);
        Assert.Equal("vol", issue.Column);
        Assert.Equal(0, report.RowsAccepted);
        Assert.Equal(1, report.RowsRejected);
    }

    [Fact]
    public void Move_beyond_the_band_is_a_warning_and_the_row_is_kept()
    {
        var report = DataImporter.Validate(SourceFormat.TuShare, TestPaths.Fixture("errors/unexplained_move.csv"));

        var issue = Assert.Single(report.Issues);
        Assert.Equal(IssueSeverity.Warning, issue.Severity);
        Assert.Equal(IssueKind.UnexplainedMove, issue.Kind);
        Assert.Equal(4, issue.Line);
        Assert.Equal("high", issue.Column);
        Assert.Contains("[8.28, 10.12]", issue.Message);
        Assert.Equal(3, report.RowsAccepted);
        Assert.False(report.HasErrors);
    }

    [Fact]
    public void Bad_symbol_message_quotes_the_input()
    {
        var report = DataImporter.Validate(SourceFormat.TuShare, TestPaths.Fixture("errors/bad_symbol.csv"));
        Assert.Contains("'ABC001.SZ'", Assert.Single(report.Issues).Message);
    }

    [Fact]
    public void Unknown_file_kind_is_reported()
    {
        using var tmp = new TempDir();
        var f = tmp.Write("weird.csv", "foo,bar\n1,2\n");
        var report = DataImporter.Validate(SourceFormat.TuShare, f);
        Assert.Equal(IssueKind.UnreadableFile, Assert.Single(report.Issues).Kind);
    }
}
