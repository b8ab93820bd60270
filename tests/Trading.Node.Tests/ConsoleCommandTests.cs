using Akka.Actor;
using Akka.Configuration;
using Trading.Cluster.Control;
using Trading.Runtime;

namespace Trading.Node.Tests;

/// <summary>
/// <c>trading console-user add</c> and <c>trading console … --json</c> end to end: a user file written by the CLI, a
/// cluster node in the test (127.0.0.1, port 0) with the control endpoint, the console one-shot through
/// <see cref="CliRunner"/>; exit codes, the JSON on stdout, refusals on stderr, the token nowhere in the output.
/// </summary>
[Collection("console")]
public class ConsoleCommandTests
{
    private sealed class Brain : ReceiveActor
    {
        public Brain() => Receive<ControlCall>(c =>
            Sender.Tell(new ControlReply(c.RequestId, true, $"{c.Command} for {c.User}", $"{{\"command\":\"{c.Command}\",\"user\":\"{c.User}\"}}")));
    }

    private static string TokenFile(string dir, string name, string token)
    {
        var f = Path.Combine(dir, name);
        File.WriteAllText(f, token + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(f, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return f;
    }

    [Fact]
    public async Task A_user_added_by_the_cli_runs_one_shot_commands_with_json_and_is_refused_above_its_role()
    {
        var dir = CliRunner.TempDir();
        var users = Path.Combine(dir, "users.txt");
        var (exit, tokenOut, err) = await CliRunner.Run("console-user", "add", "--users-file", users, "--name", "vera", "--role", "viewer");
        Assert.True(exit == 0, err);
        var token = tokenOut.Trim();
        Assert.Equal(43, token.Length);
        Assert.DoesNotContain(token, File.ReadAllText(users));

        var node = ActorSystem.Create("trading", ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
            """).WithFallback(TradingSystem.LoadConfig(JournalKind.InMemory)).WithFallback(Akka.Cluster.Tools.Client.ClusterClientReceptionist.DefaultConfig()));
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(node);
            cluster.Join(cluster.SelfAddress);
            var up = new TaskCompletionSource();
            cluster.RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(TimeSpan.FromSeconds(15));
            var port = cluster.SelfAddress.Port!.Value;
            ControlEndpoint.Start(node, new ControlEndpointSetup(node.ActorOf(Props.Create<Brain>()), ConsoleUsers.Load(users), TimeSpan.FromSeconds(5)));
            var file = TokenFile(dir, "vera.token", token);

            var ok = await CliRunner.Run("console", "--cluster", $"127.0.0.1:{port}", "--token-file", file, "--json", "positions");
            Assert.True(ok.Exit == 0, ok.Err);
            Assert.Equal("{\"command\":\"positions\",\"user\":\"vera\"}", ok.Out.Trim());

            var refused = await CliRunner.Run("console", "--cluster", $"127.0.0.1:{port}", "--token-file", file, "--yes", "cancel-all");
            Assert.Equal(1, refused.Exit);
            Assert.Equal("error: role viewer may not cancel-all; needs operator", refused.Err.Trim());

            var wrong = await CliRunner.Run("console", "--cluster", $"127.0.0.1:{port}", "--token-file", TokenFile(dir, "bad.token", "x" + token[1..]), "--json", "status");
            Assert.Equal(1, wrong.Exit);
            Assert.Contains("\"error\":\"token not recognised\"", wrong.Out);

            foreach (var run in new[] { ok, refused, wrong })
                Assert.DoesNotContain(token, run.Out + run.Err);

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead);
                var open = await CliRunner.Run("console", "--cluster", $"127.0.0.1:{port}", "--token-file", file, "status");
                Assert.Equal(1, open.Exit);
                Assert.Contains("chmod 600", open.Err);
                Assert.DoesNotContain(token, open.Err);
            }
        }
        finally
        {
            await node.Terminate();
        }
    }

    [Fact]
    public async Task An_unreachable_cluster_is_one_line_and_exit_1()
    {
        int dead;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0)) { l.Start(); dead = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; }
        Environment.SetEnvironmentVariable(Commands.ConsoleCommand.TokenVariable, "some-token");
        try
        {
            var (exit, _, err) = await CliRunner.Run("console", "--cluster", $"127.0.0.1:{dead}", "--timeout", "2", "status");
            Assert.Equal(1, exit);
            Assert.Equal($"error: no answer from the cluster at 127.0.0.1:{dead} within 2s (is a node running there, with its control endpoint?)", err.Trim());
        }
        finally
        {
            Environment.SetEnvironmentVariable(Commands.ConsoleCommand.TokenVariable, null);
        }
    }
}
