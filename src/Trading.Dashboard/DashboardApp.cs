using System.Globalization;
using System.Net;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Trading.Dashboard.Audit;
using Trading.Dashboard.Auth;
using Trading.Dashboard.Controls;
using Trading.Dashboard.Live;
using Trading.Dashboard.Notes;
using Trading.Dashboard.Reports;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard;

/// <summary>
/// The web dashboard's server: Kestrel on <see cref="DashboardSettings"/>' address (HTTPS with its certificate), cookie
/// logins against <c>dash_users</c>, the three roles as policies, antiforgery on every state-changing request, a login
/// rate per client address and lock-out, security headers, the audit trail, controls, notes and the report library —
/// and the live views (<see cref="LiveDashboard"/>) on top. Everything here is the framework's (ASP.NET Core from the
/// shared framework): authentication, authorization, antiforgery, rate limiting and password hashing are solved
/// problems with reviewed implementations, so this class only wires them and states the rules.
/// </summary>
public sealed class DashboardApp : IAsyncDisposable
{
    /// <summary>
    /// Scripts only from the dashboard itself (no inline script: a stored note or alert text cannot run); inline styles
    /// are allowed because the charting library positions its tooltips with style attributes. Frames only from itself
    /// (a report opens in place), no plugins, forms post only here.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";

    /// <summary>
    /// A stored report is self-contained (its chart library and data inline): it may run its own inline script, but in a
    /// sandbox (an opaque origin: no cookies, no calls to the dashboard's API) and with no network at all.
    /// </summary>
    public const string ReportSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'; sandbox allow-scripts";

    private const string LoginRate = "login";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    // Looked up at each use: a node replaces the process logger with its own for a run.
    private static Serilog.ILogger Log => Serilog.Log.ForContext<DashboardApp>();
    private readonly WebApplication _app;

    private DashboardApp(WebApplication app, int port, string url)
    {
        _app = app;
        Port = port;
        Url = url;
    }

    public int Port { get; }
    public string Url { get; }

    /// <summary>Builds and starts the dashboard; a port that cannot be bound is one <see cref="IOException"/> line naming the address.</summary>
    public static async Task<DashboardApp> StartAsync(DashboardSettings settings, ReadModelDatabase database, DashboardSources sources, CancellationToken ct,
        TimeProvider? time = null)
    {
        var app = Create(settings, database, sources, time ?? TimeProvider.System);
        var port = await Trading.Cluster.Health.NodeWebHost.StartAsync(app, message =>
            $"dashboard {settings.Host}:{settings.Port}: {string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries))} (trading.dashboard.bind)", ct);
        var url = settings.Url(port);
        Log.Information("Dashboard on {Url} (account {Account}, database {Database})", url, sources.AccountId, database.Description);
        if (!settings.Https)
            Log.Warning("Dashboard without a certificate: plain HTTP, cookies are Secure only on HTTPS requests (set trading.dashboard.certificate off a trusted network)");
        return new DashboardApp(app, port, url);
    }

