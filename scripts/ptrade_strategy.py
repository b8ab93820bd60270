# -*- coding: utf-8 -*-
"""PTrade hand-off strategy (BROKER_BRIDGES.md section 4): trades the target file `trading ptrade export` wrote.

Upload this file as a PTrade strategy (Guojin PTrade: 量化 -> 新建策略, paste, run in 交易). Upload each day's
targets_<yyyymmdd>_v<n>.json and then its targets_<yyyymmdd>_v<n>.ok marker to the research directory
(研究 -> upload; get_research_path(), /home/fly/notebook/ per the PTrade FAQ). At 09:35 (again at 10:30 and 14:30 as
retries) the strategy takes the newest version of today's file that has its .ok marker, checks its schema, date,
version and SHA-256 checksum (refusing it, with an error in the log and a refused acknowledgement, on any mismatch),
and trades the differences from the current positions: sells first, only the T+1 sellable quantity
(enable_amount), buys in board lots (100 shares; STAR 688/689: at least 200, then any number; BSE: at least 100,
then any number; A_SHARE_RULES.md section 1.1). It writes ack_<yyyymmdd>_v<n>.json (what it ordered) at once and
fills_<yyyymmdd>_v<n>.json (the day's executions of those orders) after the close; download both and run
`trading ptrade import`.

Python 3.5 (PTrade's interpreter): no f-strings, no variable annotations. Only PTrade's own functions (injected as
globals: g, log, get_research_path, run_daily, get_position, get_open_orders, get_trades, order) and the standard
json and hashlib modules: the sandbox restricts `os`, and files can only be read and written under the research path.
What get_trades() returns is not documented precisely ([U] in BROKER_BRIDGES.md): _trade_rows reads the usual
field names from objects or dicts and must be checked on Guojin's PTrade simulation before real money.
"""
import hashlib
import json

SCHEMA = 'ashare.targets/1'
ACK_SCHEMA = 'ashare.ack/1'
FILLS_SCHEMA = 'ashare.fills/1'
MAX_VERSION = 99
STATE_FILE = 'ptrade_state.json'


def initialize(context):
    g.root = get_research_path()
    if not g.root.endswith('/'):
        g.root = g.root + '/'
    # PTrade re-runs initialize after a restart: what was applied today is kept in a file, not only in g.
    g.state = _read_json(g.root + STATE_FILE) or {}
    run_daily(context, rebalance, time='09:35')
    run_daily(context, rebalance, time='10:30')
    run_daily(context, rebalance, time='14:30')


def handle_data(context, data):
    pass


def _today(context):
    return context.blotter.current_dt.strftime('%Y%m%d')


def _read_json(path):
    try:
        f = open(path, 'r')
    except Exception:
        return None
    try:
        return json.loads(f.read())
    except Exception:
        return None
    finally:
        f.close()


def _exists(path):
    try:
        open(path, 'r').close()
        return True
    except Exception:
        return False


def _write_json(path, value):
    f = open(path, 'w')
    try:
        f.write(json.dumps(value, sort_keys=True))
    finally:
        f.close()


def _save_state():
    _write_json(g.root + STATE_FILE, g.state)


def canonical_positions(positions):
    """The bytes the checksum covers: the positions array as compact JSON with sorted keys (as the C# export writes it)."""
    return json.dumps(positions, sort_keys=True, separators=(',', ':')).encode('utf-8')


def _newest(date):
    """The newest version of the day's target file whose .ok marker has been uploaded: (version, base path) or (None, None)."""
    for v in range(MAX_VERSION, 0, -1):
        base = g.root + 'targets_%s_v%d' % (date, v)
        if _exists(base + '.ok') and _exists(base + '.json'):
            return v, base
    return None, None


def _problem(t, date, version):
    """Why a target file must not be traded, or None."""
    if not isinstance(t, dict):
        return 'not a JSON object'
    if t.get('schema') != SCHEMA:
        return 'schema %r is not %r' % (t.get('schema'), SCHEMA)
    if t.get('trade_date') != date:
        return 'trade_date %r is not today (%s)' % (t.get('trade_date'), date)
    if t.get('version') != version:
        return 'version %r does not match the file name (v%d)' % (t.get('version'), version)
    positions = t.get('positions')
    if not isinstance(positions, list):
        return 'no positions array'
    for leg in positions:
        if not isinstance(leg, dict) or not isinstance(leg.get('code'), str) or not isinstance(leg.get('target'), int) \
                or isinstance(leg.get('target'), bool) or leg.get('target') < 0:
            return 'bad position %r' % (leg,)
    digest = hashlib.sha256(canonical_positions(positions)).hexdigest()
    if digest != t.get('sha256'):
        return 'checksum mismatch: the file says %r, its positions hash to %s' % (t.get('sha256'), digest)
    return None


def _board_minimum(code):
    """Buy lot rule of a code: (minimum, step). STAR 688/689: 200 then 1; BSE: 100 then 1; others: 100 then 100."""
    number = code.split('.')[0]
    if number.startswith('688') or number.startswith('689'):
        return 200, 1
    if code.endswith('.BJ'):
        return 100, 1
    return 100, 100


def _buy_quantity(code, want):
    minimum, step = _board_minimum(code)
    if want < minimum:
        return 0
    return want - (want - minimum) % step


