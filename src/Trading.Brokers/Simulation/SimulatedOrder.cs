using Trading.Domain.Orders;

namespace Trading.Brokers;

/// <summary>One order inside the simulated exchange: its state, what it holds frozen and every report it produced.</summary>
internal sealed class SimulatedOrder(OrderRequest request, string brokerOrderId, long epoch)
{
    public OrderRequest Request { get; } = request;
    public string BrokerOrderId { get; } = brokerOrderId;
    public long Epoch { get; } = epoch;

    public OrderStatus Status { get; set; } = OrderStatus.PendingSubmit;
    public string Reason { get; set; } = "";
    public long Filled { get; set; }
    public decimal FilledValue { get; set; }
    public decimal Fees { get; set; }

    /// <summary>Cash a buy holds frozen for its unfilled part (0 for sells and ended orders).</summary>
    public decimal Reserve { get; set; }

    /// <summary>Value and commission of today's fills: the commission minimum applies per order per trading day.</summary>
    public decimal DayValue { get; set; }
    public decimal DayCommission { get; set; }

    /// <summary>The last bar this order took volume from and how much, for the per-bar volume cap.</summary>
    public (DateOnly Date, TimeOnly Start) LastBar { get; set; }
    public long FilledOnLastBar { get; set; }

    /// <summary>Fills so far (their reports are in <see cref="History"/>).</summary>
    public int FillCount { get; set; }

    /// <summary>Every report of this order, in order: what a resubmission of the same client order id sends again.</summary>
    public List<BrokerReport> History { get; } = [];

    public long Remaining => Request.Quantity - Filled;

    public BrokerOrder Snapshot() =>
        new(Request, BrokerOrderId, Epoch, Status, Filled, FilledValue, Fees, Reason,
            History.OfType<OrderFilled>().Select(r => r.Fill).ToArray());
}