    /// <summary>
    /// The application, not started. <paramref name="web"/> adjusts the web host (tests: <c>UseTestServer</c>).
    /// </summary>
    public static WebApplication Create(DashboardSettings settings, ReadModelDatabase database, DashboardSources sources, TimeProvider time,
        Action<IWebHostBuilder>? web = null)
    {
        // Kestrel's console chatter off (our lines go to Serilog), no signal hooked: the node's own host stops this one.
        var builder = Trading.Cluster.Health.NodeWebHost.CreateBuilder();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = 1_000_000;
            Trading.Cluster.Health.NodeWebHost.Listen(k, settings.Host, settings.Port, l => { if (settings.Certificate is { } cert) l.UseHttps(cert); });
        });
        web?.Invoke(builder.WebHost);

        var users = new DashboardUsers(database, time);
        var audit = new DashboardAudit(database, time);
        var notes = new NoteStore(database, time);
        var library = new ReportLibrary(sources.ReportRoots.Concat(settings.ReportRoots).ToArray(), time);
        var control = new DashboardControl(sources.System, TimeSpan.FromSeconds(20));
        builder.Services.AddSingleton(settings).AddSingleton(sources).AddSingleton(users).AddSingleton(audit).AddSingleton(notes)
            .AddSingleton(library).AddSingleton(control).AddSingleton(time);

        var secure = settings.Https ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = settings.CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = secure;
            o.ExpireTimeSpan = settings.SessionIdle;
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.LogoutPath = "/logout";
            o.TimeProvider = time;
            o.Events.OnRedirectToLogin = ctx => Refuse(ctx, StatusCodes.Status401Unauthorized, redirect: true);
            // A role too low is refused by the policy before any handler runs: audited here, so a viewer's attempt at a
            // control (or any other refused action) is in the trail too.
            o.Events.OnRedirectToAccessDenied = async ctx =>
            {
                await audit.WriteAsync(ctx.HttpContext.User.Identity?.Name ?? "(anonymous)", "refused",
                    $"{ctx.Request.Method} {ctx.Request.Path}: role {ctx.HttpContext.User.FindFirstValue(ClaimTypes.Role) ?? "(none)"} too low", false,
                    ctx.HttpContext.RequestAborted);
                await Refuse(ctx, StatusCodes.Status403Forbidden, redirect: false);
            };
            // A removed user's session, or one whose role changed, ends at its next request.
            o.Events.OnValidatePrincipal = async ctx =>
            {
                var name = ctx.Principal?.Identity?.Name;
                var role = ctx.Principal?.FindFirstValue(ClaimTypes.Role);
                if (name is null || await users.RoleOfAsync(name, ctx.HttpContext.RequestAborted) != role)
                {
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
            };
        });
        builder.Services.AddAuthorization(o =>
        {
            foreach (var role in DashboardPolicies.Roles)
                o.AddPolicy(role, p => p.RequireAuthenticatedUser().RequireRole(DashboardPolicies.Admitted(role)));
        });
        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            o.Cookie.Name = settings.CookieName + ".csrf";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = secure;
        });
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LoginRate, ctx => RateLimitPartition.GetFixedWindowLimiter(ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.LoginPerMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (ctx, ct) =>
                await audit.WriteAsync("(anonymous)", "login rate-limited", $"from {ctx.HttpContext.Connection.RemoteIpAddress}", false, ct);
        });
        builder.Services.AddLiveDashboard(sources, settings.Live);

        var app = builder.Build();
        app.Use(SecurityHeaders(settings.Https));
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.Use(ValidateAntiforgery);
        MapAuth(app, settings, users, audit);
        MapApi(app, audit, notes, library, control);
        app.MapLiveDashboard();
        return app;
    }

    /// <summary>A page's request without a session goes to the login page; an API's or a hub's gets the status.</summary>
    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> ctx, int status, bool redirect)
    {
        var path = ctx.Request.Path;
        if (redirect && !path.StartsWithSegments("/api") && !path.StartsWithSegments("/hubs")) ctx.Response.Redirect("/login");
        else ctx.Response.StatusCode = status;
        return Task.CompletedTask;
    }

    private static Func<HttpContext, RequestDelegate, Task> SecurityHeaders(bool https) => (ctx, next) =>
    {
        ctx.Response.OnStarting(() =>
        {
            var h = ctx.Response.Headers;
            if (!h.ContainsKey("Content-Security-Policy")) h.ContentSecurityPolicy = ContentSecurityPolicy;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "SAMEORIGIN";
            h["Referrer-Policy"] = "same-origin";
            if (https) h.StrictTransportSecurity = "max-age=31536000";
            return Task.CompletedTask;
        });
        return next(ctx);
    };

    /// <summary>
    /// Every POST, PUT, PATCH and DELETE carries the antiforgery token — the login form as a field, the pages' calls in
    /// the <c>X-CSRF-TOKEN</c> header (from <c>/api/me</c>) — matching its cookie; else 400 before any handler runs.
    /// </summary>
    private static async Task ValidateAntiforgery(HttpContext ctx, RequestDelegate next)
    {
        if (HttpMethods.IsPost(ctx.Request.Method) || HttpMethods.IsPut(ctx.Request.Method) || HttpMethods.IsPatch(ctx.Request.Method)
            || HttpMethods.IsDelete(ctx.Request.Method))
        {
            var antiforgery = ctx.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(ctx))
            {
                ctx.Response.StatusCode = StatusCodes.Status400BadRequest;
                await ctx.Response.WriteAsJsonAsync(new { ok = false, text = "missing or invalid antiforgery token (X-CSRF-TOKEN)" }, Json);
                return;
            }
        }
        await next(ctx);
    }

    private static void MapAuth(WebApplication app, DashboardSettings settings, DashboardUsers users, DashboardAudit audit)
    {
        // Handlers take more than the HttpContext: a lambda of HttpContext alone returning a Task binds as a
        // RequestDelegate, and its IResult would be dropped (an empty 200).
        app.MapGet("/login", (HttpContext ctx, IAntiforgery antiforgery, string? error) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(ctx);
            ctx.Response.Headers.CacheControl = "no-store";
            return Results.Content(LoginPage.Html(tokens.FormFieldName, tokens.RequestToken!, error), "text/html; charset=utf-8");
        }).AllowAnonymous();
        app.MapGet("/auth/login.css", () => Results.Text(LoginPage.Css, "text/css; charset=utf-8")).AllowAnonymous();

        app.MapPost("/login", async (HttpContext ctx, CancellationToken aborted) =>
        {
            var form = await ctx.Request.ReadFormAsync(ctx.RequestAborted);
            var name = form["username"].ToString().Trim();
            var password = form["password"].ToString();
            var shown = name.Length is > 0 and <= 64 && name.All(c => !char.IsControl(c)) ? name : "(invalid name)";
            var from = ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            var result = await users.LoginAsync(name, password, settings.LockoutAttempts, settings.LockoutDuration, ctx.RequestAborted);
            switch (result.Outcome)
            {
                case LoginOutcome.Ok:
                    var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, result.Role!)],
                        CookieAuthenticationDefaults.AuthenticationScheme);
                    await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
                    await audit.WriteAsync(name, "login", $"{result.Role} from {from}", true, ctx.RequestAborted);
                    return Results.Redirect("/");
                case LoginOutcome.Locked:
                    await audit.WriteAsync(shown, result.LockedNow ? "login locked out" : "login refused: locked",
                        result.LockedNow ? $"{settings.LockoutAttempts} failed logins in a row: locked for {settings.LockoutDuration}, from {from}" : $"locked user, from {from}",
                        false, ctx.RequestAborted);
                    return Results.Redirect("/login?error=locked");
                default:
                    await audit.WriteAsync(shown, "login failed", $"wrong user name or password, from {from}", false, ctx.RequestAborted);
                    return Results.Redirect("/login?error=wrong");
            }
        }).AllowAnonymous().RequireRateLimiting(LoginRate);

        app.MapPost("/logout", async (HttpContext ctx, CancellationToken aborted) =>
        {
            var name = ctx.User.Identity?.IsAuthenticated == true ? ctx.User.Identity.Name ?? "(unknown)" : null;
            await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            if (name is not null) await audit.WriteAsync(name, "logout", "", true, ctx.RequestAborted);
            return Results.Redirect("/login");
        }).AllowAnonymous();

        app.MapGet("/api/me", (HttpContext ctx, IAntiforgery antiforgery) => Results.Json(new
        {
            user = ctx.User.Identity!.Name,
            role = ctx.User.FindFirstValue(ClaimTypes.Role),
            csrf = antiforgery.GetAndStoreTokens(ctx).RequestToken,
        }, Json)).RequireAuthorization(DashboardPolicies.Viewer);
    }

    private static void MapApi(WebApplication app, DashboardAudit audit, NoteStore notes, ReportLibrary library, DashboardControl control)
    {
        app.MapPost("/api/control", async (HttpContext ctx, CancellationToken aborted) =>
        {
            var (user, role) = (ctx.User.Identity!.Name!, ctx.User.FindFirstValue(ClaimTypes.Role)!);
            ControlBody? body;
            try { body = await ctx.Request.ReadFromJsonAsync<ControlBody>(Json, ctx.RequestAborted); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException) { body = null; }
            var command = body?.Command?.Trim().ToLowerInvariant() ?? "";
            var args = (body?.Args ?? []).Select(a => (a ?? "").Trim()).ToArray();
            var what = args.Length == 0 ? command : $"{command} {string.Join(' ', args)}";
            if (body is null || !DashboardCommands.All.Contains(command))
                return Results.Json(new { ok = false, text = $"command must be one of {string.Join(", ", DashboardCommands.All)}" }, Json, statusCode: 400);
            if (args.Length > 8 || args.Any(a => a.Length > 200 || a.Any(char.IsControl)))
                return Results.Json(new { ok = false, text = "at most 8 arguments of at most 200 characters" }, Json, statusCode: 400);
            if (DashboardCommands.NeedsConfirmation(command) && body.Confirm != true)
                return Results.Json(new { ok = false, text = $"'{command}' changes trading: send confirm = true after asking the user" }, Json, statusCode: 400);
            if (!DashboardCommands.Admits(role, command))
            {
                var why = $"role {role} may not {command}; needs {DashboardCommands.Required(command)}";
                await audit.WriteAsync(user, "control", $"{what} → refused: {why}", false, ctx.RequestAborted);
                return Results.Json(new { ok = false, text = why }, Json, statusCode: 403);
            }
            if (!control.Available)
            {
                await audit.WriteAsync(user, "control", $"{what} → refused: standalone dashboard", false, ctx.RequestAborted);
                return Results.Json(new { ok = false, text = "controls need the dashboard on a node" }, Json, statusCode: 503);
            }
            var reply = await control.SendAsync(user, role, command, args, ctx.RequestAborted);
            if (reply is null)
            {
                await audit.WriteAsync(user, "control", $"{what} → failed: no control endpoint on this node", false, ctx.RequestAborted);
                return Results.Json(new { ok = false, text = "no control endpoint on this node" }, Json, statusCode: 503);
            }
            await audit.WriteAsync(user, "control", $"{what} → {(reply.Ok ? "ok" : "failed")}: {reply.Text}", reply.Ok, ctx.RequestAborted);
            JsonNode? json = null;
            try { json = reply.Json is { } j ? JsonNode.Parse(j) : null; }
            catch (JsonException) { }
            return Results.Json(new { ok = reply.Ok, text = reply.Text, json }, Json);
        }).RequireAuthorization(DashboardPolicies.Operator);

        app.MapGet("/api/notes", async (HttpContext ctx, string? from, string? to) =>
        {
            if (!TryDate(from, out var f) || !TryDate(to, out var t))
                return Results.Json(new { ok = false, text = "from and to must be dates YYYY-MM-DD" }, Json, statusCode: 400);
            return Results.Json(await notes.ListAsync(f, t, ctx.RequestAborted), Json);
        }).RequireAuthorization(DashboardPolicies.Viewer);

        app.MapPost("/api/notes", async (HttpContext ctx, CancellationToken aborted) =>
        {
            NoteBody? body;
            try { body = await ctx.Request.ReadFromJsonAsync<NoteBody>(Json, ctx.RequestAborted); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or BadHttpRequestException) { body = null; }
            if (body is null) return Results.Json(new { ok = false, text = "expected JSON {targetKind, targetId, text}" }, Json, statusCode: 400);
            var user = ctx.User.Identity!.Name!;
            try
            {
                var note = await notes.AddAsync(user, body.TargetKind, body.TargetId, body.Text, ctx.RequestAborted);
                await audit.WriteAsync(user, "note", $"#{note.Id} on {note.TargetKind} {note.TargetId} ({note.Text.Length} characters)", true, ctx.RequestAborted);
                return Results.Json(note, Json);
            }
            catch (NoteException e)
            {
                return Results.Json(new { ok = false, text = e.Message }, Json, statusCode: 400);
            }
        }).RequireAuthorization(DashboardPolicies.Operator);

        app.MapGet("/api/reports", (string? q, string? from, string? to, string? strategy) =>
        {
            if (!TryDate(from, out var f) || !TryDate(to, out var t))
                return Results.Json(new { ok = false, text = "from and to must be dates YYYY-MM-DD" }, Json, statusCode: 400);
            return Results.Json(library.Search(q, f, t, strategy).Select(r => new
            {
                id = r.Id, kind = r.Kind, title = r.Title, strategy = r.Strategy,
                date = r.Date?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), url = r.Url,
            }), Json);
        }).RequireAuthorization(DashboardPolicies.Viewer);

        app.MapGet("/reports/{id}", (HttpContext ctx, string id) =>
        {
            if (library.Find(id) is not { } report) return Results.NotFound();
            ctx.Response.Headers.ContentSecurityPolicy = ReportSecurityPolicy;
            return Results.File(report.File, "text/html; charset=utf-8");
        }).RequireAuthorization(DashboardPolicies.Viewer);

        app.MapGet("/api/audit", async (HttpContext ctx, CancellationToken aborted) => Results.Json(await audit.RecentAsync(200, ctx.RequestAborted), Json))
            .RequireAuthorization(DashboardPolicies.Admin);
    }

    private static bool TryDate(string? text, out DateOnly? date)
    {
        date = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return false;
        date = d;
        return true;
    }

    private sealed record ControlBody(string? Command, string?[]? Args, bool? Confirm);

    private sealed record NoteBody(string? TargetKind, string? TargetId, string? Text);

    public Task StopAsync(CancellationToken ct) => _app.StopAsync(ct);

    public async ValueTask DisposeAsync()
    {
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2))) await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>The dashboard on a node's generic host.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>
    /// Starts the dashboard with the host and stops it on shutdown; call after <c>AddAkka</c> (hosted services start in
    /// order, and <paramref name="sources"/> may ask for the running actor system). <paramref name="settings"/> null (no
    /// <c>trading.dashboard</c> block): nothing is added. <paramref name="started"/> gets the URL (the node prints it).
    /// </summary>
    public static IServiceCollection AddTradingDashboard(this IServiceCollection services, DashboardSettings? settings, ReadModelDatabase database,
        Func<IServiceProvider, DashboardSources> sources, Action<string>? started = null)
    {
        if (settings is null) return services;
        return services.AddHostedService(sp => new DashboardHostedService(settings, database, () => sources(sp), started));
    }

    private sealed class DashboardHostedService(DashboardSettings settings, ReadModelDatabase database, Func<DashboardSources> sources, Action<string>? started)
        : IHostedService
    {
        private DashboardApp? _app;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            _app = await DashboardApp.StartAsync(settings, database, sources(), cancellationToken);
            started?.Invoke(_app.Url);
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_app is not null) await _app.DisposeAsync();
        }
    }
}
