"""A small simulator of the PTrade functions scripts/ptrade_strategy.py calls, to run the template unmodified.

It provides exactly those globals (g, log, get_research_path, run_daily, get_position, get_positions,
get_open_orders, get_trades, order) and a context with blotter.current_dt and portfolio; it runs one trading day:
initialize, each run_daily function at its time in order, then after_trading_end. It behaves like a counter that
checks what a real one checks (A_SHARE_RULES.md 1.1, 3): a sell above the T+1 sellable quantity, a buy that is not a
board lot, an odd-lot sell that is not the whole position, a buy beyond the cash, an unknown code are refused
(order returns None). Orders fill at once at the day's price, or a configured fraction of them (rounded down to a
lot) with the rest left open until the close. Shares bought today are not sellable today. The template runs with an
import hook that allows only json and hashlib (PTrade restricts `os`).

Command line (used by the C# end-to-end test):
  python3 ptrade_sim.py --template scripts/ptrade_strategy.py --research DIR --date YYYYMMDD --account IN.json --result OUT.json
IN.json: {"cash": 1000000, "positions": {"600000.SS": [amount, enable_amount]}, "prices": {"600000.SS": 10.5},
          "fill_ratio": {"600000.SS": 0.5}}; OUT.json: the account after the day, same shape, plus "orders".
"""

import argparse
import builtins
import datetime
import json
import sys

ALLOWED_IMPORTS = ('json', 'hashlib')
# Imported by the interpreter itself on the template's behalf (datetime.strftime imports time): not the template's doing.
IMPLICIT_IMPORTS = ('time', '_strptime')


class G(object):
    pass


class Position(object):
    def __init__(self, code, amount, enable_amount, price):
        self.sid = code
        self.amount = amount
        self.enable_amount = enable_amount
        self.cost_basis = price
        self.last_sale_price = price


class Order(object):
    def __init__(self, oid, code, amount, limit):
        self.id = oid
        self.security = code
        self.amount = amount
        self.filled = 0
        self.limit = limit
        self.status = '2'   # reported


class Trade(object):
    def __init__(self, business_id, order_id, code, bs, amount, price, time):
        self.business_id = business_id
        self.order_id = order_id
        self.security = code
        self.entrust_bs = bs
        self.business_amount = amount
        self.business_price = price
        self.business_time = time


class Log(object):
    def __init__(self):
        self.lines = []

    def info(self, msg):
        self.lines.append(('INFO', msg))

    def warning(self, msg):
        self.lines.append(('WARNING', msg))

    def error(self, msg):
        self.lines.append(('ERROR', msg))


class Blotter(object):
    def __init__(self):
        self.current_dt = None


class Portfolio(object):
    def __init__(self, sim):
        self._sim = sim

    @property
    def cash(self):
        return self._sim.cash

    @property
    def positions(self):
        return self._sim.get_positions()


class Context(object):
    def __init__(self, sim):
        self.blotter = Blotter()
        self.portfolio = Portfolio(sim)


def board_rule(code):
    number = code.split('.')[0]
    if number.startswith('688') or number.startswith('689'):
        return 200, 1
    if code.endswith('.BJ'):
        return 100, 1
    return 100, 100


