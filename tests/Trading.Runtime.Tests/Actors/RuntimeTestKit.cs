using Akka.Configuration;

namespace Trading.Runtime.Tests.Actors;

/// <summary>Actor tests run with the project's own HOCON (in-memory journal) so they exercise the real settings.</summary>
public abstract class RuntimeTestKit(string? extra = null)
    : Akka.TestKit.Xunit2.TestKit(TradingSystem.LoadConfig(JournalKind.InMemory, extra: "akka.loglevel = WARNING\n" + (extra ?? "")))
{
    protected static readonly Func<DateTime> Clock = () => new DateTime(2024, 1, 2, 9, 30, 0);
}
