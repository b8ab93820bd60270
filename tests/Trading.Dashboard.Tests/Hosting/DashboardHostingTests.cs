using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Trading.Runtime.Configuration;
using Trading.Runtime.ReadModels;

namespace Trading.Dashboard.Tests.Hosting;

/// <summary>The <c>trading.dashboard</c> block and the real Kestrel host: defaults, HTTPS from a PKCS#12 file, one-line errors.</summary>
public class DashboardHostingTests
{
    private static (Config Root, string File) Conf(string dir, string block)
    {
        var file = Path.Combine(dir, "node.conf");
        File.WriteAllText(file, block);
        return (HoconFile.Load(file), file);
    }

    private static string TempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "trading-dashboard-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static void OwnerOnly(string file)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void No_block_is_no_dashboard_and_an_empty_block_has_the_documented_defaults()
    {
        var dir = TempDir();
        Assert.Null(DashboardSettings.FromConfig(Conf(dir, "trading { account-id = x }").Root, Path.Combine(dir, "node.conf")));
        var (root, file) = Conf(dir, "trading.dashboard { }");
        var s = DashboardSettings.FromConfig(root, file)!;
        Assert.Equal(("127.0.0.1", 8080, "trading.dashboard", TimeSpan.FromHours(8), 5, TimeSpan.FromMinutes(15), 10, false),
            (s.Host, s.Port, s.CookieName, s.SessionIdle, s.LockoutAttempts, s.LockoutDuration, s.LoginPerMinute, s.Https));
        (root, file) = Conf(dir, """
            trading.dashboard {
              bind = "[::1]:0"
              session-idle = 30m
              lockout { attempts = 3, duration = 1h }
              login-rate { per-minute = 20 }
              report-roots = ["runs"]
            }
            """);
        s = DashboardSettings.FromConfig(root, file)!;
        Assert.Equal(("::1", 0, TimeSpan.FromMinutes(30), 3, TimeSpan.FromHours(1), 20), (s.Host, s.Port, s.SessionIdle, s.LockoutAttempts, s.LockoutDuration, s.LoginPerMinute));
        Assert.Equal([Path.Combine(dir, "runs")], s.ReportRoots);
    }

    [Fact]
    public async Task With_a_certificate_the_dashboard_serves_HTTPS_on_kestrel_with_Secure_cookies_and_a_wrong_password_is_one_line_without_it()
    {
        var dir = TempDir();
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        const string password = "pfx-secret-8841";
        await File.WriteAllBytesAsync(Path.Combine(dir, "dash.pfx"), cert.Export(X509ContentType.Pkcs12, password));
        await File.WriteAllTextAsync(Path.Combine(dir, "dash.pass"), password + "\n");
        OwnerOnly(Path.Combine(dir, "dash.pass"));
        var (root, file) = Conf(dir, """trading.dashboard { bind = "127.0.0.1:0", certificate { file = "dash.pfx", password-file = "dash.pass" } }""");
        var settings = DashboardSettings.FromConfig(root, file)!;
        Assert.True(settings.Https);

        var database = ReadModelDatabase.Sqlite(Path.Combine(dir, "journal.db"));
        await using var app = await DashboardApp.StartAsync(settings, database, new DashboardSources("paper", new ReadModels(database)), CancellationToken.None);
        Assert.StartsWith("https://127.0.0.1:", app.Url);
        using var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == cert.Thumbprint });
        var login = await http.GetAsync(app.Url + "login");
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        Assert.All(login.Headers.GetValues("Set-Cookie"), c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));
        Assert.True(login.Headers.Contains("Strict-Transport-Security"));

        await File.WriteAllTextAsync(Path.Combine(dir, "dash.pass"), "not-the-pfx-password\n");
        var e = Assert.Throws<ConfigException>(() => DashboardSettings.FromConfig(root, file));
        Assert.Contains("'trading.dashboard.certificate.file'", e.Message);
        Assert.DoesNotContain("not-the-pfx-password", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(Path.Combine(dir, "dash.pass"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            Assert.Contains("chmod 600", Assert.Throws<ConfigException>(() => DashboardSettings.FromConfig(root, file)).Message);
        }
    }

    [Fact]
    public async Task A_port_in_use_is_one_IOException_line_naming_the_address()
    {
        var dir = TempDir();
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            var database = ReadModelDatabase.Sqlite(Path.Combine(dir, "journal.db"));
            var e = await Assert.ThrowsAsync<IOException>(() => DashboardApp.StartAsync(new DashboardSettings("127.0.0.1", port), database,
                new DashboardSources("paper", new ReadModels(database)), CancellationToken.None));
            Assert.StartsWith($"dashboard 127.0.0.1:{port}:", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        finally
        {
            listener.Stop();
        }
    }
}
