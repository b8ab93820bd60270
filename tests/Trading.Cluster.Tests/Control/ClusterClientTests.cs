using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Configuration;
using Trading.Cluster.Control;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Tests.Control;

/// <summary>
/// The console's real path: two actor systems on 127.0.0.1 (ports 0) — a cluster node whose endpoint is registered
/// with the receptionist, and the console's client system — in clear and over Akka.Remote's TLS.
/// </summary>
public class ClusterClientTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task The_console_reaches_the_endpoint_through_the_receptionist_and_a_dead_address_is_one_clear_error()
    {
        var node = ControlFixtures.ClusterNode();
        try
        {
            var port = await ControlFixtures.JoinSelf(node);
            ControlEndpoint.Start(node, new ControlEndpointSetup(node.ActorOf(Props.Create<EchoBrain>()), ControlFixtures.Users, Wait));
            await using (var console = ControlClient.Connect([$"127.0.0.1:{port}"], "trading", ControlFixtures.Operator, Wait))
            {
                var nodes = await console.SendAsync("nodes", []);
                Assert.True(nodes.Ok, nodes.Text);
                Assert.Contains($"akka.tcp://trading@127.0.0.1:{port}", nodes.Text);
                Assert.Contains("Up", nodes.Text);
                var pause = await console.SendAsync("pause", ["alpha"]);
                Assert.Equal("pause by otto (operator) [alpha]", pause.Text);
                var kill = await console.SendAsync("kill", ["on"]);
                Assert.Equal("kill by otto (operator) [on]", kill.Text);
            }
            await using (var stranger = ControlClient.Connect([$"127.0.0.1:{port}"], "trading", "not-a-token", Wait))
                Assert.Equal("token not recognised", (await stranger.SendAsync("status", [])).Text);

            // Nobody at that port: one clear error within the timeout.
            int dead;
            using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { l.Start(); dead = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; }
            await using var lost = ControlClient.Connect([$"127.0.0.1:{dead}"], "trading", ControlFixtures.Admin, TimeSpan.FromSeconds(2));
            var e = await Assert.ThrowsAsync<ClusterUnreachableException>(() => lost.SendAsync("status", []));
            Assert.Contains($"no answer from the cluster at 127.0.0.1:{dead} within 2s", e.Message);
        }
        finally
        {
            await node.Terminate();
        }
    }

    [Fact]
    public async Task Over_tls_the_console_and_the_node_talk_and_a_console_without_tls_is_not_heard()
    {
        var dir = Directory.CreateTempSubdirectory("cluster-tls").FullName;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
        using (var key = RSA.Create(2048))
        {
            var request = new CertificateRequest("CN=trading-cluster", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var san = new SubjectAlternativeNameBuilder();
            san.AddIpAddress(System.Net.IPAddress.Loopback);
            request.CertificateExtensions.Add(san.Build());
            using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            File.WriteAllBytes(Path.Combine(dir, "cluster.pfx"), cert.Export(X509ContentType.Pfx, password));
        }
        var passwordFile = Path.Combine(dir, "cluster.pass");
        File.WriteAllText(passwordFile, password);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var conf = Path.Combine(dir, "node.conf");
        var root = ConfigurationFactory.ParseString("""
            trading.cluster.control.tls { certificate-file = cluster.pfx, password-file = cluster.pass, suppress-validation = on }
            """);
        var control = ConfigBlock.Root(root, conf).Block("trading", null)!.Block("cluster", null)!.Block("control", null);
        var tls = ClusterTls.Hocon(control);
        Assert.Contains("enable-ssl = true", tls);
        Assert.Equal("", ClusterTls.Hocon(null));

        var node = ControlFixtures.ClusterNode(extra: tls);
        try
        {
            var port = await ControlFixtures.JoinSelf(node);
            ControlEndpoint.Start(node, new ControlEndpointSetup(node.ActorOf(Props.Create<EchoBrain>()), ControlFixtures.Users, Wait));
            await using (var console = ControlClient.Connect([$"127.0.0.1:{port}"], "trading", ControlFixtures.Viewer, Wait, tls))
            {
                var reply = await console.SendAsync("nodes", []);
                Assert.True(reply.Ok, reply.Text);
            }
            await using var plain = ControlClient.Connect([$"127.0.0.1:{port}"], "trading", ControlFixtures.Viewer, TimeSpan.FromSeconds(3));
            await Assert.ThrowsAsync<ClusterUnreachableException>(() => plain.SendAsync("nodes", []));
        }
        finally
        {
            await node.Terminate();
        }

        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(passwordFile, UnixFileMode.UserRead | UnixFileMode.OtherRead);
        Assert.Contains("chmod 600", Assert.Throws<ConfigException>(() => ClusterTls.Hocon(control)).Message);
    }
}
