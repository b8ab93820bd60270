namespace Trading.Dashboard;

/// <summary>
/// The dashboard's roles, weakest first, and the authorization policy of each: a policy admits its role and every
/// stronger one (an admin may do what an operator may). The same three roles as the operator console.
/// </summary>
public static class DashboardPolicies
{
    /// <summary>Sees everything; changes nothing but notes.</summary>
    public const string Viewer = "viewer";
    /// <summary>Also controls trading: pause/resume, cancel all, kill switch, acknowledge a halt, failover.</summary>
    public const string Operator = "operator";
    /// <summary>Also manages users.</summary>
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> Roles = [Viewer, Operator, Admin];

    /// <summary>The roles a policy admits: <paramref name="policy"/> and every role above it.</summary>
    public static string[] Admitted(string policy) => Roles.SkipWhile(r => r != policy).ToArray();
}
