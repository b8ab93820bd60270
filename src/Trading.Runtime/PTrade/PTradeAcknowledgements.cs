using System.Globalization;
using System.Text.Json;
using Trading.Domain.Fees;
using Trading.Domain.Instruments;
using Trading.Domain.Orders;
using Trading.Domain.Rules;

namespace Trading.Runtime.PTrade;

/// <summary>
/// Reads what scripts/ptrade_strategy.py wrote back — <c>ack_&lt;date&gt;_v&lt;n&gt;.json</c> (the orders it placed for a
/// target file) and <c>fills_&lt;date&gt;_v&lt;n&gt;.json</c> (their executions, written after the close) — and checks them
/// against the exported target files: an acknowledgement whose checksum is not its target file's, or that names another
/// account, a refused target file, a fills file of another version or checksum, a fill of an order the acknowledgement
/// does not list: each is a problem, reported and not imported. An acknowledgement without its fills file yet is
/// left for a later import (a note). Fees are computed with the given schedule (PTrade's trade rows do not carry them
/// reliably [U]).
/// </summary>
public static class PTradeAcknowledgements
{
    public sealed record Reading(IReadOnlyList<PTradeOrder> Orders, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes);

    public static Reading Read(string ackDir, string targetDir, string account, FeeSchedule fees)
    {
        var orders = new List<PTradeOrder>();
        var problems = new List<string>();
        var notes = new List<string>();
        foreach (var ackPath in Directory.EnumerateFiles(ackDir, "ack_*_v*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(ackPath);
            try
            {
                ReadOne(ackPath, targetDir, account, fees, orders, problems, notes);
            }
            catch (Exception e) when (e is JsonException or InvalidDataException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
            {
                problems.Add($"{name}: {e.Message}");
            }
        }
        if (orders.Count == 0 && problems.Count == 0 && notes.Count == 0) notes.Add($"no ack_*.json files in {ackDir}");
        return new Reading(orders, problems, notes);
    }

    private static void ReadOne(string ackPath, string targetDir, string account, FeeSchedule fees, List<PTradeOrder> orders, List<string> problems, List<string> notes)
    {
        var name = Path.GetFileName(ackPath);
        using var ack = JsonDocument.Parse(File.ReadAllText(ackPath));
        var a = ack.RootElement;
        if (a.GetProperty("schema").GetString() != "ashare.ack/1") { problems.Add($"{name}: not an acknowledgement (schema ashare.ack/1)"); return; }
        string date = a.GetProperty("trade_date").GetString()!;
        int version = a.GetProperty("version").GetInt32();
        string? sha = a.GetProperty("sha256").GetString();
        var tradeDate = DateOnly.ParseExact(date, "yyyyMMdd", CultureInfo.InvariantCulture);
        var targetPath = Path.Combine(targetDir, PTradeTargets.FileBase(tradeDate, version) + ".json");
        if (!File.Exists(targetPath)) { problems.Add($"{name}: no target file {PTradeTargets.FileBase(tradeDate, version)}.json in {targetDir} to check it against"); return; }
        var target = PTradeTargets.Read(targetPath);
        if (sha != target.Sha256) { problems.Add($"{name}: acknowledges checksum {sha}, but {Path.GetFileName(targetPath)} has {target.Sha256}: a different target file"); return; }
        if (target.Account != account) { problems.Add($"{name}: the target file is for account '{target.Account}', not '{account}'"); return; }
        if (a.GetProperty("status").GetString() is var status && status != "applied")
        {
            problems.Add($"{name}: PTrade {status} {Path.GetFileName(targetPath)}: {(a.TryGetProperty("reason", out var r) ? r.GetString() : "no reason given")}");
            return;
        }
        var fillsPath = Path.Combine(Path.GetDirectoryName(ackPath)!, $"fills_{date}_v{version}.json");
        if (!File.Exists(fillsPath)) { notes.Add($"{name}: no fills_{date}_v{version}.json yet (written after the close); import again once it is downloaded"); return; }
        using var fillsDoc = JsonDocument.Parse(File.ReadAllText(fillsPath));
        var f = fillsDoc.RootElement;
        if (f.GetProperty("schema").GetString() != "ashare.fills/1" || f.GetProperty("version").GetInt32() != version
            || f.GetProperty("trade_date").GetString() != date || f.GetProperty("sha256").GetString() != sha)
        {
            problems.Add($"{Path.GetFileName(fillsPath)}: its trade date, version or checksum is not the acknowledgement's ({date} v{version} {sha}): not imported");
            return;
        }

        // The acknowledged orders, by PTrade's order id.
        var acked = new Dictionary<string, (OrderRequest Request, List<Fill> Fills)>(StringComparer.Ordinal);
        var at = DateTime.SpecifyKind(DateTime.ParseExact(a.GetProperty("at").GetString()!, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture).AddHours(-8), DateTimeKind.Utc);
        int seq = 0;
        foreach (var o in a.GetProperty("orders").EnumerateArray())
        {
            seq++;
            if (o.GetProperty("order_id").ValueKind != JsonValueKind.String) continue; // refused by the counter: nothing to record
            var symbol = Symbol.Parse(o.GetProperty("code").GetString()!);
            var side = o.GetProperty("side").GetString() == "sell" ? Side.Sell : Side.Buy;
            decimal limit = o.TryGetProperty("limit_price", out var lp) && lp.ValueKind == JsonValueKind.Number ? lp.GetDecimal() : 0m;
            var request = new OrderRequest(ClientOrderId.Create($"ptrade-v{version}", tradeDate, seq), symbol, side, o.GetProperty("amount").GetInt64(),
                limit, limit > 0 ? OrderType.Limit : OrderType.ProtectedMarket, tradeDate, target.Strategy, "ptrade hand-off");
            acked[o.GetProperty("order_id").GetString()!] = (request, []);
        }
        foreach (var x in f.GetProperty("fills").EnumerateArray())
        {
            string orderId = x.GetProperty("order_id").ToString(), tradeId = x.GetProperty("trade_id").GetString()!;
            if (!acked.TryGetValue(orderId, out var order)) { problems.Add($"{Path.GetFileName(fillsPath)}: trade {tradeId} of order {orderId}, which {name} does not list: not imported"); continue; }
            var symbol = Symbol.Parse(x.GetProperty("code").GetString()!);
            var side = x.GetProperty("side").GetString() == "sell" ? Side.Sell : Side.Buy;
            long quantity = x.GetProperty("amount").GetInt64();
            var price = Math.Round(decimal.Parse(x.GetProperty("price").GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture), 3);
            if (symbol != order.Request.Symbol || side != order.Request.Side || quantity <= 0 || price <= 0)
            {
                problems.Add($"{Path.GetFileName(fillsPath)}: trade {tradeId} ({side} {quantity} {symbol} at {price}) does not fit order {orderId} ({order.Request.Side} {order.Request.Symbol}): not imported");
                continue;
            }
            order.Fills.Add(new Fill($"ptrade-{date}-{tradeId}", order.Request.Id, symbol, side, quantity, price, tradeDate, fees.Compute(side, price, quantity, tradeDate)));
        }
        foreach (var (brokerId, (request, fills)) in acked) orders.Add(new PTradeOrder(request, brokerId, at, fills));
    }
}
