using System.Net;

namespace Trading.Dashboard.Auth;

/// <summary>
/// The login page: a plain form (works without script) posting the user name, the password and the antiforgery field;
/// its stylesheet is a file (<c>/auth/login.css</c>), so the page needs no inline style or script under the CSP.
/// </summary>
internal static class LoginPage
{
    public static string Html(string formField, string token, string? error)
    {
        var message = error switch
        {
            null or "" => "",
            "locked" => "This user is locked out for a while after too many failed logins. Wait, or ask an admin to run 'trading dashboard-user unlock'.",
            "rate" => "Too many login attempts from this address; wait a minute.",
            _ => "Wrong user name or password.",
        };
        return $$"""
            <!DOCTYPE html>
            <html lang="zh-CN">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Trading.Actors — 登录 / Log in</title>
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/auth/login.css">
            </head>
            <body>
            <main class="login">
              <h1>Trading.Actors</h1>
              <p class="sub">实盘看板 · Dashboard</p>
              {{(message.Length == 0 ? "" : $"<p class=\"error\" role=\"alert\">{WebUtility.HtmlEncode(message)}</p>")}}
              <form method="post" action="/login" autocomplete="on">
                <input type="hidden" name="{{WebUtility.HtmlEncode(formField)}}" value="{{WebUtility.HtmlEncode(token)}}">
                <label>用户名 / User <input name="username" autocomplete="username" required maxlength="64" autofocus></label>
                <label>密码 / Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
                <button type="submit">登录 / Log in</button>
              </form>
            </main>
            </body>
            </html>
            """;
    }

    public const string Css = """
        body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center;
               font-family: -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; background: #0f1720; color: #e6edf3; }
        .login { width: 20rem; padding: 2rem; background: #17212b; border-radius: 8px; box-shadow: 0 4px 24px rgba(0,0,0,.4); }
        h1 { margin: 0; font-size: 1.4rem; }
        .sub { margin: .2rem 0 1.2rem; color: #8b98a5; }
        label { display: block; margin: .8rem 0; font-size: .9rem; color: #c9d1d9; }
        input { display: block; width: 100%; box-sizing: border-box; margin-top: .3rem; padding: .5rem; border: 1px solid #30363d;
                border-radius: 4px; background: #0d1117; color: #e6edf3; }
        button { width: 100%; margin-top: 1rem; padding: .6rem; border: 0; border-radius: 4px; background: #d73a49; color: #fff; font-size: 1rem; cursor: pointer; }
        .error { padding: .6rem; border-radius: 4px; background: #3d1d20; color: #ffa198; font-size: .9rem; }
        """;
}
