using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Control;

/// <summary>What a console user may do; each role may do everything the one before it may.</summary>
public enum ConsoleRole
{
    Viewer,
    Operator,
    Admin,
}

/// <summary>A console user as the users file holds it: the SHA-256 of the token, never the token.</summary>
public sealed record ConsoleUser(string Name, ConsoleRole Role, byte[] TokenHash);

/// <summary>
/// The console's commands and the least role each needs (issues 14 and 15): viewers look; operators steer the day —
/// pause, cancel, reconcile, acknowledge, throw or release the kill switch (a safety control must not wait for an admin)
/// and move the brain; admins also manage users and read the dashboard's audit trail. The dashboard uses the same table.
/// </summary>
public static class ConsoleCommands
{
    public static readonly IReadOnlyDictionary<string, ConsoleRole> Required = new Dictionary<string, ConsoleRole>(StringComparer.Ordinal)
    {
        ["status"] = ConsoleRole.Viewer,
        ["nodes"] = ConsoleRole.Viewer,
        ["positions"] = ConsoleRole.Viewer,
        ["orders"] = ConsoleRole.Viewer,
        ["alerts"] = ConsoleRole.Viewer,
        ["pause"] = ConsoleRole.Operator,
        ["resume"] = ConsoleRole.Operator,
        ["cancel-all"] = ConsoleRole.Operator,
        ["reconcile"] = ConsoleRole.Operator,
        ["ack"] = ConsoleRole.Operator,
        ["kill"] = ConsoleRole.Operator,
        ["failover"] = ConsoleRole.Operator,
    };

    /// <summary>Commands the interactive console asks to confirm (they stop or start trading, or move the brain).</summary>
    public static readonly IReadOnlySet<string> Dangerous = new HashSet<string>(["cancel-all", "kill", "failover", "resume"], StringComparer.Ordinal);

    /// <summary>One line per command for <c>help</c>.</summary>
    public static readonly IReadOnlyList<(string Usage, string What)> Help =
    [
        ("status", "the brain (epoch, strategies, kill switch, reconciliation) and the cluster (primary, members)"),
        ("nodes", "the cluster's members, their roles and reachability"),
        ("positions", "holdings: quantity, cost, price, value, weight"),
        ("orders", "today's orders, open ones first"),
        ("alerts [N]", "the last N alerts (default 20)"),
        ("pause STRATEGY", "the strategy skips its decisions until resumed (operator)"),
        ("resume STRATEGY", "the strategy decides again (operator)"),
        ("cancel-all", "cancel every open order (operator)"),
        ("reconcile", "reconcile with the broker now (operator)"),
        ("ack", "acknowledge a reconciliation halt: new orders may go out again (operator)"),
        ("kill on|off", "engage or release the kill switch (admin)"),
        ("failover", "hand the brain over to the standby (admin)"),
    ];

    public static string RoleName(ConsoleRole role) => role.ToString().ToLowerInvariant();
}

/// <summary>
/// The console's users (<c>trading.cluster.control.users-file</c>): one line per user, <c>NAME ROLE SHA256-HEX</c>,
/// <c>#</c> comments. A token is 32 random bytes (base64url) shown once by <c>trading console-user add</c>; only its
/// SHA-256 is kept, and a presented token is compared against every entry in constant time.
/// </summary>
public sealed class ConsoleUsers
{
    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$");
    private readonly IReadOnlyList<ConsoleUser> _users;

    public ConsoleUsers(IReadOnlyList<ConsoleUser> users) => _users = users;

    public IReadOnlyList<ConsoleUser> All => _users;

    /// <summary>The user whose token this is, or null. Every entry is compared (no early exit), each in constant time.</summary>
    public ConsoleUser? Find(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        var hash = Hash(token);
        ConsoleUser? found = null;
        foreach (var u in _users)
            if (CryptographicOperations.FixedTimeEquals(hash, u.TokenHash)) found ??= u;
        return found;
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token.Trim()));

    /// <summary>Reads a users file; a bad line names the file and line (never a hash's text).</summary>
    public static ConsoleUsers Load(string file)
    {
        if (!File.Exists(file)) throw new ConfigException($"{file}: the console users file does not exist (create it with 'trading console-user add').");
        RequireOwnerOnly(file);
        var users = new List<ConsoleUser>();
        int n = 0;
        foreach (var raw in File.ReadAllLines(file))
        {
            n++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3) throw new ConfigException($"{file}:{n}: expected 'NAME ROLE SHA256', found {parts.Length} fields.");
            if (!NamePattern.IsMatch(parts[0])) throw new ConfigException($"{file}:{n}: user name '{parts[0]}' must be letters, digits, '.', '_', '@' or '-'.");
            var role = ParseRole(parts[1], $"{file}:{n}");
            if (!Regex.IsMatch(parts[2], "^[0-9a-fA-F]{64}$")) throw new ConfigException($"{file}:{n}: the token hash must be 64 hex digits (SHA-256).");
            if (users.Any(u => u.Name == parts[0])) throw new ConfigException($"{file}:{n}: user '{parts[0]}' appears twice.");
            users.Add(new ConsoleUser(parts[0], role, Convert.FromHexString(parts[2])));
        }
        return new ConsoleUsers(users);
    }

    public static ConsoleRole ParseRole(string text, string where) =>
        text.Trim().ToLowerInvariant() switch
        {
            "viewer" => ConsoleRole.Viewer,
            "operator" => ConsoleRole.Operator,
            "admin" => ConsoleRole.Admin,
            _ => throw new ConfigException($"{where}: role '{text}' must be viewer, operator or admin."),
        };

    /// <summary>
    /// Adds a user to <paramref name="file"/> (created owner-only when absent) and returns the new token, which is
    /// nowhere else: only its hash is written. A name already there is refused (remove its line to replace it).
    /// </summary>
    public static string Add(string file, string name, ConsoleRole role)
    {
        if (!NamePattern.IsMatch(name)) throw new ConfigException($"--name '{name}' must be 1–64 letters, digits, '.', '_', '@' or '-'.");
        var existing = File.Exists(file) ? Load(file) : new ConsoleUsers([]);
        if (existing.All.Any(u => u.Name == name)) throw new ConfigException($"{file}: user '{name}' already exists; remove its line first to issue a new token.");
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        var line = string.Create(CultureInfo.InvariantCulture, $"{name} {ConsoleCommands.RoleName(role)} {Convert.ToHexStringLower(Hash(token))}\n");
        if (!File.Exists(file))
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(file))!;
            Directory.CreateDirectory(dir);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using var w = new StreamWriter(new FileStream(file, options));
            w.Write("# trading console users: NAME ROLE SHA256(token). Tokens are shown once by 'trading console-user add'.\n");
            w.Write(line);
        }
        else File.AppendAllText(file, line);
        return token;
    }

    /// <summary>A secret-bearing file must not be readable or writable by group or others (like an SSH key).</summary>
    public static void RequireOwnerOnly(string file)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            throw new ConfigException($"{file} is readable or writable by group or others; chmod 600 it.");
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