def _sell_quantity(code, want, held, sellable):
    """Shares to sell: never more than the T+1 sellable quantity; a whole lot unless the rest of the position goes."""
    qty = min(want, sellable)
    if qty <= 0:
        return 0
    if qty == held:
        return qty                      # the whole position, odd lot included, in one order
    minimum, step = _board_minimum(code)
    if step == 1:
        return qty if qty >= minimum or held - qty == 0 else 0
    return qty - qty % step


def _holding(code):
    pos = get_position(code)
    if pos is None:
        return 0, 0
    return int(getattr(pos, 'amount', 0) or 0), int(getattr(pos, 'enable_amount', 0) or 0)


def _ack(date, version, t, status, reason, orders, skipped, context):
    _write_json(g.root + 'ack_%s_v%d.json' % (date, version), {
        'schema': ACK_SCHEMA,
        'trade_date': date,
        'version': version,
        'sha256': t.get('sha256') if isinstance(t, dict) else None,
        'account': t.get('account') if isinstance(t, dict) else None,
        'status': status,
        'reason': reason,
        'at': context.blotter.current_dt.strftime('%Y-%m-%d %H:%M:%S'),
        'orders': orders,
        'skipped': skipped,
    })


def rebalance(context):
    date = _today(context)
    version, base = _newest(date)
    if version is None:
        log.info('ptrade hand-off: no target file for %s with its .ok marker yet' % date)
        return
    done = g.state.get(date)
    if done is not None and done.get('version', 0) >= version:
        return
    t = _read_json(base + '.json')
    problem = _problem(t, date, version) if t is not None else 'not readable JSON'
    if problem is not None:
        log.error('ptrade hand-off: refusing %s.json: %s' % (base, problem))
        _ack(date, version, t, 'refused', problem, [], [], context)
        g.state[date] = {'version': version, 'status': 'refused', 'orders': []}
        _save_state()
        return
    if get_open_orders():
        log.info('ptrade hand-off: open orders pending, trying again at the next run')
        return

    sells, buys, skipped = [], [], []
    listed = set()
    for leg in t['positions']:
        listed.add(leg['code'])
        _plan(leg['code'], leg['target'], leg, sells, buys, skipped)
    if t.get('unlisted') == 'sell':
        for code in sorted(get_positions().keys()):
            if code not in listed:
                _plan(code, 0, {}, sells, buys, skipped)

    orders = []
    for code, qty, target, held, limit in sells + buys:     # sells first: their proceeds pay for the buys
        oid = order(code, qty, limit_price=limit)
        orders.append({'code': code, 'side': 'sell' if qty < 0 else 'buy', 'amount': abs(qty), 'order_id': oid,
                       'target': target, 'held_before': held, 'limit_price': limit})
        if oid is None:
            log.error('ptrade hand-off: order %s %d refused by the counter' % (code, qty))
    log.info('ptrade hand-off: applied %s v%d: %d orders, %d skipped' % (date, version, len(orders), len(skipped)))
    _ack(date, version, t, 'applied', None, orders, skipped, context)
    g.state[date] = {'version': version, 'status': 'applied', 'sha256': t['sha256'],
                     'orders': [o['order_id'] for o in orders if o['order_id'] is not None]}
    _save_state()


def _plan(code, target, leg, sells, buys, skipped):
    held, sellable = _holding(code)
    delta = target - held
    if delta < 0:
        qty = _sell_quantity(code, -delta, held, sellable)
        if qty > 0:
            sells.append((code, -qty, target, held, leg.get('px_min')))
        if qty < -delta:
            skipped.append({'code': code, 'shares': -delta - qty, 'reason': 'not sellable today (T+1) or not a whole lot'})
    elif delta > 0:
        qty = _buy_quantity(code, delta)
        if qty > 0:
            buys.append((code, qty, target, held, leg.get('px_max')))
        if qty < delta:
            skipped.append({'code': code, 'shares': delta - qty, 'reason': 'below the board lot'})


def _field(obj, names):
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            return getattr(obj, name)
    return None


def _trade_rows(trades):
    """get_trades() as a flat list (a dict of order id -> list of trades, or a list)."""
    if isinstance(trades, dict):
        rows = []
        for key in sorted(trades.keys()):
            value = trades[key]
            rows.extend(value if isinstance(value, list) else [value])
        return rows
    return list(trades or [])


def after_trading_end(context, data):
    date = _today(context)
    done = g.state.get(date)
    if done is None or done.get('status') != 'applied':
        return
    mine = set(done.get('orders', []))
    fills = []
    for tr in _trade_rows(get_trades()):
        order_id = _field(tr, ['order_id', 'entrust_no'])
        if order_id not in mine:
            continue
        amount = int(_field(tr, ['business_amount', 'amount']) or 0)
        side = _field(tr, ['entrust_bs'])
        if side is None:
            side = '2' if amount < 0 else '1'
        fills.append({
            'trade_id': str(_field(tr, ['business_id', 'trade_id', 'id'])),
            'order_id': order_id,
            'code': _field(tr, ['security', 'stock_code', 'code']),
            'side': 'sell' if str(side) == '2' else 'buy',
            'amount': abs(amount),
            'price': str(_field(tr, ['business_price', 'price'])),
            'time': str(_field(tr, ['business_time', 'time'])),
        })
    _write_json(g.root + 'fills_%s_v%d.json' % (date, done['version']), {
        'schema': FILLS_SCHEMA, 'trade_date': date, 'version': done['version'], 'sha256': done.get('sha256'), 'fills': fills,
    })
    log.info('ptrade hand-off: %d fills of %s v%d written' % (len(fills), date, done['version']))
