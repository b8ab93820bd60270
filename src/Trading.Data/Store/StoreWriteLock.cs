using System.Globalization;
using Trading.Data.Text;

namespace Trading.Data.Store;

/// <summary>How a writer waits for a store's lock.</summary>
public sealed record StoreLockOptions
{
    public static StoreLockOptions Default { get; } = new();

    /// <summary>False: fail at once when another writer holds the lock (the CLI's <c>--no-wait</c>).</summary>
    public bool Wait { get; init; } = true;

    /// <summary>The longest wait before giving up with a <see cref="StoreException"/>.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Told once, when the lock is busy and the wait begins ("waiting for the store lock held by pid N…").</summary>
    public Action<string>? OnWaiting { get; init; }

    /// <summary>How often a waiting writer retries.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);
}

/// <summary>
/// The single-writer lock of a store: an exclusive OS lock on <c>DIR/.lock</c> (flock(2) on Linux and macOS, a
/// share-none handle on Windows), taken before an import reads the current version and held until the new one is
/// current, so the whole read–merge–write is one writer's. The kernel releases it when the process ends, however
/// it ends: a killed writer never leaves the store locked. The lock file itself stays (deleting it on release would
/// let a waiter lock the unlinked file while a newcomer locks a new one); <c>DIR/.lock.owner</c> names the holder
/// for the messages of those who wait.
/// </summary>
public sealed class StoreWriteLock : IDisposable
{
    private const string LockFile = ".lock";
    private const string OwnerFile = ".lock.owner";
    private FileStream? _handle;

    private StoreWriteLock(string root, FileStream handle)
    {
        Root = root;
        _handle = handle;
    }

    /// <summary>The store folder (full path) this lock covers.</summary>
    public string Root { get; }

    internal bool Covers(string root) => _handle is not null && string.Equals(Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar),
        Root.TrimEnd(Path.DirectorySeparatorChar), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>Takes the lock of the store at <paramref name="root"/> (creating the folder), waiting as the options say.</summary>
    public static async Task<StoreWriteLock> AcquireAsync(string root, StoreLockOptions? options = null, CancellationToken ct = default)
    {
        options ??= StoreLockOptions.Default;
        if (FileLockingDisabled())
            throw new StoreException($"Cannot write store '{Printable.Escape(root)}': file locking is disabled in this process (DOTNET_SYSTEM_IO_DISABLEFILELOCKING), so concurrent writers could lose data.");
        var full = Path.GetFullPath(root);
        Directory.CreateDirectory(full);
        var path = Path.Combine(full, LockFile);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        bool told = false;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            FileStream? handle = null;
            try
            {
                handle = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException e) when (IsLockConflict(e))
            {
                // Held by another process: wait or give up below. Any other I/O failure propagates.
            }
            if (handle is not null)
            {
                WriteOwner(full);
                return new StoreWriteLock(full, handle);
            }
            var holder = Holder(full);
            if (!options.Wait)
                throw new StoreException($"Store '{Printable.Escape(root)}' is locked by another writer{holder}; nothing was written (try again when it has finished, or wait for it by leaving out --no-wait).");
            if (clock.Elapsed >= options.Timeout)
                throw new StoreException($"Gave up after {options.Timeout.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s waiting for the lock of store '{Printable.Escape(root)}', held by another writer{holder}; nothing was written.");
            if (!told)
            {
                told = true;
                options.OnWaiting?.Invoke($"waiting for the lock of store '{Printable.Escape(root)}' held by another writer{holder}…");
            }
            await Task.Delay(options.PollInterval, ct);
        }
    }

    /// <summary>EWOULDBLOCK from flock(2) (11 on Linux, 35 on macOS), or a sharing/lock violation on Windows.</summary>
    private static bool IsLockConflict(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    private static bool FileLockingDisabled() =>
        (AppContext.TryGetSwitch("System.IO.DisableFileLocking", out var disabled) && disabled)
        || Environment.GetEnvironmentVariable("DOTNET_SYSTEM_IO_DISABLEFILELOCKING") is "1" or "true";

    private static void WriteOwner(string root)
    {
        try
        {
            File.WriteAllText(Path.Combine(root, OwnerFile),
                $"pid {Environment.ProcessId} since {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* informational only */ }
    }

    /// <summary>" (pid N since T)" from the owner file, or "" when unknown.</summary>
    private static string Holder(string root)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(root, OwnerFile)).Trim();
            return text.Length is > 0 and < 100 ? $" ({Printable.Escape(text)})" : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref _handle, null);
        h?.Dispose();
    }
}
