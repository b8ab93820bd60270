using System.Text;
using Trading.Runtime.Configuration;

namespace Trading.Cluster.Control;

/// <summary>
/// TLS for the cluster's own transport where it leaves the host (the office standby, the console): Akka.Remote's
/// dot-netty <c>enable-ssl</c>, from <c>trading.cluster.control.tls { certificate-file, password-file,
/// suppress-validation, require-mutual-authentication }</c>. Akka's TLS (SslStream under DotNetty) is used rather than
/// a tunnel of our own: it covers every node-to-node and console connection with one setting. A PKCS#12 file holds
/// the certificate and its key; its password comes from an owner-only file, never from the HOCON itself. With mutual
/// authentication (the default) the console presents the certificate too — the "client certificate" of issue 14.
/// <c>suppress-validation</c> accepts a certificate no trusted CA signed (a self-signed one); prefer trusting the CA.
/// </summary>
public static class ClusterTls
{
    private static readonly string[] Keys = ["certificate-file", "password-file", "suppress-validation", "require-mutual-authentication"];

    /// <summary>The akka.remote HOCON for <paramref name="control"/>'s <c>tls</c> block; empty when there is none.</summary>
    public static string Hocon(ConfigBlock? control)
    {
        var tls = control?.Block("tls", Keys);
        if (tls is null) return "";
        var dir = Path.GetDirectoryName(Path.GetFullPath(tls.File))!;
        var cert = tls.Text("certificate-file") is { Length: > 0 } c ? Path.GetFullPath(Path.Combine(dir, c.Trim()))
            : throw new ConfigException($"{tls.Where("certificate-file")} is missing: a PKCS#12 (.pfx) file with the certificate and its key.");
        if (!File.Exists(cert)) throw new ConfigException($"{tls.Where("certificate-file")}: {cert} does not exist.");
        var password = "";
        if (tls.Text("password-file") is { Length: > 0 } p)
        {
            var file = Path.GetFullPath(Path.Combine(dir, p.Trim()));
            if (!File.Exists(file)) throw new ConfigException($"{tls.Where("password-file")}: {file} does not exist.");
            ConsoleUsers.RequireOwnerOnly(file);
            password = File.ReadAllText(file).Trim();
        }
        bool suppress = tls.Flag("suppress-validation", false), mutual = tls.Flag("require-mutual-authentication", true);
        return $$"""
            akka.remote.dot-netty.tcp {
              enable-ssl = true
              ssl {
                certificate { path = {{Quote(cert)}}, password = {{Quote(password)}}, flags = ["exportable"] }
                suppress-validation = {{(suppress ? "on" : "off")}}
                require-mutual-authentication = {{(mutual ? "on" : "off")}}
              }
            }
            """;
    }

    private static string Quote(string s)
    {
        var b = new StringBuilder("\"");
        foreach (var ch in s)
            b.Append(ch switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", _ => ch.ToString() });
        return b.Append('"').ToString();
    }
}
