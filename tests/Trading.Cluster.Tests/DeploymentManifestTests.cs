using System.Text.RegularExpressions;
using Trading.Cluster.Health;
using Trading.Cluster.Hosting;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Trading.Cluster.Tests;

/// <summary>
/// deploy/k8s parsed with a real YAML parser: probes on the health paths and port, secrets only from the Secret, no
/// literal secret anywhere under deploy/, seeds that name real pods, node HOCONs that the node's own readers accept.
/// </summary>
public sealed class DeploymentManifestTests
{
    private static readonly string Root = FindRoot();
    private static readonly string K8s = Path.Combine(Root, "deploy", "k8s");

    private static string FindRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "")
    {
        var dir = Path.GetDirectoryName(source)!;
        while (!File.Exists(Path.Combine(dir, "Trading.Actors.sln"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }

    private static List<(string File, Dictionary<object, object> Doc)> Documents()
    {
        var docs = new List<(string, Dictionary<object, object>)>();
        var deserializer = new DeserializerBuilder().Build();
        foreach (var file in Directory.GetFiles(K8s, "*.yaml").Order(StringComparer.Ordinal))
        {
            var parser = new Parser(new StringReader(File.ReadAllText(file)));
            parser.Consume<StreamStart>();
            while (parser.Accept<DocumentStart>(out _))
                if (deserializer.Deserialize<object>(parser) is Dictionary<object, object> d) docs.Add((Path.GetFileName(file), d));
        }
        return docs;
    }

    private static Dictionary<object, object> Map(object? o, string what) => o as Dictionary<object, object> ?? throw new Xunit.Sdk.XunitException($"{what} is not a map");
    private static List<object> List(object? o, string what) => o as List<object> ?? throw new Xunit.Sdk.XunitException($"{what} is not a list");
    private static object? At(Dictionary<object, object> m, params string[] path)
    {
        object? o = m;
        foreach (var p in path) o = o is Dictionary<object, object> d && d.TryGetValue(p, out var v) ? v : null;
        return o;
    }

    private static IEnumerable<(string Name, Dictionary<object, object> Workload)> Workloads() =>
        Documents().Where(d => (string)d.Doc["kind"] is "StatefulSet" or "Deployment").Select(d => ((string)At(d.Doc, "metadata", "name")!, d.Doc));

    private static Dictionary<object, object> Secret() => Documents().Single(d => (string)d.Doc["kind"] == "Secret").Doc;

    [Fact]
    public void Every_manifest_parses_and_kustomize_applies_all_but_the_secret_template()
    {
        var docs = Documents();
        Assert.All(docs, d => Assert.True(d.Doc.ContainsKey("apiVersion") && d.Doc.ContainsKey("kind"), d.File));
        var resources = List(At(docs.Single(d => d.File == "kustomization.yaml").Doc, "resources"), "resources").Cast<string>().ToHashSet();
        var expected = docs.Select(d => d.File).Where(f => f is not ("kustomization.yaml" or "secret.template.yaml")).ToHashSet();
        Assert.Equal(expected.Order(), resources.Order());
        Assert.Equal(["trader", "witness", "worker"], Workloads().Select(w => w.Name).Order());
    }

    [Fact]
    public void Every_container_probes_the_health_paths_on_the_health_port_and_asks_for_resources()
    {
        foreach (var (name, w) in Workloads())
        {
            var pod = Map(At(w, "spec", "template", "spec"), name);
            foreach (var c in List(pod["containers"], name).Select(c => Map(c, name)))
            {
                Assert.Equal("/health/live", At(c, "livenessProbe", "httpGet", "path"));
                Assert.Equal("/health/ready", At(c, "readinessProbe", "httpGet", "path"));
                Assert.Equal("/health/live", At(c, "startupProbe", "httpGet", "path"));
                foreach (var probe in new[] { "livenessProbe", "readinessProbe", "startupProbe" })
                    Assert.Equal("health", At(c, probe, "httpGet", "port"));
                var health = List(c["ports"], name).Select(p => Map(p, name)).Single(p => (string)p["name"] == "health");
                Assert.Equal(HealthOptions.DefaultPort.ToString(), health["containerPort"]);
                Assert.NotNull(At(c, "resources", "requests", "cpu"));
                Assert.NotNull(At(c, "resources", "requests", "memory"));
                Assert.NotNull(At(c, "resources", "limits", "memory"));
            }
            // A graceful hand-over (leave, stop the brain, release the lease) must finish before the kubelet's SIGKILL.
            Assert.True(int.Parse((string)pod["terminationGracePeriodSeconds"]) >= (name == "trader" ? 40 : 20), name);
        }
    }

    [Fact]
    public void Secrets_come_from_the_Secret_and_the_template_holds_placeholders_only()
    {
        var secret = Secret();
        Assert.False(secret.ContainsKey("data"), "the template must use stringData placeholders, not base64 data");
        var keys = Map(secret["stringData"], "stringData");
        Assert.All(keys.Values, v => Assert.StartsWith("REPLACE_", (string)v));
        var secretName = (string)At(secret, "metadata", "name")!;
        var secretLike = new Regex("SECRET|PASSWORD|TOKEN|PG_CONNECTION|KEY", RegexOptions.IgnoreCase);
        var fromSecret = 0;
        foreach (var (name, w) in Workloads())
            foreach (var c in List(At(w, "spec", "template", "spec", "containers"), name).Select(c => Map(c, name)))
                foreach (var e in List(c["env"], name).Select(e => Map(e, name)))
                {
                    if (!secretLike.IsMatch((string)e["name"])) continue;
                    Assert.False(e.ContainsKey("value"), $"{name}: {e["name"]} has a literal value");
                    Assert.Equal(secretName, At(e, "valueFrom", "secretKeyRef", "name"));
                    Assert.Contains(At(e, "valueFrom", "secretKeyRef", "key")!, keys.Keys);
                    fromSecret++;
                }
        Assert.Equal(2, fromSecret); // the traders' TRADING_PG_CONNECTION and TRADING_BRIDGE_SECRET
    }

    /// <summary>A password in a connection string, a secret variable given a value, a private key: only placeholders may appear.</summary>
    private static readonly Regex Leak = new(@"(Password\s*=\s*(?!REPLACE|…)[^;""'\s]+)|((SECRET|TOKEN|PASSWORD|PG_CONNECTION)=(?!REPLACE|…|\$|`|"")\S+)|(-----BEGIN [A-Z ]*PRIVATE KEY)", RegexOptions.IgnoreCase);

    private static bool LooksLikeASecret(string line) => Leak.IsMatch(line) && !line.Contains("REPLACE", StringComparison.Ordinal);

    [Theory]
    [InlineData("TRADING_PG_CONNECTION=Host=db;Password=hunter2", true)]
    [InlineData("  pg-connection: Host=db;Username=t;Password=hunter2;SSL Mode=VerifyFull", true)]
    [InlineData("TRADING_BRIDGE_SECRET=6f1c0e", true)]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----", true)]
    [InlineData("TRADING_BRIDGE_SECRET=REPLACE_WITH_THE_BRIDGE_SECRET", false)]
    [InlineData("#     --from-literal=pg-connection='Host=…;Port=5432;Password=…'", false)]
    public void The_secret_detector_finds_planted_secrets(string line, bool secret) => Assert.Equal(secret, LooksLikeASecret(line));

    [Fact]
    public void No_literal_secret_anywhere_under_deploy_or_in_its_guide()
    {
        var files = Directory.GetFiles(Path.Combine(Root, "deploy"), "*", SearchOption.AllDirectories).Append(Path.Combine(Root, "docs", "DEPLOYMENT.md")).ToList();
        Assert.NotEmpty(files);
        foreach (var file in files)
            foreach (var (line, i) in File.ReadLines(file).Select((l, i) => (l, i)))
                Assert.False(LooksLikeASecret(line),
                    $"{Path.GetRelativePath(Root, file)}:{i + 1}: looks like a literal secret");
    }

    [Fact]
    public void Seeds_name_the_stable_pods_of_the_headless_service_and_traders_are_spread()
    {
        var docs = Documents();
        var service = docs.Single(d => (string)d.Doc["kind"] == "Service").Doc;
        Assert.Equal("None", At(service, "spec", "clusterIP"));
        Assert.Equal("true", At(service, "spec", "publishNotReadyAddresses"));
        var serviceName = (string)At(service, "metadata", "name")!;
        var selector = Map(At(service, "spec", "selector"), "selector");
        var pods = new HashSet<string>();
        foreach (var (name, w) in Workloads().Where(w => (string)w.Workload["kind"] == "StatefulSet"))
        {
            Assert.Equal(serviceName, At(w, "spec", "serviceName"));
            var labels = Map(At(w, "spec", "template", "metadata", "labels"), name);
            Assert.All(selector, kv => Assert.Equal(kv.Value, labels.GetValueOrDefault(kv.Key)));
            for (int i = 0; i < int.Parse((string)At(w, "spec", "replicas")!); i++) pods.Add($"{name}-{i}.{serviceName}.trading.svc.cluster.local");
        }
        foreach (var (name, w) in Workloads())
        {
            var env = List(At(w, "spec", "template", "spec", "containers"), name).Select(c => Map(c, name)).Single()["env"];
            var vars = List(env, name).Select(e => Map(e, name)).ToDictionary(e => (string)e["name"]);
            var seeds = ((string)vars[ClusterSettings.SeedsVariable]["value"]).Split(',')
                .Select(s => ClusterSettings.Seed(s, "trading", name)).ToList();
            Assert.Equal(pods.Order().Select(p => $"akka.tcp://trading@{p}:4053"), seeds.Order());
            Assert.Equal(name, vars[ClusterSettings.RoleVariable]["value"]);
            Assert.True(vars.ContainsKey(ClusterSettings.PublicHostVariable), name);
        }
        var trader = Workloads().Single(w => w.Name == "trader").Workload;
        Assert.Equal("2", At(trader, "spec", "replicas"));
        Assert.NotNull(At(trader, "spec", "template", "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"));
        var traderVars = List(At(trader, "spec", "template", "spec", "containers"), "trader").Select(c => Map(c, "trader")).Single()["env"];
        var byName = List(traderVars, "trader").Select(e => Map(e, "trader")).ToDictionary(e => (string)e["name"]);
        Assert.Equal("metadata.name", At(byName["POD_NAME"], "valueFrom", "fieldRef", "fieldPath"));
        Assert.Equal($"$(POD_NAME).{serviceName}.trading.svc.cluster.local", byName[ClusterSettings.PublicHostVariable]["value"]);
    }

    [Fact]
    public void The_ConfigMaps_node_files_are_read_by_the_nodes_own_readers()
    {
        var config = Documents().Single(d => (string)d.Doc["kind"] == "ConfigMap").Doc;
        var files = Map(config["data"], "data");
        Assert.Equal(["trader.conf", "witness.conf", "worker.conf"], files.Keys.Cast<string>().Order());
        foreach (var (file, text) in files.Select(kv => ((string)kv.Key, (string)kv.Value)))
        {
            var hocon = Akka.Configuration.ConfigurationFactory.ParseString(text);
            var settings = ClusterSettings.FromConfig(hocon, "/etc/trading/" + file, "acct-1", _ => null)!;
            Assert.Equal(Path.GetFileNameWithoutExtension(file), ClusterSettings.RoleName(settings.Role));
            var health = HealthOptions.FromConfig(settings.Health, settings.Role, _ => null)!;
            Assert.Equal(HealthOptions.DefaultPort, health.Port);
            Assert.Equal("0.0.0.0", health.Hostname); // the kubelet probes the pod's IP
            Assert.DoesNotContain("Password", text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
