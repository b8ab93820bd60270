"""The fake broker counter: one capital account, its orders, trades, positions and cash.

Every public method runs under the server's lock, changes the state, and returns the pushes (callbacks)
it causes as a list of events ``{"cb": "on_stock_order", "data": {...}, "to": conn_id or None}``;
``to`` None means every session subscribed to the account. The server persists the state after each
call and sends the events. Queries return the truth; faults only bend what is pushed.

Status paths (xtconstant values; shared/A_SHARE_RULES.md §2):
  accepted     48 -> 50 -> (55 ...) -> 56
  counter junk 48 -> 57                      funds, position, lots, limit prices, suspended, session
  exchange junk 48 -> 50 -> 57               price cage (checked after the counter froze the money)
  cancel       50 -> 51 -> 54,  55 -> 52 -> 53
"""

import datetime
import json
import math
import os
import time
from decimal import Decimal, InvalidOperation

from . import rules as R

UNREPORTED, REPORTED, REPORTED_CANCEL, PARTSUCC_CANCEL = 48, 50, 51, 52
PART_CANCEL, CANCELED, PART_SUCC, SUCCEEDED, JUNK = 53, 54, 55, 56, 57
LIVE = (REPORTED, REPORTED_CANCEL, PARTSUCC_CANCEL, PART_SUCC)
TERMINAL = (PART_CANCEL, CANCELED, SUCCEEDED, JUNK)
CANCELABLE = (UNREPORTED, 49, REPORTED, PART_SUCC)

BUY, SELL = 23, 24
LATEST_PRICE, FIX_PRICE = 5, 11
# Market-protect price types and the exchanges that take them (xtconstant 42-48).
MARKET_PRICE_TYPES = {42: ("SH",), 43: ("SH",), 44: ("SH", "SZ"), 45: ("SH", "SZ"),
                      46: ("SZ",), 47: ("SZ",), 48: ("SZ",)}
# XtOrder.price_type carries the counter's enum, not xtconstant's (vnpy_xt: "限价返回50，市价返回88";
# shared/BROKER_BRIDGES.md §1.3). A bridge must not round-trip it.
COUNTER_LIMIT, COUNTER_MARKET = 50, 88

DIRECTION_LONG, OFFSET_OPEN, OFFSET_CLOSE = 48, 48, 49
ERROR_ID_UNSET = 2147483647

# Reject reasons: (error_id, 废单 text). The ids are this fake's own; real counters use their own numbers.
E_UNKNOWN_CODE = (1001, "证券代码不存在 (unknown security)")
E_SESSION = (1002, "非交易时间 (outside the trading session)")
E_SUSPENDED = (1003, "证券停牌 (security suspended)")
E_PRICE_TYPE = (1004, "该市场不支持此报价类型 (price type not allowed on this market)")
E_TICK = (1005, "委托价格不是最小价位的整数倍 (price not on a 0.01 tick)")
E_ABOVE_LIMIT = (1006, "委托价格高于涨停价 (price above limit-up)")
E_BELOW_LIMIT = (1007, "委托价格低于跌停价 (price below limit-down)")
E_VOLUME = (1008, None)  # text from rules
E_FUNDS = (1009, "可用资金不足 (insufficient funds)")
E_POSITION = (1010, "可用股份不足 (insufficient position)")
E_CAGE = (1011, None)
E_CANCEL_NOT_FOUND = (1101, "撤单失败: 委托不存在 (no such order)")
E_CANCEL_TERMINAL = (1102, "撤单失败: 委托已是终态 (order already final: {})")
E_CANCEL_PENDING = (1103, "撤单失败: 撤单已在途 (a cancel is already pending)")
E_CANCEL_REJECTED = (1104, "撤单失败: 柜台拒绝 (the counter refused the cancel)")
E_CANCEL_FILLED = (1105, "撤单失败: 委托已全部成交 (filled before the cancel)")

