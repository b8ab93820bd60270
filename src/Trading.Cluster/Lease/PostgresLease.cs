using System.Globalization;
using System.Text.Json;
using Akka.Actor;
using Akka.Coordination;
using Akka.Event;
using Hosting = Trading.Cluster.Hosting;

namespace Trading.Cluster.Lease;

/// <summary>
/// An <see cref="Akka.Coordination.Lease"/> on PostgreSQL with a fencing token (CLUSTER_FAILOVER.md "Two brains at once
/// happen — so fence"; no such lease ships on NuGet). <see cref="Acquire(Action{Exception})"/> takes the row of
/// <see cref="PostgresLeaseStore"/> and its <see cref="Token"/>, which is the brain's epoch: it rises on every change of
/// owner, so the write point can refuse whatever an older brain still sends. A heartbeat renews it every
/// <c>heartbeat-interval</c> (while owner and token still match); <see cref="CheckLease"/> answers locally from the
/// start of the last successful renew — true only while less than <c>heartbeat-timeout</c> (the ttl) minus a safety
/// margin has passed — so after a pause (GC, SIGSTOP, a frozen VM) it is false at once, before any database call and
/// before the database lets another node take over. A refused renew, or the local ttl passing without a successful one
/// (database errors are retried until then), runs the lease-lost callback once.
/// <para>
/// Made by <see cref="LeaseProvider"/> from <see cref="ConfigPath"/> (<see cref="Hocon"/> writes that block):
/// <c>LeaseProvider.Get(system).GetLease(name, PostgresLease.ConfigPath, owner)</c>, or as the cluster singleton's
/// lease with <c>akka.cluster.singleton.use-lease = "akka.coordination.lease.trading-postgres"</c> (the singleton
/// names its lease <c>SYSTEM-singleton-PATH</c> and its owner <c>host:port</c> itself). The connection string comes
/// from the actor system's <see cref="PostgresLeaseSetup"/>, else the owner-only <c>connection-file</c>, else
/// <c>TRADING_PG_CONNECTION</c> — never from HOCON text, never into a log.
/// </para>
/// </summary>
public sealed class PostgresLease : Akka.Coordination.Lease
{
    /// <summary>Where <see cref="Hocon"/> puts this lease's settings (beside Akka's own <c>akka.coordination.lease</c> defaults).</summary>
    public const string ConfigPath = "akka.coordination.lease.trading-postgres";

    private readonly PostgresLeaseStore _store;
    private readonly ILoggingAdapter _log;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl, _heartbeat, _validity;
    private readonly object _gate = new();

    // The current hold (token 0: none), guarded by _gate.
    private long _token;
    private long _lastToken;
    private long _renewedFrom;
    private Action<Exception>? _lost;
    private CancellationTokenSource? _beat;
    private ITimer? _expiry;

