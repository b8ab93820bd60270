using Akka.Persistence.Journal;
using Trading.Domain.Instruments;
using Trading.Runtime.Messages;
using Trading.Runtime.Persistence;
using Trading.Runtime.State;

namespace Trading.Runtime.Tests.ReadModels;

public class JournalTaggerTests
{
    private static readonly DateOnly Day = new(2024, 1, 2);

    [Fact]
    public void Events_are_tagged_by_kind_and_anything_else_passes_untouched()
    {
        var tagger = new JournalTagger();
        string Tags(object e) => tagger.ToJournal(e) is Tagged t ? string.Join(',', t.Tags.Order()) : "untagged";
        var id = new Trading.Domain.Orders.ClientOrderId("o1");
        Assert.Equal("order", Tags(new OrderSent(id, default)));
        Assert.Equal("fill,order", Tags(new OrderFillReported(id, default, null!)));
        Assert.Equal("position", Tags(new DayOpened(Day)));
        Assert.Equal("nav,position", Tags(new PricesMarked(Day, System.Collections.Immutable.ImmutableDictionary<Symbol, decimal>.Empty)));
        Assert.Equal("risk", Tags(new Trading.Risk.DayStarted(Day)));
        Assert.Equal("alert", Tags(new RiskAlert(default, "k", "s", "m")));
        Assert.Equal("audit", Tags(new AuditEntry(default, "a", "b", "c")));
        Assert.Equal("untagged", Tags(PositionBookState.Empty));
    }

    [Fact]
    public void Only_the_durable_journals_tag_backtests_in_memory_journal_does_not()
    {
        foreach (var kind in new[] { JournalKind.Sqlite, JournalKind.Postgres })
        {
            var config = TradingSystem.LoadConfig(kind);
            Assert.Equal(typeof(JournalTagger).FullName + ", Trading.Runtime", config.GetString("akka.persistence.journal.sql.event-adapters.tagging"));
            var bindings = config.GetConfig("akka.persistence.journal.sql.event-adapter-bindings").AsEnumerable().Select(kv => kv.Key.Trim('"')).ToList();
            Assert.Contains("Trading.Runtime.State.OrderEvent, Trading.Runtime", bindings);
            Assert.Contains("Trading.Runtime.State.BookEvent, Trading.Runtime", bindings);
            Assert.Contains("Trading.Risk.RiskEvent, Trading.Risk", bindings);
            Assert.Equal("akka.persistence.journal.sql", config.GetString("akka.persistence.query.journal.sql.write-plugin"));
        }
        var inmem = TradingSystem.LoadConfig(JournalKind.InMemory);
        Assert.Equal("akka.persistence.journal.inmem", inmem.GetString("akka.persistence.journal.plugin"));
        Assert.False(inmem.HasPath("akka.persistence.journal.inmem.event-adapter-bindings"), "backtests' journal tags events");
    }
}