# Switches: "on" (True), "off" (absent) or N (the next N uses). delay is a number of milliseconds.
FAULTS = ("duplicate_trade_push", "trade_before_order", "drop_event", "delay", "bare_codes",
          "blank_remark", "error_sentinel", "cancel_reject", "slow_cancel", "market_closed",
          "push_before_response")

ZERO = Decimal("0")


def D(x):
    return Decimal(str(x))


def f(x):
    """Money/price on the wire: a float, as xtquant gives it."""
    return float(D(x))


class BrokerError(Exception):
    """A control command that cannot be done (bad code, bad price); the ctl client prints it."""


def next_weekday(date_text):
    d = datetime.date.fromisoformat(date_text) + datetime.timedelta(days=1)
    while d.weekday() >= 5:
        d += datetime.timedelta(days=1)
    return d.isoformat()


def beijing_in_session(now=None):
    """§1.2: 09:15-11:30 and 13:00-15:00 Beijing time, Monday to Friday (no holiday calendar)."""
    now = now or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    t = now + datetime.timedelta(hours=8)
    hm = t.hour * 100 + t.minute
    return t.weekday() < 5 and (915 <= hm < 1130 or 1300 <= hm < 1500)


def symbols_from_fixture(fixture):
    symbols = {}
    for code, s in fixture.get("symbols", {}).items():
        R.split_code(code)
        pre = D(s.get("pre_close", s["last"]))
        up, down = R.limit_prices(code, pre, s.get("limit_pct"))
        symbols[code] = {
            "last": str(D(s["last"])), "pre_close": str(pre),
            "up_limit": str(D(s.get("up_limit", up))), "down_limit": str(D(s.get("down_limit", down))),
            "suspended": bool(s.get("suspended", False)), "volume": int(s.get("volume", 0)),
            "limit_pct": s.get("limit_pct")}
    return symbols