    /// <summary>The constructor <see cref="LeaseProvider"/> calls.</summary>
    public PostgresLease(LeaseSettings settings, ExtendedActorSystem system)
        : this(settings, OpenStore(settings, system), Logging.GetLogger(system, typeof(PostgresLease)), TimeProvider.System)
    {
        system.RegisterOnTermination(() =>
        {
            Stop();
            _store.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(5));
        });
    }

    /// <summary>Tests: a given store, log and clock (a clock that jumps is a process pause).</summary>
    internal PostgresLease(LeaseSettings settings, PostgresLeaseStore store, ILoggingAdapter log, TimeProvider time) : base(settings)
    {
        if (string.IsNullOrWhiteSpace(settings.OwnerName)) throw new Akka.Configuration.ConfigurationException($"lease '{settings.LeaseName}': the owner name must not be empty");
        _store = store;
        _log = log;
        _time = time;
        _ttl = settings.TimeoutSettings.HeartbeatTimeout;
        _heartbeat = settings.TimeoutSettings.HeartbeatInterval;
        var margin = settings.LeaseConfig.HasPath("safety-margin") ? settings.LeaseConfig.GetTimeSpan("safety-margin", null, false) : _ttl / 5;
        _validity = _ttl - margin;
        if (_validity <= _heartbeat)
            throw new Akka.Configuration.ConfigurationException($"{ConfigPath}: heartbeat-timeout ({_ttl.TotalMilliseconds:0}ms) minus safety-margin ({margin.TotalMilliseconds:0}ms) must be longer than heartbeat-interval ({_heartbeat.TotalMilliseconds:0}ms)");
    }

    /// <summary>
    /// The fencing token of the current hold — the brain's epoch — or 0 when this lease is not held (never acquired,
    /// released, lost, or its local ttl passed).
    /// </summary>
    public long Token => CheckLease() ? Interlocked.Read(ref _token) : 0;

    /// <summary>The database the lease lives in (host:port/database as user), for logs.</summary>
    public string Database => _store.Description;

    /// <summary>How long <see cref="CheckLease"/> trusts a successful renew: the ttl minus the safety margin.</summary>
    public TimeSpan Validity => _validity;

    public override Task<bool> Acquire() => Acquire(null!);

    public override async Task<bool> Acquire(Action<Exception> leaseLostCallback)
    {
        var start = _time.GetTimestamp();
        var token = await _store.AcquireAsync(Settings.LeaseName, Settings.OwnerName, _ttl);
        if (token is not { } t)
        {
            _log.Info("Lease {Lease} is held by another owner; {Owner} did not get it", Settings.LeaseName, Settings.OwnerName);
            return false;
        }
        CancellationTokenSource beat;
        lock (_gate)
        {
            StopLocked();
            _token = _lastToken = t;
            _renewedFrom = start;
            _lost = leaseLostCallback;
            _beat = beat = new CancellationTokenSource();
            _expiry = _time.CreateTimer(_ => OnExpiry(t), null, _validity, Timeout.InfiniteTimeSpan);
        }
        _log.Info("Lease {Lease} acquired by {Owner} with token {Token} (ttl {Ttl}, database {Database})", Settings.LeaseName, Settings.OwnerName, t, _ttl, _store.Description);
        _ = Task.Run(() => HeartbeatAsync(t, beat.Token));
        return true;
    }

    /// <summary>
    /// Stops renewing and frees the row (expired, no owner, same token: the next owner's token is higher). Also after
    /// a loss: the row may still be ours, and freeing it lets the standby in before the ttl. False: the row was not
    /// ours (any more).
    /// </summary>
    public override async Task<bool> Release()
    {
        long token;
        lock (_gate)
        {
            token = _lastToken;
            _lost = null;
            _token = 0;
            StopLocked();
        }
        if (token == 0) return false;
        var released = await _store.ReleaseAsync(Settings.LeaseName, Settings.OwnerName, token);
        _log.Info("Lease {Lease} released by {Owner} (token {Token}): {Released}", Settings.LeaseName, Settings.OwnerName, token, released ? "freed" : "not ours any more");
        return released;
    }

    /// <summary>Local, without a database call: held, and the last successful renew started less than <see cref="Validity"/> ago.</summary>
    public override bool CheckLease()
    {
        long token;
        lock (_gate)
        {
            token = _token;
            if (token == 0) return false;
            if (!ExpiredLocked(_time.GetTimestamp())) return true;
        }
        Lose(token, $"no successful renew within {_validity.TotalMilliseconds:0}ms (a pause, or the database unreachable)");
        return false;
    }

    private async Task HeartbeatAsync(long token, CancellationToken stop)
    {
        var next = _time.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            var wait = _heartbeat - _time.GetElapsedTime(next);
            try
            {
                if (wait > TimeSpan.Zero) await Task.Delay(wait, _time, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var start = next = _time.GetTimestamp();
            lock (_gate)
            {
                if (_token != token) return;
                if (ExpiredLocked(start)) break;
            }
            bool renewed;
            try
            {
                renewed = await _store.RenewAsync(Settings.LeaseName, Settings.OwnerName, token, _ttl, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (LeaseStoreUnavailableException e)
            {
                _log.Warning("Lease {Lease} renew failed, retrying: {Reason}", Settings.LeaseName, e.Message);
                continue;
            }
            if (!renewed)
            {
                Lose(token, "the renew was refused: another owner has taken the lease (or it was released)");
                return;
            }
            lock (_gate)
            {
                if (_token != token) return;
                // A renew that answers only after the local ttl passed does not bring the lease back: the loss counts.
                if (ExpiredLocked(_time.GetTimestamp())) break;
                _renewedFrom = start;
                _expiry?.Change(_validity - _time.GetElapsedTime(start), Timeout.InfiniteTimeSpan);
            }
        }
        if (!stop.IsCancellationRequested) CheckLease();
    }

    private void OnExpiry(long token)
    {
        lock (_gate)
        {
            if (_token != token) return;
            var left = _validity - _time.GetElapsedTime(_renewedFrom);
            if (left > TimeSpan.Zero)
            {
                // Renewed since this was armed (the re-arm raced it): wait for the rest.
                _expiry?.Change(left, Timeout.InfiniteTimeSpan);
                return;
            }
        }
        CheckLease();
    }

    /// <summary>Ends the hold of <paramref name="token"/> (if still current) and runs the lost callback once.</summary>
    private void Lose(long token, string reason)
    {
        Action<Exception>? callback;
        lock (_gate)
        {
            if (_token != token) return;
            _token = 0;
            callback = _lost;
            _lost = null;
            StopLocked();
        }
        _log.Warning("Lease {Lease} lost by {Owner} (token {Token}): {Reason}", Settings.LeaseName, Settings.OwnerName, token, reason);
        try
        {
            callback?.Invoke(new LeaseException($"lease '{Settings.LeaseName}' lost by {Settings.OwnerName} (token {token}): {reason}"));
        }
        catch (Exception e)
        {
            _log.Error(e, "Lease {Lease}: the lease-lost callback failed", Settings.LeaseName);
        }
    }

    private bool ExpiredLocked(long now) => _time.GetElapsedTime(_renewedFrom, now) >= _validity;

    private void Stop()
    {
        lock (_gate) StopLocked();
    }

    private void StopLocked()
    {
        // Cancelled, not disposed: the heartbeat still holds its token.
        _beat?.Cancel();
        _beat = null;
        _expiry?.Dispose();
        _expiry = null;
    }

    private static PostgresLeaseStore OpenStore(LeaseSettings settings, ExtendedActorSystem system)
    {
        var file = settings.LeaseConfig.HasPath("connection-file") && settings.LeaseConfig.GetString("connection-file") is { Length: > 0 } f ? f : null;
        var setup = system.Settings.Setup.Get<PostgresLeaseSetup>();
        var (connection, source) = LeaseConnection.Resolve(setup.HasValue ? setup.Value.ConnectionString : null, file, $"{ConfigPath}.connection-file");
        return PostgresLeaseStore.Open(connection, settings.TimeoutSettings.OperationTimeout, source);
    }

    /// <summary>
    /// The HOCON of <see cref="ConfigPath"/> for a node's <c>trading.cluster.lease</c>: the lease class, the ttl as
    /// Akka's <c>heartbeat-timeout</c>, the heartbeat and the operation timeout, and the connection file's path (a
    /// path, not the secret). Add it to the actor system's config before asking <see cref="LeaseProvider"/>.
    /// </summary>
    public static string Hocon(Hosting.LeaseSettings settings)
    {
        // Akka's TimeoutSettings refuses exactly half (ArgumentException at the first GetLease): say so now, naming the key.
        if (settings.Heartbeat * 2 >= settings.Ttl)
            throw new Trading.Runtime.Configuration.ConfigException($"'trading.cluster.lease.heartbeat-interval' = {settings.Heartbeat.TotalMilliseconds:0}ms must be less than half of ttl ({settings.Ttl.TotalMilliseconds:0}ms).");
        static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var file = settings.ConnectionFile is { } f ? $"\n  connection-file = {JsonSerializer.Serialize(f)}" : "";
        return $$"""
            {{ConfigPath}} {
              lease-class = "{{typeof(PostgresLease).FullName}}, {{typeof(PostgresLease).Assembly.GetName().Name}}"
              heartbeat-timeout = {{Ms(settings.Ttl)}}
              heartbeat-interval = {{Ms(settings.Heartbeat)}}
              lease-operation-timeout = {{Ms(settings.OperationTimeout)}}{{file}}
            }
            """;
    }
}