class Simulator(object):
    def __init__(self, research_path, date, cash, positions, prices, fill_ratio=None, open_orders=0):
        self.research_path = research_path if research_path.endswith('/') else research_path + '/'
        self.date = date
        self.cash = float(cash)
        self.positions = {}
        for code, (amount, enable) in positions.items():
            self.positions[code] = Position(code, int(amount), int(enable), prices.get(code, 0.0))
        self.prices = dict(prices)
        self.fill_ratio = dict(fill_ratio or {})
        self.orders = []            # every order taken, in order
        self.refused = []           # (code, amount, reason)
        self.trades = []
        self.daily = []
        self.log = Log()
        self.g = G()
        self.context = Context(self)
        self._preexisting_open = open_orders

    # ---- the PTrade API ----
    def get_research_path(self):
        return self.research_path

    def run_daily(self, context, func, time='09:31'):
        self.daily.append((time, len(self.daily), func))

    def get_position(self, code):
        p = self.positions.get(code)
        return p if p is not None else Position(code, 0, 0, self.prices.get(code, 0.0))

    def get_positions(self):
        return dict((c, p) for c, p in self.positions.items() if p.amount > 0)

    def get_open_orders(self):
        pending = [o for o in self.orders if o.filled < abs(o.amount)]
        return ['x'] * self._preexisting_open + pending

    def get_trades(self):
        return list(self.trades)

    def order(self, code, amount, limit_price=None):
        reason = self._refusal(code, amount)
        if reason is not None:
            self.refused.append((code, amount, reason))
            return None
        oid = 'SIM%04d' % (len(self.orders) + 1)
        o = Order(oid, code, amount, limit_price)
        self.orders.append(o)
        self._fill(o)
        return oid

    # ---- the counter ----
    def _refusal(self, code, amount):
        if code not in self.prices:
            return 'unknown code'
        if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
            return 'amount must be a non-zero whole number'
        minimum, step = board_rule(code)
        p = self.get_position(code)
        if amount < 0:
            qty = -amount
            if qty > p.enable_amount:
                return 'sell %d above the sellable %d (T+1)' % (qty, p.enable_amount)
            if qty != p.amount and (qty < minimum or (qty - minimum) % step != 0):
                return 'odd-lot sell that is not the whole position'
            return None
        if amount < minimum or (amount - minimum) % step != 0:
            return 'buy %d is not a board lot' % amount
        if amount * self.prices[code] > self.cash + 1e-6:
            return 'not enough cash'
        return None

    def _fill(self, o):
        minimum, step = board_rule(o.security)
        qty = abs(o.amount)
        ratio = self.fill_ratio.get(o.security, 1.0)
        if ratio < 1.0:
            qty = int(qty * ratio)
            qty = 0 if qty < minimum else qty - (qty - minimum) % step
        if qty == 0:
            return
        price = self.prices[o.security]
        p = self.positions.setdefault(o.security, Position(o.security, 0, 0, price))
        if o.amount < 0:
            p.amount -= qty
            p.enable_amount -= qty
            self.cash += qty * price
            bs = '2'
        else:
            p.amount += qty          # bought today: not sellable until tomorrow
            self.cash -= qty * price
            bs = '1'
        o.filled = qty
        self.trades.append(Trade('T%05d' % (len(self.trades) + 1), o.id, o.security, bs, qty, price,
                                 self.context.blotter.current_dt.strftime('%Y-%m-%d %H:%M:%S')))

    # ---- running ----
    def api(self):
        return {
            'g': self.g, 'log': self.log, 'get_research_path': self.get_research_path, 'run_daily': self.run_daily,
            'get_position': self.get_position, 'get_positions': self.get_positions, 'get_open_orders': self.get_open_orders,
            'get_trades': self.get_trades, 'order': self.order,
        }

    def run_day(self, template_path):
        with open(template_path, 'r') as f:
            source = f.read()
        namespace = dict(self.api())
        namespace['__builtins__'] = restricted_builtins()
        namespace['__name__'] = 'ptrade_strategy'
        exec(compile(source, template_path, 'exec'), namespace)
        y, m, d = int(self.date[:4]), int(self.date[4:6]), int(self.date[6:8])
        self.context.blotter.current_dt = datetime.datetime(y, m, d, 9, 15)
        namespace['initialize'](self.context)
        for time, _, func in sorted(self.daily, key=lambda x: (x[0], x[1])):
            hh, mm = time.split(':')
            self.context.blotter.current_dt = datetime.datetime(y, m, d, int(hh), int(mm))
            func(self.context)
        self.context.blotter.current_dt = datetime.datetime(y, m, d, 15, 30)
        if 'after_trading_end' in namespace:
            namespace['after_trading_end'](self.context, None)
        return self

    def account(self):
        return {
            'cash': round(self.cash, 2),
            'positions': dict((c, [p.amount, p.enable_amount]) for c, p in sorted(self.positions.items()) if p.amount > 0),
            'orders': [{'order_id': o.id, 'code': o.security, 'amount': o.amount, 'filled': o.filled} for o in self.orders],
            'refused': [list(r) for r in self.refused],
            'log': [list(line) for line in self.log.lines],
        }


def restricted_builtins():
    """The interpreter's builtins with an import hook allowing only the modules PTrade's sandbox is known to allow."""
    allowed = dict(vars(builtins))
    real_import = builtins.__import__

    def guarded_import(name, *args, **kwargs):
        if name.split('.')[0] not in ALLOWED_IMPORTS + IMPLICIT_IMPORTS:
            raise ImportError('module %r is not available in the PTrade sandbox (simulated)' % name)
        return real_import(name, *args, **kwargs)

    allowed['__import__'] = guarded_import
    return allowed


def main(argv):
    p = argparse.ArgumentParser(description='Run a PTrade strategy file for one day against the simulator.')
    p.add_argument('--template', required=True)
    p.add_argument('--research', required=True)
    p.add_argument('--date', required=True, help='YYYYMMDD')
    p.add_argument('--account', required=True, help='account JSON: cash, positions, prices, fill_ratio')
    p.add_argument('--result', required=True, help='where to write the account after the day')
    a = p.parse_args(argv)
    with open(a.account) as f:
        acct = json.load(f)
    sim = Simulator(a.research, a.date, acct['cash'], acct.get('positions', {}), acct['prices'], acct.get('fill_ratio'))
    sim.run_day(a.template)
    with open(a.result, 'w') as f:
        json.dump(sim.account(), f, indent=1, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
