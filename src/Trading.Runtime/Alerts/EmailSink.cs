using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Trading.Runtime.Alerts;

/// <summary>
/// Alerts by e-mail through MailKit's SMTP client (the maintained .NET SMTP client; System.Net.Mail's is obsolete):
/// one connection per send (alerts are rare and a kept connection would time out between them), STARTTLS or TLS on
/// connect as configured (no TLS only for a loopback host or when explicitly allowed), authenticated when a user is
/// set. Failures come back as <see cref="AlertSinkException"/> without the password; 4xx answers and dropped
/// connections are transient, 5xx and refused logins are not.
/// </summary>
public sealed class EmailSink(EmailOptions options) : IAlertSink
{
    public string Name => "email";

    public AlertSeverity MinSeverity => options.MinSeverity;

    public async Task SendAsync(AlertNotice notice, CancellationToken ct)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        foreach (var to in options.To) message.To.Add(MailboxAddress.Parse(to));
        message.Subject = $"[trading] {notice.Title}: {OneLine(notice.Message, 120)}";
        message.Body = new TextPart("plain") { Text = notice.ToText() };
        using var smtp = new SmtpClient();
        try
        {
            var tls = options.Tls switch
            {
                SmtpTls.Ssl => SecureSocketOptions.SslOnConnect,
                SmtpTls.None => SecureSocketOptions.None,
                _ => SecureSocketOptions.StartTls,
            };
            await smtp.ConnectAsync(options.Host, options.Port, tls, ct);
            if (options.User is { } user) await smtp.AuthenticateAsync(user, options.Password!.Reveal(), ct);
            await smtp.SendAsync(message, ct);
            await smtp.DisconnectAsync(true, ct);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            var transient = e switch
            {
                SmtpCommandException c => (int)c.StatusCode is >= 400 and < 500,
                AuthenticationException or SslHandshakeException or NotSupportedException => false,
                _ => true, // dropped or refused connections, protocol hiccups
            };
            var why = e is SmtpCommandException command ? $"{(int)command.StatusCode} {command.Message}" : e.Message;
            var redacted = options.Password is { } p ? p.Redact(why) : why;
            throw new AlertSinkException($"SMTP {options.Host}:{options.Port}: {OneLine(redacted, 200)}", transient);
        }
    }

    private static string OneLine(string s, int max)
    {
        s = s.Replace('\r', ' ').Replace('\n', ' ');
        return s.Length <= max ? s : s[..max] + "…";
    }

    public void Dispose() { }
}
