using Trading.Dashboard.Notes;
using Trading.Dashboard.Tests.Hosting;
using Trading.Reporting.Html;

namespace Trading.Dashboard.Tests.Notes;

/// <summary>A day's notes reach the daily risk statement (its "Team notes" section), escaped; other days' do not.</summary>
public class StatementNoteTests
{
    [Fact]
    public async Task The_days_notes_are_a_section_of_its_daily_statement()
    {
        await using var d = await TestDashboard.StartAsync();
        var notes = new NoteStore(d.Database, d.Time);
        await notes.AddAsync("ann", "order", "momentum-0001", "slow fill <script>alert(1)</script>");
        await notes.AddAsync("ann", "day", "2024-06-04", "tomorrow's note");
        var rows = await notes.ForStatementAsync(new DateOnly(2024, 6, 3));
        var row = Assert.Single(rows);
        Assert.Equal(("2024-06-03 09:30", "note on order momentum-0001", "ann", "momentum-0001"), (row.Time, row.Kind, row.Source, row.OrderId));

        var html = DailyStatementHtml.Render(DailyStatement.Build(new DailyStatementInputs
        {
            Account = "paper", Date = new DateOnly(2024, 6, 3), Nav = 1_000_000m, Cash = 1_000_000m, Capital = 1_000_000m, Notes = rows,
        }));
        Assert.Contains("Team notes", html);
        Assert.Contains("id=\"team-notes\"", html);
        Assert.Contains("slow fill &lt;script&gt;", html);
        Assert.DoesNotContain("tomorrow's note", html);
        var without = DailyStatementHtml.Render(DailyStatement.Build(new DailyStatementInputs
        {
            Account = "paper", Date = new DateOnly(2024, 6, 3), Nav = 1_000_000m, Cash = 1_000_000m, Capital = 1_000_000m,
        }));
        Assert.DoesNotContain("Team notes", without);
    }
}
