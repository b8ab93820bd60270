namespace Trading.Runtime.Tests.Actors;

/// <summary>The SQLite journal's own settings (recovery on SQLite and PostgreSQL: <see cref="JournalRecoveryTests"/>).</summary>
public class SqliteJournalTests
{
    [Fact]
    public void Journal_connections_get_the_configured_pragmas_and_a_bad_setting_is_named()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        new Trading.Runtime.Persistence.SqliteJournal.Pragmas("PRAGMA synchronous=NORMAL;").ConnectionOpened(default!, connection);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        Assert.Equal(1L, command.ExecuteScalar()); // NORMAL

        var bad = TradingSystem.LoadConfig(JournalKind.Sqlite, Path.Combine(Path.GetTempPath(), $"j-{Guid.NewGuid():N}.db"), "trading.journal.sqlite.synchronous = SOMETIMES");
        var e = Assert.Throws<Akka.Configuration.ConfigurationException>(() => Trading.Runtime.Persistence.SqliteJournal.Open(bad));
        Assert.Contains("trading.journal.sqlite.synchronous", e.Message);
        Assert.Contains("SOMETIMES", e.Message);
    }
}
