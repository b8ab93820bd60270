using Akka;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace Trading.Runtime.ReadModels;

/// <summary>
/// Projects the tagged journal into the read models (<see cref="ReadModelStore"/>): one live EventsByTag stream per
/// tag (Akka.Persistence.Query over Akka.Persistence.Sql's read journal), starting after the offset stored for the
/// tag, in batches of up to <see cref="BatchSize"/> events or what <see cref="BatchWindow"/> gathers, each batch
/// written with its offset in one transaction. A failing stream (the database away) restarts with backoff from the
/// offset last stored, so nothing is skipped and nothing counted twice. The streams run on this actor's materializer
/// and stop with it. Only for a node with a durable journal (the query plugin is configured by
/// hocon/persistence.sqlite.conf and persistence.postgres.conf).
/// </summary>
public sealed class ReadModelProjector : ReceiveActor
{
    public const int BatchSize = 500;
    public static readonly TimeSpan BatchWindow = TimeSpan.FromMilliseconds(200);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly ReadModelStore _store;

    public static Props Props(ReadModelDatabase database) => Akka.Actor.Props.Create(() => new ReadModelProjector(database));

    public ReadModelProjector(ReadModelDatabase database)
    {
        _store = new ReadModelStore(database, _log);
        ReceiveAsync<Start>(async start =>
        {
            await database.EnsureSchemaAsync();
            var journal = ReadJournal(Context.System);
            var materializer = Context.Materializer();
            foreach (var tag in ReadModelStore.ProjectedTags)
                _ = RestartSource.OnFailuresWithBackoff(() => Live(journal, tag), RestartSettings.Create(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), 0.2))
                    .RunWith(Sink.Ignore<int>(), materializer);
            _log.Info("Read models: projecting tags {0} into {1}", string.Join(", ", ReadModelStore.ProjectedTags), database.Description);
        });
    }

    protected override void PreStart() => Self.Tell(Start.Instance);

    private Source<int, NotUsed> Live(SqlReadJournal journal, string tag) =>
        Source.FromTask(_store.OffsetAsync(tag))
            .ConcatMany(offset => journal.EventsByTag(tag, Offset.Sequence(offset)))
            .Via(Project(_store, tag));

    /// <summary>The read journal of a system started with a durable journal.</summary>
    public static SqlReadJournal ReadJournal(ActorSystem system) =>
        PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>("akka.persistence.query.journal.sql");

    /// <summary>
    /// Brings the read models up to the journal's current end and returns how many events each tag added (for
    /// <c>trading journal export</c> and tests: CurrentEventsByTag, which completes). Safe beside a running projector:
    /// every write is an upsert guarded by sequence numbers.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, long>> CatchUpAsync(ActorSystem system, ReadModelDatabase database, CancellationToken ct = default)
    {
        await database.EnsureSchemaAsync(ct);
        var store = new ReadModelStore(database, Logging.GetLogger(system, nameof(ReadModelProjector)));
        var journal = ReadJournal(system);
        var materializer = system.Materializer();
        var counts = new Dictionary<string, long>();
        foreach (var tag in ReadModelStore.ProjectedTags)
        {
            var offset = await store.OffsetAsync(tag, ct);
            counts[tag] = await journal.CurrentEventsByTag(tag, Offset.Sequence(offset))
                .Via(Project(store, tag))
                .RunAggregate(0L, (n, k) => n + k, materializer);
        }
        return counts;
    }

    private static Flow<EventEnvelope, int, NotUsed> Project(ReadModelStore store, string tag) =>
        Flow.Create<EventEnvelope>()
            .GroupedWithin(BatchSize, BatchWindow)
            .SelectAsync(1, async envelopes =>
            {
                var batch = envelopes.Select(e => new JournalEvent(((Sequence)e.Offset).Value, e.PersistenceId, e.SequenceNr, e.Event,
                    new DateTime(e.Timestamp, DateTimeKind.Utc))).ToList();
                await store.ApplyAsync(tag, batch);
                return batch.Count;
            });

    private sealed class Start
    {
        public static readonly Start Instance = new();
    }
}
