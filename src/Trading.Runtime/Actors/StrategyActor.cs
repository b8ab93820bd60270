using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Trading.Data.Panel;
using Trading.Domain.Instruments;
using Trading.Runtime.Messages;
using Trading.Runtime.Strategy;

namespace Trading.Runtime.Actors;

/// <summary>
/// Runs a strategy's research pipeline (<see cref="IStrategyModel"/>) on its schedule: on a rebalance day it
/// decides with data up to the previous close and hands the target to the rebalancer. A failure of the model is
/// thrown as <see cref="StrategyFailedException"/>: the supervisor stops the strategy rather than trade on broken
/// logic.
/// </summary>
public sealed class StrategyActor : ReceiveActor
{
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public static Props Props(IStrategyModel model, MarketPanel panel, IActorRef rebalancer, IActorRef book, TimeSpan timeout) =>
        Akka.Actor.Props.Create(() => new StrategyActor(model, panel, rebalancer, book, timeout));

    public StrategyActor(IStrategyModel model, MarketPanel panel, IActorRef rebalancer, IActorRef book, TimeSpan timeout)
    {
        ReceiveAsync<Decide>(async d =>
        {
            int day = panel.DayIndex(d.Date);
            if (day <= 0 || !model.IsRebalanceDay(panel, day))
            {
                Sender.Tell(new StepDone(d.Step));
                return;
            }
            var account = await book.Ask<AccountSnapshot>(new GetAccount(), timeout);
            ImmutableSortedDictionary<Symbol, double> targets;
            try
            {
                targets = model.Targets(panel, day - 1, IStrategyModel.WeightsOf(account.Book));
            }
            catch (Exception e)
            {
                var failure = new StrategyFailedException(model.Name, e);
                Sender.Tell(new Status.Failure(failure)); // the clock learns at once; the supervisor stops this actor
                throw failure;
            }
            var result = await rebalancer.Ask<ProposalResult>(new TargetPortfolio(model.Name, d.Date, targets, d.Step), timeout);
            Sender.Tell(new StepDone(d.Step, $"{model.Name}: {targets.Count} targets, {result.Approved.Count} orders, {result.Rejected.Count} rejected"));
        });
    }
}
