using Trading.Cluster.Hosting;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Control;

/// <summary>
/// The <c>trading.cluster.control</c> block (hocon/base.conf documents it): <c>users-file</c> (the console's users,
/// relative to the node's file), <c>ask-timeout</c> (how long the endpoint waits for the brain), and <c>tls</c>
/// (<see cref="ClusterTls"/>).
/// </summary>
public sealed record ControlSettings(string? UsersFile, TimeSpan AskTimeout)
{
    public static readonly string[] Keys = ["users-file", "ask-timeout", "tls"];

    public static ControlSettings From(ConfigBlock? control)
    {
        if (control is null) return new ControlSettings(null, TimeSpan.FromSeconds(10));
        var c = control.Known(Keys);
        string? users = null;
        if (c.Text("users-file") is { Length: > 0 } f)
            users = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(c.File))!, f.Trim()));
        return new ControlSettings(users, ClusterSettings.Duration(c, "ask-timeout", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)));
    }

    /// <summary>The users the endpoint accepts; none (every request refused) when no file is configured.</summary>
    public ConsoleUsers LoadUsers() => UsersFile is null ? new ConsoleUsers([]) : ConsoleUsers.Load(UsersFile);
}
