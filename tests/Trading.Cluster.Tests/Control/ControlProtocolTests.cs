using Akka.Actor;
using Akka.Configuration;
using Trading.Cluster.Control;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Tests.Control;

/// <summary>The console's messages cross nodes with Akka's default serializer; the users file keeps hashes, not tokens.</summary>
public class ControlProtocolTests : Akka.TestKit.Xunit2.TestKit
{
    public ControlProtocolTests() : base("akka.loglevel = WARNING") { }

    private T RoundTrip<T>(T message) where T : class
    {
        var serializer = Sys.Serialization.FindSerializerFor(message);
        Assert.Contains("Json", serializer.GetType().Name); // the default, what Akka.Remote uses for our records
        var bytes = serializer.ToBinary(message);
        return Assert.IsType<T>(serializer.FromBinary(bytes, typeof(T)));
    }

    [Fact]
    public void Every_control_message_survives_the_default_serializer()
    {
        var request = RoundTrip(new ControlRequest("r1", "tok", "pause", ["alpha", "now"]));
        Assert.Equal(("r1", "tok", "pause"), (request.RequestId, request.Token, request.Command));
        Assert.Equal(["alpha", "now"], request.Args);
        var reply = RoundTrip(new ControlReply("r1", true, "strategy alpha paused", "{\"paused\":true}"));
        Assert.Equal(new ControlReply("r1", true, "strategy alpha paused", "{\"paused\":true}"), reply);
        Assert.Null(RoundTrip(new ControlReply("r2", false, "no", null)).Json);
        var call = RoundTrip(new ControlCall("r1", "kill", ["on", "fat finger"], "ada", "admin"));
        Assert.Equal(("kill", "ada", "admin"), (call.Command, call.User, call.Role));
        Assert.Equal(["on", "fat finger"], call.Args);
    }

    [Fact]
    public void A_request_never_prints_its_token()
    {
        var text = new ControlRequest("r1", "s3cr3t-token", "status", []).ToString();
        Assert.DoesNotContain("s3cr3t-token", text);
        Assert.Contains("status", text);
    }

    [Fact]
    public void A_user_added_to_the_file_is_found_by_the_token_shown_once_and_the_file_holds_only_its_hash()
    {
        var dir = Directory.CreateTempSubdirectory("console-users").FullName;
        var file = Path.Combine(dir, "users.txt");
        var t1 = ConsoleUsers.Add(file, "otto", ConsoleRole.Operator);
        var t2 = ConsoleUsers.Add(file, "ada", ConsoleRole.Admin);
        Assert.NotEqual(t1, t2);
        Assert.Equal(32, Convert.FromBase64String(t1.Replace('-', '+').Replace('_', '/') + "=").Length);
        var text = File.ReadAllText(file);
        Assert.DoesNotContain(t1, text);
        Assert.DoesNotContain(t2, text);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var users = ConsoleUsers.Load(file);
        Assert.Equal(("otto", ConsoleRole.Operator), (users.Find(t1)!.Name, users.Find(t1)!.Role));
        Assert.Equal("ada", users.Find(t2)!.Name);
        Assert.Null(users.Find(t1 + "x"));
        Assert.Null(users.Find(""));
        Assert.Contains("already exists", Assert.Throws<ConfigException>(() => ConsoleUsers.Add(file, "otto", ConsoleRole.Viewer)).Message);

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
            Assert.Contains("chmod 600", Assert.Throws<ConfigException>(() => ConsoleUsers.Load(file)).Message);
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.AppendAllText(file, "eve superuser " + new string('a', 64) + "\n");
        var bad = Assert.Throws<ConfigException>(() => ConsoleUsers.Load(file));
        Assert.Contains($"{file}:4: role 'superuser' must be viewer, operator or admin", bad.Message);
    }

    [Fact]
    public void Control_settings_come_from_the_control_block()
    {
        var root = ConfigurationFactory.ParseString("trading.cluster.control { users-file = \"users.txt\", ask-timeout = 3s }");
        var block = ConfigBlock.Root(root, "/etc/trading/node.conf").Block("trading", null)!.Block("cluster", null)!.Block("control", null);
        var s = ControlSettings.From(block);
        Assert.Equal(Path.GetFullPath("/etc/trading/users.txt"), s.UsersFile);
        Assert.Equal(TimeSpan.FromSeconds(3), s.AskTimeout);
        var unknown = ConfigBlock.Root(ConfigurationFactory.ParseString("trading.cluster.control.user-file = x"), "n.conf")
            .Block("trading", null)!.Block("cluster", null)!.Block("control", null);
        Assert.Contains("user-file", Assert.Throws<ConfigException>(() => ControlSettings.From(unknown)).Message);
    }
}
