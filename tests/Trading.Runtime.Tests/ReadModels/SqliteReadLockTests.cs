using System.Data;
using Microsoft.Data.Sqlite;

namespace Trading.Runtime.Tests.ReadModels;

/// <summary>
/// Why hocon/persistence.sqlite.conf sets the query plugin's <c>read-isolation-level = read-uncommitted</c>: with
/// Microsoft.Data.Sqlite the default level begins IMMEDIATE (the write lock) even for a read, so every polling read
/// of the read journal would hold the order path's writes; ReadUncommitted begins deferred and blocks no writer.
/// </summary>
public class SqliteReadLockTests
{
    [Fact]
    public void A_read_uncommitted_transaction_leaves_the_write_lock_free_and_the_default_one_takes_it()
    {
        var file = Path.Combine(Path.GetTempPath(), $"locks-{Guid.NewGuid():N}.db");
        try
        {
            using var reader = new SqliteConnection($"Data Source={file};Pooling=false");
            reader.Open();
            using (var init = reader.CreateCommand())
            {
                init.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);";
                init.ExecuteNonQuery();
            }
            using var writer = new SqliteConnection($"Data Source={file};Pooling=false;Default Timeout=1");
            writer.Open();
            bool CanWrite()
            {
                using var busy = writer.CreateCommand();
                busy.CommandText = "PRAGMA busy_timeout=0;";
                busy.ExecuteNonQuery();
                try
                {
                    using var tx = writer.BeginTransaction();
                    using var insert = writer.CreateCommand();
                    insert.Transaction = tx;
                    insert.CommandText = "INSERT INTO t VALUES (2)";
                    insert.ExecuteNonQuery();
                    tx.Commit();
                    return true;
                }
                catch (SqliteException e) when (e.SqliteErrorCode == 5)
                {
                    return false;
                }
            }
            foreach (var (level, writable) in new[] { (IsolationLevel.ReadUncommitted, true), (IsolationLevel.Unspecified, false) })
            {
                using var read = reader.BeginTransaction(level);
                using var q = reader.CreateCommand();
                q.Transaction = read;
                q.CommandText = "SELECT COUNT(*) FROM t";
                q.ExecuteScalar();
                Assert.True(CanWrite() == writable, $"{level}: a writer {(writable ? "was blocked" : "was not blocked")} by a reading transaction");
                read.Commit();
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(file) + "*")) File.Delete(f);
        }
    }
}
