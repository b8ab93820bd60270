using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Trading.Domain.Fees;
using Trading.Domain.Rules;
using Trading.Runtime.Configuration;

namespace Trading.Node.Commands;

/// <summary><c>trading fees</c>: what a fill costs under the dated rules and the broker's config.</summary>
internal static class FeesCommand
{
    private const decimal MaxPrice = 1_000_000m;
    private const long MaxQuantity = 100_000_000_000L;

    public static Command Build()
    {
        var side = new Option<string>("--side") { Description = "buy or sell", Required = true };
        side.AcceptOnlyFromAmong("buy", "sell");
        var price = new Option<decimal>("--price") { Description = "Fill price, CNY", Required = true };
        var quantity = new Option<long>("--quantity") { Description = "Shares", Required = true };
        var date = new Option<string>("--date") { Description = "Trade date YYYY-MM-DD (rates are dated)", Required = true };
        var config = new Option<string?>("--config") { Description = "HOCON with trading.market.fees overrides (e.g. hocon/market.conf)" };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var cmd = new Command("fees", "Fees of one fill: commission (with minimum), stamp duty, transfer fee, optional exchange fees")
        {
            side, price, quantity, date, config, json,
        };
        cmd.SetAction((parse, ct) => Cli.Guard(() =>
        {
            var dateText = parse.GetValue(date)!;
            if (!DateOnly.TryParseExact(dateText, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                throw new FormatException($"--date '{dateText}' is not a date YYYY-MM-DD.");
            var schedule = parse.GetValue(config) is { } file ? MarketConfig.LoadFees(file) : FeeSchedule.Default;
            var s = parse.GetValue(side) == "buy" ? Side.Buy : Side.Sell;
            var p = parse.GetValue(price);
            var q = parse.GetValue(quantity);
            if (p <= 0 || q <= 0) throw new FormatException("--price and --quantity must be positive.");
            // Bounds far beyond any A-share fill that keep every amount (value, fees) inside decimal's range.
            if (p > MaxPrice) throw new FormatException($"--price {p} is above {MaxPrice} CNY, no A-share trades there.");
            if (q > MaxQuantity) throw new FormatException($"--quantity {q} is above {MaxQuantity} shares.");
            var f = schedule.Compute(s, p, q, d);
            if (parse.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    side = s.ToString().ToLowerInvariant(), value = p * q, commission = f.Commission, stamp_duty = f.StampDuty,
                    transfer_fee = f.TransferFee, handling_fee = f.HandlingFee, regulatory_fee = f.RegulatoryFee, total = f.Total,
                }));
            else
                Console.WriteLine($"{s} {q} @ {p} on {d:yyyy-MM-dd}: value {p * q:0.00}; commission {f.Commission:0.00}, stamp duty {f.StampDuty:0.00}, transfer {f.TransferFee:0.00}, handling {f.HandlingFee:0.00}, regulatory {f.RegulatoryFee:0.00}; total {f.Total:0.00}");
            return 0;
        }));
        return cmd;
    }
}
