using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Threading.RateLimiting;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;
using Serilog;

namespace Trading.Data.TuShare;

/// <summary>How the client talks to TuShare (<c>trading.data.tushare</c> in hocon/base.conf documents each).</summary>
public sealed record TuShareOptions
{
    public const string DefaultBaseUrl = "http://api.tushare.pro";

    public Uri BaseUrl { get; init; } = new(DefaultBaseUrl);
    /// <summary>Calls a minute per API: the account's points tier (2000 points: 200; 5000: 500; 8000+: more).</summary>
    public int RatePerMinute { get; init; } = 200;
    /// <summary>One call's time limit (a call over it is retried).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Retries of a call after a timeout, a 5xx or a rate-limit answer (never after an auth or permission error).</summary>
    public int Retries { get; init; } = 5;
    /// <summary>The first retry's median delay; later ones double it (jittered), up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// TuShare Pro over HTTP: <see cref="HttpClient"/> behind a Polly resilience pipeline per API name — retry with
/// jittered exponential backoff (timeouts, 5xx, broken connections, TuShare's per-minute throttling) around a token
/// bucket that spaces the calls at the account's rate (TuShare limits each API separately, A_SHARE_RULES.md §4)
/// around a per-call timeout. Polly and System.Threading.RateLimiting rather than a hand-written loop: jitter,
/// queueing and cancellation are solved there and tested by their authors.
/// <para>The token is held here only: it goes into request bodies, which are never logged, and any text that comes
/// back from the server is scrubbed of it before it reaches a message.</para>
/// </summary>
public sealed class TuShareClient : IDisposable
{
    private static readonly ILogger Log = Serilog.Log.ForContext<TuShareClient>();
    private readonly string _token;
    private readonly HttpClient _http;
    private readonly TuShareOptions _options;
    private readonly ConcurrentDictionary<string, (RateLimiter Limiter, ResiliencePipeline Pipeline)> _apis = new(StringComparer.Ordinal);
    private int _calls, _retries;

    public TuShareClient(string token, TuShareOptions options, HttpMessageHandler? handler = null)
    {
        if (string.IsNullOrWhiteSpace(token)) throw new ArgumentException("empty TuShare token");
        if (options.RatePerMinute < 1) throw new ArgumentOutOfRangeException(nameof(options), "rate-per-minute must be at least 1");
        _token = token.Trim();
        _options = options;
        // The pipeline's timeout bounds each call; HttpClient's own would bypass the retry.
        _http = new HttpClient(handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    }

    public TuShareOptions Options => _options;

    /// <summary>HTTP calls sent so far (retries included).</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Calls that were retries of a failed one.</summary>
    public int Retries => Volatile.Read(ref _retries);

    /// <summary>
    /// One call: <paramref name="api"/> with <paramref name="parameters"/> (dates YYYYMMDD) and the comma-separated
    /// <paramref name="fields"/>. Throws <see cref="TuShareException"/> (a mapped, token-free message) when TuShare
    /// refuses, when retries are used up, or when the answer is not in TuShare's format.
    /// </summary>
    public async Task<TuShareTable> QueryAsync(string api, IReadOnlyDictionary<string, string> parameters, string fields, CancellationToken ct = default)
    {
        var pipeline = _apis.GetOrAdd(api, Build).Pipeline;
        try
        {
            return await pipeline.ExecuteAsync(async token => await CallAsync(api, parameters, fields, token), ct);
        }
        catch (TimeoutRejectedException)
        {
            throw new TuShareException(TuShareFailure.Unavailable, api, null,
                $"TuShare did not answer '{api}' within {_options.Timeout.TotalSeconds:0.#} s, {_options.Retries + 1} times; nothing was stored");
        }
        catch (HttpRequestException e)
        {
            // The message names the host and the socket error, never the body.
            throw new TuShareException(TuShareFailure.Unavailable, api, null,
                $"cannot reach TuShare at {_options.BaseUrl} for '{api}' after {_options.Retries + 1} attempts: {Scrub(e.Message)}; nothing was stored");
        }
        catch (TuShareException e) when (e.Transient)
        {
            throw new TuShareException(e.Failure, api, e.Code, $"{e.Message} (after {_options.Retries + 1} attempts); nothing was stored");
        }
    }

    private async Task<TuShareTable> CallAsync(string api, IReadOnlyDictionary<string, string> parameters, string fields, CancellationToken ct)
    {
        Interlocked.Increment(ref _calls);
        using var request = new HttpRequestMessage(HttpMethod.Post, _options.BaseUrl)
        {
            Content = new ByteArrayContent(TuShareProtocol.RequestBody(api, _token, parameters, fields)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        int status = (int)response.StatusCode;
        if (status >= 500)
            throw new TuShareException(TuShareFailure.Unavailable, api, null, $"TuShare answered '{api}' with HTTP {status} {response.ReasonPhrase}");
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
            throw new TuShareException(TuShareFailure.RateLimited, api, null, $"TuShare throttled '{api}' (HTTP 429)");
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            throw new TuShareException(TuShareFailure.Auth, api, null, $"TuShare refused '{api}' (HTTP {status}); set TUSHARE_TOKEN or --token-file to a valid token");
        if (!response.IsSuccessStatusCode)
            throw new TuShareException(TuShareFailure.Other, api, null, $"TuShare answered '{api}' with HTTP {status} {response.ReasonPhrase}");
        return TuShareProtocol.Parse(api, body, Scrub);
    }

    /// <summary>Server or socket text with the token replaced: a server may echo what it was sent.</summary>
    private string Scrub(string text) => text.Replace(_token, "***", StringComparison.Ordinal);

    /// <summary>
    /// A token bucket refilled every <c>max(60 s / rate, 100 ms)</c> with as many tokens as that period is worth and
    /// holding no more (no burst beyond one period), calls queued in order; then the per-API pipeline.
    /// </summary>
    private (RateLimiter, ResiliencePipeline) Build(string api)
    {
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMinutes(1).Ticks / _options.RatePerMinute, TimeSpan.FromMilliseconds(100).Ticks));
        int tokens = Math.Max(1, (int)Math.Round(_options.RatePerMinute * period.TotalMinutes));
        var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, _options.Retries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryDelay,
                MaxDelay = _options.MaxRetryDelay,
                ShouldHandle = new PredicateBuilder()
                    .Handle<TuShareException>(e => e.Transient)
                    .Handle<HttpRequestException>()
                    .Handle<TimeoutRejectedException>(),
                OnRetry = args =>
                {
                    Interlocked.Increment(ref _retries);
                    Log.Warning("TuShare {Api}: attempt {Attempt} failed ({Reason}); retrying in {Delay} ms", api, args.AttemptNumber + 1,
                        args.Outcome.Exception is TuShareException t ? t.Failure.ToString() : args.Outcome.Exception?.GetType().Name, (int)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            })
            .AddRateLimiter(limiter)
            .AddTimeout(_options.Timeout)
            .Build();
        return (limiter, pipeline);
    }

    public void Dispose()
    {
        foreach (var (limiter, _) in _apis.Values) limiter.Dispose();
        _http.Dispose();
    }
}