class Broker(object):
    def __init__(self, state_path, state, partial_fills=1, enforce_session=False):
        self.state_path = state_path
        self.s = state
        R.configure_fees(state.get("initial", {}).get("fees"))
        self.partial_fills = max(1, int(partial_fills))
        self.enforce_session = enforce_session
        self.dirty = False

    # ---- construction and persistence -------------------------------------------------------------
    @classmethod
    def open(cls, directory, fixture_path, account_id, cash, trade_date=None, partial_fills=1,
             enforce_session=False):
        """Loads DIR/state.json when it exists (a restart keeps everything), else starts from the fixture."""
        path = os.path.join(directory, "state.json")
        if os.path.exists(path):
            with open(path) as fh:
                return cls(path, json.load(fh), partial_fills, enforce_session)
        with open(fixture_path) as fh:
            fixture = json.load(fh)
        initial = {
            "trade_date": trade_date or fixture.get("trade_date") or datetime.date.today().isoformat(),
            "cash": str(R.cents(D(cash))),
            "symbols": symbols_from_fixture(fixture),
            "fees": fixture.get("fees"),
            "positions": {code: {"volume": int(p["volume"]), "cost": str(R.cents(D(p.get("avg_price", "0")) * int(p["volume"])))}
                          for code, p in fixture.get("positions", {}).items()},
        }
        state = {"version": 1, "account_id": account_id, "initial": initial, "next_order_id": 1, "next_trade_no": 1, "next_sysid": 1}
        broker = cls(path, state, partial_fills, enforce_session)
        R.configure_fees(initial.get("fees"))
        broker._load_initial()
        broker.save()
        return broker

    def _load_initial(self):
        init = self.s["initial"]
        self.s["trade_date"] = init["trade_date"]
        self.s["cash"] = init["cash"]
        self.s["symbols"] = json.loads(json.dumps(init["symbols"]))
        self.s["positions"] = {code: {"volume": p["volume"], "can_use_volume": p["volume"], "frozen_volume": 0,
                                      "yesterday_volume": p["volume"], "cost": p["cost"]}
                               for code, p in init["positions"].items()}
        self.s["orders"] = {}
        self.s["trades"] = []
        self.s["faults"] = {}
        self.dirty = True

    def save(self):
        # Atomic replace: a kill -9 of serve leaves the old or the new state, never half of one.
        # No fsync: the fake guards against a dead process, not a power cut.
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(self.s, fh, indent=1, sort_keys=True)
        os.replace(tmp, self.state_path)
        self.dirty = False

    @property
    def account_id(self):
        return self.s["account_id"]

    # ---- faults -----------------------------------------------------------------------------------
    def set_fault(self, name, value):
        if name not in FAULTS:
            raise BrokerError("unknown fault {!r}; known: {}".format(name, ", ".join(FAULTS)))
        value = str(value).lower()
        faults = self.s["faults"]
        if value in ("off", "0"):
            faults.pop(name, None)
        elif value == "on" and name != "delay":
            faults[name] = True
        elif value.isdigit():
            faults[name] = int(value)
        else:
            raise BrokerError("fault value must be on, off or a number, not {!r}".format(value))
        self.dirty = True
        return dict(faults)

    def take_fault(self, name):
        """True when the switch is on; a counted switch uses up one."""
        v = self.s["faults"].get(name)
        if v is True:
            return True
        if isinstance(v, int) and v > 0:
            if v == 1:
                del self.s["faults"][name]
            else:
                self.s["faults"][name] = v - 1
            self.dirty = True
            return True
        return False

    def fault_on(self, name):
        v = self.s["faults"].get(name)
        return v is True or (isinstance(v, int) and v > 0)

    def delay_ms(self):
        return int(self.s["faults"].get("delay", 0))

    # ---- wire objects (what xtquant's structures carry) ---------------------------------------------
    def _code_fields(self, code, bare):
        # bare_codes: a bare 6-digit stock_code as Big QMT pushes it (BROKER_BRIDGES §1.3); the full code
        # stays in stock_code1, the field newer xtquant builds carry beside stock_code.
        return {"stock_code": code.split(".")[0] if bare else code, "stock_code1": code}

    def order_wire(self, o, bare=False, blank=False):
        traded = o["traded_volume"]
        w = {"account_id": self.account_id, "order_id": o["order_id"], "order_sysid": o["order_sysid"],
             "order_time": o["order_time"], "order_type": o["order_type"], "order_volume": o["order_volume"],
             "price_type": COUNTER_MARKET if o["price_type"] in MARKET_PRICE_TYPES else COUNTER_LIMIT,
             "price": f(o["price"]), "traded_volume": traded,
             "traded_price": float(R.cents(D(o["traded_amount"]) / traded)) if traded else 0.0,
             "order_status": o["order_status"], "status_msg": o["status_msg"],
             "strategy_name": o["strategy_name"], "order_remark": "" if blank else o["order_remark"],
             "direction": DIRECTION_LONG, "offset_flag": OFFSET_OPEN if o["order_type"] == BUY else OFFSET_CLOSE}
        w.update(self._code_fields(o["stock_code"], bare))
        return w

    def trade_wire(self, t, bare=False, blank=False):
        w = dict(t)
        for k in ("traded_price", "traded_amount", "commission"):
            w[k] = f(t[k])
        if blank:
            w["order_remark"] = ""
        w.update(self._code_fields(t["stock_code"], bare))
        return w

    def position_wire(self, code, bare=False):
        p = self.s["positions"][code]
        last = D(self.s["symbols"][code]["last"]) if code in self.s["symbols"] else ZERO
        avg = float((D(p["cost"]) / p["volume"]).quantize(Decimal("0.001"))) if p["volume"] else 0.0
        w = {"account_id": self.account_id, "volume": p["volume"], "can_use_volume": p["can_use_volume"],
             "open_price": avg, "market_value": float(R.cents(last * p["volume"])),
             "frozen_volume": p["frozen_volume"], "on_road_volume": 0, "yesterday_volume": p["yesterday_volume"],
             "avg_price": avg, "direction": DIRECTION_LONG}
        w.update(self._code_fields(code, bare))
        return w

    def asset_wire(self):
        frozen = sum((D(o["frozen_cash"]) for o in self.s["orders"].values()), ZERO)
        mv = sum((R.cents(D(self.s["symbols"][c]["last"]) * p["volume"])
                  for c, p in self.s["positions"].items() if c in self.s["symbols"]), ZERO)
        cash = D(self.s["cash"])
        return {"account_id": self.account_id, "cash": f(cash), "frozen_cash": f(frozen),
                "market_value": f(mv), "total_asset": f(cash + frozen + mv)}

    # ---- pushes -----------------------------------------------------------------------------------
    def _push_order(self, events, o):
        bare = self.take_fault("bare_codes")
        blank = self.take_fault("blank_remark")
        events.append({"cb": "on_stock_order", "data": self.order_wire(o, bare=bare, blank=blank), "to": None})

    def _push_trade(self, events, t):
        bare = self.take_fault("bare_codes")
        blank = self.take_fault("blank_remark")
        ev = {"cb": "on_stock_trade", "data": self.trade_wire(t, bare=bare, blank=blank), "to": None}
        events.append(ev)
        if self.take_fault("duplicate_trade_push"):
            events.append(dict(ev))

    def _push_position(self, events, code):
        bare = self.take_fault("bare_codes")
        events.append({"cb": "on_stock_position", "data": self.position_wire(code, bare=bare), "to": None})

    def _push_asset(self, events):
        events.append({"cb": "on_stock_asset", "data": self.asset_wire(), "to": None})

    def _push_order_error(self, events, o, reason):
        error_id, msg = reason
        blank = self.take_fault("blank_remark")
        if self.take_fault("error_sentinel"):
            # Big QMT leaves error_id unset and puts the counter's code in the text (BROKER_BRIDGES §1.3).
            error_id, msg = ERROR_ID_UNSET, "[COUNTER] [{}]{}".format(error_id, msg)
        events.append({"cb": "on_order_error", "to": None, "data": {
            "account_id": self.account_id, "order_id": o["order_id"], "error_id": error_id, "error_msg": msg,
            "strategy_name": o["strategy_name"], "order_remark": "" if blank else o["order_remark"]}})

    def _push_cancel_error(self, events, order_id, code, sysid, reason):
        error_id, msg = reason
        if self.take_fault("error_sentinel"):
            error_id, msg = ERROR_ID_UNSET, "[COUNTER] [{}]{}".format(error_id, msg)
        market = R.market_of(code) if code else -1
        events.append({"cb": "on_cancel_error", "to": None, "data": {
            "account_id": self.account_id, "order_id": order_id, "market": market, "order_sysid": sysid,
            "error_id": error_id, "error_msg": msg}})

    # ---- money and volume held by open orders ------------------------------------------------------
    def _buy_hold(self, o):
        """Cash a buy holds for its untraded rest: rest × freeze price plus the fees that rest would add.
        Fill prices never exceed the freeze price, so what is held always covers what is charged."""
        rest = o["order_volume"] - o["traded_volume"]
        if rest <= 0:
            return ZERO
        done = D(o["traded_amount"])
        worst = D(o["freeze_price"]) * rest
        return worst + R.fees(done + worst, True) - R.fees(done, True)

    def _release(self, o):
        """The order is final: give back the cash or shares it still holds."""
        if o["order_type"] == BUY:
            self.s["cash"] = str(D(self.s["cash"]) + D(o["frozen_cash"]))
            o["frozen_cash"] = "0"
        elif o["frozen_volume"]:
            p = self.s["positions"][o["stock_code"]]
            p["frozen_volume"] -= o["frozen_volume"]
            p["can_use_volume"] += o["frozen_volume"]
            o["frozen_volume"] = 0

    def _push_holdings(self, events, o):
        if o["order_type"] == SELL and o["stock_code"] in self.s["positions"]:
            self._push_position(events, o["stock_code"])
        self._push_asset(events)

    # ---- placing ----------------------------------------------------------------------------------
    def place(self, a, conn=None, seq=None):
        """order_stock / order_stock_async. Returns (order_id or -1, events)."""
        events = []
        strategy = a.get("strategy_name") or ""
        remark = (a.get("order_remark") or "")[:24]  # the counter keeps 24 characters (BROKER_BRIDGES §2.4)

        def refuse(msg):
            # The request never became an order (wrong account or arguments): -1, no order id.
            if seq is not None:
                events.append(self._async_response(conn, seq, -1, strategy, remark, msg))
            return -1, events

        if a.get("account_id") != self.account_id:
            return refuse("账号不存在 (unknown account {})".format(a.get("account_id")))
        if a.get("order_type") not in (BUY, SELL):
            return refuse("不支持的委托类型 (order_type {})".format(a.get("order_type")))
        price_type = a.get("price_type")
        if price_type not in (LATEST_PRICE, FIX_PRICE) and price_type not in MARKET_PRICE_TYPES:
            return refuse("不支持的报价类型 (price_type {})".format(price_type))
        try:
            volume = int(a.get("order_volume"))
            price = D(a.get("price") or 0)
        except (TypeError, ValueError, InvalidOperation):
            return refuse("委托参数错误 (bad volume or price)")
        if volume <= 0:
            return refuse("委托数量必须大于0 (volume must be positive)")

        order_id = self.s["next_order_id"]
        self.s["next_order_id"] += 1
        o = {"order_id": order_id, "order_sysid": "", "stock_code": str(a.get("stock_code")),
             "order_type": a["order_type"], "order_volume": volume, "price_type": price_type, "price": str(price),
             "freeze_price": "0", "traded_volume": 0, "traded_amount": "0", "order_status": UNREPORTED,
             "status_msg": "", "strategy_name": strategy, "order_remark": remark, "order_time": int(time.time()),
             "frozen_cash": "0", "frozen_volume": 0, "fills": 0, "cancel_requested": False,
             "manual": bool(a.get("manual"))}
        self.s["orders"][str(order_id)] = o
        self.dirty = True
        if seq is not None:
            events.append(self._async_response(conn, seq, order_id, strategy, remark, ""))
        self._push_order(events, o)

        reason = self._counter_check(o)
        if reason:
            self._junk(events, o, reason)
            return order_id, events
        # Accepted by the counter: hold the money or the shares, report to the exchange.
        if o["order_type"] == BUY:
            hold = self._buy_hold(o)
            o["frozen_cash"] = str(hold)
            self.s["cash"] = str(D(self.s["cash"]) - hold)
        else:
            p = self.s["positions"][o["stock_code"]]
            p["can_use_volume"] -= volume
            p["frozen_volume"] += volume
            o["frozen_volume"] = volume
        o["order_sysid"] = str(self.s["next_sysid"])
        self.s["next_sysid"] += 1
        o["order_status"] = REPORTED
        self._push_order(events, o)
        self._push_holdings(events, o)

        reason = self._exchange_check(o)
        if reason:
            self._release(o)
            self._junk(events, o, reason)
            self._push_holdings(events, o)
        return order_id, events

    def _async_response(self, conn, seq, order_id, strategy, remark, error_msg):
        return {"cb": "on_order_stock_async_response", "to": conn, "data": {
            "account_id": self.account_id, "order_id": order_id, "strategy_name": strategy,
            "order_remark": "" if self.take_fault("blank_remark") else remark, "error_msg": error_msg, "seq": seq}}

    def _junk(self, events, o, reason):
        o["order_status"] = JUNK
        o["status_msg"] = reason[1]
        self._push_order(events, o)
        self._push_order_error(events, o, reason)

    def _counter_check(self, o):
        """The counter's checks, in the order a counter runs them; the first failure junks the order."""
        code = o["stock_code"]
        try:
            R.split_code(code)
        except ValueError:
            return E_UNKNOWN_CODE
        sym = self.s["symbols"].get(code)
        if sym is None:
            return E_UNKNOWN_CODE
        if self.fault_on("market_closed") or (self.enforce_session and not beijing_in_session()):
            return E_SESSION
        if sym["suspended"]:
            return E_SUSPENDED
        exchange = code.split(".")[1]
        if o["price_type"] in MARKET_PRICE_TYPES:
            if exchange not in MARKET_PRICE_TYPES[o["price_type"]]:
                return E_PRICE_TYPE
            limit = None
        elif o["price_type"] == LATEST_PRICE:
            limit = D(sym["last"])
        else:
            limit = D(o["price"])
            if limit <= 0 or limit != limit.quantize(R.CENT):
                return E_TICK
            if limit > D(sym["up_limit"]):
                return E_ABOVE_LIMIT
            if limit < D(sym["down_limit"]):
                return E_BELOW_LIMIT
        o["limit"] = None if limit is None else str(limit)
        volume = o["order_volume"]
        if o["order_type"] == BUY:
            msg = R.buy_volume_error(code, volume)
            if msg:
                return (E_VOLUME[0], msg)
            # A market buy holds cash at the limit-up price, as counters do.
            o["freeze_price"] = str(limit if limit is not None else D(sym["up_limit"]))
            if self._buy_hold(o) > D(self.s["cash"]):
                return E_FUNDS
        else:
            p = self.s["positions"].get(code)
            sellable = p["can_use_volume"] if p else 0
            if volume > sellable:
                return E_POSITION
            msg = R.sell_volume_error(code, volume, sellable)
            if msg:
                return (E_VOLUME[0], msg)
        return None

    def _exchange_check(self, o):
        if o["price_type"] != FIX_PRICE:
            return None
        msg = R.price_cage_error(o["stock_code"], o["order_type"] == BUY, D(o["price"]),
                                 self.s["symbols"][o["stock_code"]]["last"])
        return (E_CAGE[0], msg) if msg else None

    # ---- cancelling -------------------------------------------------------------------------------
    def find_order(self, order_id=None, market=None, sysid=None):
        if order_id is not None:
            return self.s["orders"].get(str(order_id))
        for o in self.s["orders"].values():
            if o["order_sysid"] and o["order_sysid"] == str(sysid):
                if market in (None, -1) or market == R.market_of(o["stock_code"]) or market == o["stock_code"][-2:]:
                    return o
        return None

    def cancel(self, a, conn=None, seq=None):
        """cancel_order_stock[_async] and the _sysid forms. Returns (0 or -1, events)."""
        events = []
        if a.get("order_id") is not None:
            o = self.find_order(order_id=a["order_id"])
        else:
            o = self.find_order(market=a.get("market"), sysid=a.get("order_sysid"))
        order_id = o["order_id"] if o else a.get("order_id", -1)
        sysid = o["order_sysid"] if o else str(a.get("order_sysid") or "")

        def fail(reason):
            if seq is not None:
                events.append(self._cancel_response(conn, seq, -1, order_id, sysid, reason[1]))
            self._push_cancel_error(events, order_id, o["stock_code"] if o else None, sysid, reason)
            return -1, events

        if a.get("account_id") != self.account_id or o is None:
            return fail(E_CANCEL_NOT_FOUND)
        if o["order_status"] in TERMINAL:
            return fail((E_CANCEL_TERMINAL[0], E_CANCEL_TERMINAL[1].format(o["order_status"])))
        if o["cancel_requested"]:
            return fail(E_CANCEL_PENDING)
        if self.take_fault("cancel_reject"):
            return fail(E_CANCEL_REJECTED)
        if seq is not None:
            events.append(self._cancel_response(conn, seq, 0, order_id, sysid, ""))
        o["cancel_requested"] = True
        o["order_status"] = PARTSUCC_CANCEL if o["traded_volume"] else REPORTED_CANCEL
        self.dirty = True
        self._push_order(events, o)
        if not self.fault_on("slow_cancel"):
            self._finish_cancel(events, o)
        return 0, events

    def _cancel_response(self, conn, seq, result, order_id, sysid, msg):
        return {"cb": "on_cancel_order_stock_async_response", "to": conn, "data": {
            "account_id": self.account_id, "cancel_result": result, "order_id": order_id,
            "order_sysid": sysid, "seq": seq, "error_msg": msg}}

    def _finish_cancel(self, events, o, expired=False):
        o["order_status"] = PART_CANCEL if o["traded_volume"] else CANCELED
        if expired:
            o["status_msg"] = "收市未成交自动撤单 (expired at the close)"
        self._release(o)
        self.dirty = True
        self._push_order(events, o)
        self._push_holdings(events, o)

    # ---- matching ---------------------------------------------------------------------------------
    def match_tick(self):
        """One matching tick. Every live order marketable against its symbol's last price gets one fill
        at last: a buy when its limit ≥ last, a sell when its limit ≤ last, a market-protect order always.
        A fill is order_volume / partial_fills rounded up to 100 shares (at most the rest), so an order
        fills in partial_fills trades, one per tick. Suspended symbols do not trade. Cancels held by the
        slow_cancel fault complete after the fills of the same tick."""
        events = []
        for o in sorted(self.s["orders"].values(), key=lambda x: x["order_id"]):
            if o["order_status"] not in LIVE:
                continue
            sym = self.s["symbols"].get(o["stock_code"])
            if sym is None or sym["suspended"]:
                continue
            last = D(sym["last"])
            limit = None if o.get("limit") is None else D(o["limit"])
            if limit is not None and (limit < last if o["order_type"] == BUY else limit > last):
                continue
            rest = o["order_volume"] - o["traded_volume"]
            slice_ = int(math.ceil(o["order_volume"] / float(self.partial_fills) / 100.0)) * 100
            self._fill(events, o, min(rest, slice_), last)
        for o in sorted(self.s["orders"].values(), key=lambda x: x["order_id"]):
            if o["cancel_requested"] and o["order_status"] in (REPORTED_CANCEL, PARTSUCC_CANCEL):
                self._finish_cancel(events, o)
        return events

    def _fill(self, events, o, volume, price):
        is_buy = o["order_type"] == BUY
        code = o["stock_code"]
        done = D(o["traded_amount"])
        amount = price * volume
        fee = R.fees(done + amount, is_buy) - R.fees(done, is_buy)
        commission = R.commission(done + amount) - R.commission(done)
        o["traded_volume"] += volume
        o["traded_amount"] = str(done + amount)
        o["fills"] += 1
        p = self.s["positions"].setdefault(code, {"volume": 0, "can_use_volume": 0, "frozen_volume": 0,
                                                  "yesterday_volume": 0, "cost": "0"})
        cash = D(self.s["cash"])
        if is_buy:
            held = D(o["frozen_cash"])
            still = self._buy_hold(o)
            o["frozen_cash"] = str(still)
            cash += held - still - amount - fee
            p["volume"] += volume  # T+1: not in can_use_volume until the next day
            p["cost"] = str(D(p["cost"]) + amount + fee)
        else:
            cost = D(p["cost"])
            p["cost"] = str(R.cents(cost - cost * volume / p["volume"]))
            p["volume"] -= volume
            p["frozen_volume"] -= volume
            o["frozen_volume"] -= volume
            cash += amount - fee
        self.s["cash"] = str(cash)
        filled = o["traded_volume"] == o["order_volume"]
        if filled:
            o["order_status"] = SUCCEEDED
        elif o["cancel_requested"]:
            o["order_status"] = PARTSUCC_CANCEL
        else:
            o["order_status"] = PART_SUCC
        trade_no = self.s["next_trade_no"]
        self.s["next_trade_no"] += 1
        t = {"account_id": self.account_id, "stock_code": code, "order_type": o["order_type"],
             "traded_id": "T{:08d}".format(trade_no), "traded_time": int(time.time()),
             "traded_price": str(price), "traded_volume": volume, "traded_amount": str(amount),
             "order_id": o["order_id"], "order_sysid": o["order_sysid"], "strategy_name": o["strategy_name"],
             "order_remark": o["order_remark"], "direction": DIRECTION_LONG,
             "offset_flag": OFFSET_OPEN if is_buy else OFFSET_CLOSE, "commission": str(commission)}
        self.s["trades"].append(t)
        self.dirty = True
        if self.take_fault("trade_before_order"):
            self._push_trade(events, t)
            self._push_order(events, o)
        else:
            self._push_order(events, o)
            self._push_trade(events, t)
        if filled and o["cancel_requested"]:
            self._push_cancel_error(events, o["order_id"], code, o["order_sysid"], E_CANCEL_FILLED)
        self._push_position(events, code)
        self._push_asset(events)

    # ---- control ----------------------------------------------------------------------------------
    def set_price(self, code, price):
        try:
            R.split_code(code)
            price = D(price)
        except (ValueError, InvalidOperation):
            raise BrokerError("bad code or price: {} {}".format(code, price))
        sym = self.s["symbols"].get(code)
        if sym is None:
            up, down = R.limit_prices(code, price)
            sym = self.s["symbols"][code] = {"last": str(price), "pre_close": str(price), "up_limit": str(up),
                                             "down_limit": str(down), "suspended": False, "volume": 0,
                                             "limit_pct": None}
        elif not D(sym["down_limit"]) <= price <= D(sym["up_limit"]):
            raise BrokerError("{} is outside {}'s limits [{}, {}]".format(price, code, sym["down_limit"], sym["up_limit"]))
        sym["last"] = str(price)
        self.dirty = True
        return dict(sym)

    def suspend(self, code, on):
        if code not in self.s["symbols"]:
            raise BrokerError("unknown code {}".format(code))
        self.s["symbols"][code]["suspended"] = bool(on)
        self.dirty = True
        return dict(self.s["symbols"][code])

    def next_day(self):
        """Close the day: open orders expire (54/53), today's orders and trades are gone, every share
        held becomes sellable (T+1), limits are recomputed from the last price, the date moves to the
        next weekday (no holiday calendar)."""
        events = []
        for o in sorted(self.s["orders"].values(), key=lambda x: x["order_id"]):
            if o["order_status"] in LIVE:
                self._finish_cancel(events, o, expired=True)
        self.s["orders"] = {}
        self.s["trades"] = []
        for code in list(self.s["positions"]):
            p = self.s["positions"][code]
            if p["volume"] == 0:
                del self.s["positions"][code]
                continue
            p.update(can_use_volume=p["volume"], yesterday_volume=p["volume"], frozen_volume=0)
            self._push_position(events, code)
        for code, sym in self.s["symbols"].items():
            up, down = R.limit_prices(code, sym["last"], sym.get("limit_pct"))
            sym.update(pre_close=sym["last"], up_limit=str(up), down_limit=str(down))
        self.s["trade_date"] = next_weekday(self.s["trade_date"])
        self._push_asset(events)
        self.dirty = True
        return events

    def reset(self):
        """Back to the fixture's date, cash, positions and prices; no orders, trades or faults. Ids keep growing."""
        self._load_initial()

    # ---- queries (the truth; faults never touch them) ----------------------------------------------
    def orders(self, cancelable_only=False):
        rows = sorted(self.s["orders"].values(), key=lambda x: x["order_id"])
        return [self.order_wire(o) for o in rows if not cancelable_only or o["order_status"] in CANCELABLE]

    def order(self, order_id):
        o = self.s["orders"].get(str(order_id))
        return self.order_wire(o) if o else None

    def trades(self):
        return [self.trade_wire(t) for t in self.s["trades"]]

    def positions(self):
        return [self.position_wire(c) for c in sorted(self.s["positions"])]

    def position(self, code):
        return self.position_wire(code) if code in self.s["positions"] else None

    def snapshot(self):
        return {"account_id": self.account_id, "trade_date": self.s["trade_date"], "asset": self.asset_wire(),
                "orders": self.orders(), "trades": self.trades(), "positions": self.positions(),
                "faults": dict(self.s["faults"]), "symbols": self.s["symbols"]}
