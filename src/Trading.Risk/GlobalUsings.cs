global using System.Collections.Immutable;
global using Trading.Domain.Instruments;
global using Trading.Domain.Orders;
global using Trading.Domain.Positions;
global using Trading.Domain.Rules;
