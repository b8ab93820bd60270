using Trading.Data.Text;

namespace Trading.Data.TuShare;

/// <summary>A TuShare setting a user got wrong (token, rate, dates, --what): one line at the command line.</summary>
public sealed class TuShareSetupException(string message) : Exception(message);

/// <summary>
/// Where the TuShare token comes from: a file readable by its owner only (like an SSH key; refused on Unix when group
/// or others may read or write it) or the <see cref="Variable"/> environment variable. Errors name the file or the
/// variable, never the text.
/// </summary>
public static class TuShareToken
{
    public const string Variable = "TUSHARE_TOKEN";

    public static string Load(string? file)
    {
        if (file is not null)
        {
            var shown = Printable.Escape(file);
            if (!File.Exists(file)) throw new TuShareSetupException($"token file {shown} does not exist.");
            if (!OperatingSystem.IsWindows()
                && (File.GetUnixFileMode(file) & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
                throw new TuShareSetupException($"token file {shown} is readable or writable by group or others; chmod 600 it (the token is a password).");
            string text;
            try { text = File.ReadAllText(file).Trim(); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TuShareSetupException($"token file {shown} cannot be read ({e.GetType().Name}).");
            }
            if (text.Length == 0) throw new TuShareSetupException($"token file {shown} is empty.");
            if (text.Any(char.IsWhiteSpace) || text.Any(char.IsControl))
                throw new TuShareSetupException($"token file {shown} holds more than one word; it must hold the token alone.");
            return text;
        }
        var env = Environment.GetEnvironmentVariable(Variable)?.Trim();
        if (string.IsNullOrEmpty(env))
            throw new TuShareSetupException($"no TuShare token: set {Variable} or give a token file (--token-file, trading.data.tushare.token-file).");
        return env;
    }
}
