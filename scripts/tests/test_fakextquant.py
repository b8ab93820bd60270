"""Tests of fakextquant (scripts/fakextquant): the xtquant shim against a real `serve` process.

Run from the repository root: python3 -m unittest discover -s scripts/tests -v
Each test class starts its own server in a temporary directory and stops it at the end.
"""

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

FAKE_ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "fakextquant")
sys.path.insert(0, FAKE_ROOT)
sys.dont_write_bytecode = True  # no __pycache__ left in scripts/

from fakextquant.control import Client, ControlError  # noqa: E402
from xtquant import xtconstant as C  # noqa: E402
from xtquant.xttrader import XtQuantTrader, XtQuantTraderCallback  # noqa: E402
from xtquant.xttype import StockAccount  # noqa: E402

ACCOUNT = "8886660001"
CASH = 1000000.0
FIXTURE = {
    "trade_date": "2024-01-02",
    "symbols": {
        "600000.SH": {"last": "10.00", "pre_close": "9.90", "up_limit": "10.89", "down_limit": "8.91",
                      "suspended": False, "volume": 1000000},
        "000001.SZ": {"last": "12.00", "pre_close": "12.00"},
        "688001.SH": {"last": "50.00", "pre_close": "50.00"},
        "600519.SH": {"last": "1700.00", "pre_close": "1700.00", "suspended": True},
        "600036.SH": {"last": "30.00", "pre_close": "30.00"},
    },
    "positions": {"600000.SH": {"volume": 1000, "avg_price": "9.50"},
                  "000001.SZ": {"volume": 150, "avg_price": "11.00"}},
}
WAIT = 10.0
SESSIONS = itertools.count(1000)


class Recorder(XtQuantTraderCallback):
    """Keeps every callback as (name, object, monotonic time) and the threads they ran on."""

    def __init__(self):
        self.events = []
        self.threads = set()
        self.cond = threading.Condition()
        self.hook = None

    def _add(self, name, obj=None):
        with self.cond:
            self.events.append((name, obj, time.monotonic()))
            self.threads.add(threading.get_ident())
            self.cond.notify_all()
        if self.hook:
            self.hook(name, obj)

    def on_disconnected(self):
        self._add("on_disconnected")

    def on_account_status(self, status):
        self._add("on_account_status", status)

    def on_stock_asset(self, asset):
        self._add("on_stock_asset", asset)

    def on_stock_order(self, order):
        self._add("on_stock_order", order)

    def on_stock_trade(self, trade):
        self._add("on_stock_trade", trade)

    def on_stock_position(self, position):
        self._add("on_stock_position", position)

    def on_order_error(self, order_error):
        self._add("on_order_error", order_error)

    def on_cancel_error(self, cancel_error):
        self._add("on_cancel_error", cancel_error)

    def on_order_stock_async_response(self, response):
        self._add("on_order_stock_async_response", response)

    def on_cancel_order_stock_async_response(self, response):
        self._add("on_cancel_order_stock_async_response", response)

    def wait(self, predicate, what="event"):
        with self.cond:
            if not self.cond.wait_for(lambda: predicate(self), WAIT):
                raise AssertionError("timed out waiting for {}; got {}".format(
                    what, [(n, getattr(o, "order_status", None)) for n, o, _ in self.events]))

    def of(self, name, order_id=None):
        with self.cond:
            return [o for n, o, _ in self.events
                    if n == name and (order_id is None or getattr(o, "order_id", None) == order_id)]

    def statuses(self, order_id):
        return [o.order_status for o in self.of("on_stock_order", order_id)]

    def names(self):
        with self.cond:
            return [n for n, _, _ in self.events]

    def wait_status(self, order_id, status):
        self.wait(lambda r: status in r.statuses(order_id), "order {} status {}".format(order_id, status))

    def wait_trades(self, order_id, count):
        """A trade is pushed after its order's status change, so wait for the trades themselves."""
        self.wait(lambda r: len(r.of("on_stock_trade", order_id)) >= count,
                  "{} trades of order {}".format(count, order_id))
        return self.of("on_stock_trade", order_id)


class ServeProcess(object):
    def __init__(self, args=()):
        self.tmp = tempfile.mkdtemp(prefix="fakextquant-test-")
        self.dir = os.path.join(self.tmp, "userdata_mini")
        self.fixture = os.path.join(self.tmp, "fixture.json")
        with open(self.fixture, "w") as fh:
            json.dump(FIXTURE, fh)
        self.args = list(args)
        self.proc = None
        self.start()

    def start(self):
        server_file = os.path.join(self.dir, "fakextquant.json")
        if os.path.exists(server_file):
            os.remove(server_file)  # left by a kill -9
        env = dict(os.environ, PYTHONPATH=FAKE_ROOT, PYTHONDONTWRITEBYTECODE="1")
        self.log = open(os.path.join(self.tmp, "serve.log"), "a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fakextquant", "serve", "--dir", self.dir, "--fixtures", self.fixture,
             "--account", ACCOUNT, "--cash", str(int(CASH))] + self.args,
            env=env, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("fakextquant serving account {} on 127.0.0.1:".format(ACCOUNT)):
            self.stop()
            with open(self.log.name) as fh:
                raise RuntimeError("serve did not start: {!r} {}".format(line, fh.read()))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.stop()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(WAIT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.log.close()

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)


class FakeCase(unittest.TestCase):
    SERVE_ARGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = ServeProcess(cls.SERVE_ARGS)
        cls.ctl = Client(cls.server.dir)
        cls.acc = StockAccount(ACCOUNT)

    @classmethod
    def tearDownClass(cls):
        cls.server.cleanup()

    def setUp(self):
        self.ctl.reset()
        self.traders = []
        self.trader, self.rec = self.connect()

    def tearDown(self):
        for t in self.traders:
            t.stop()

    def connect(self, session=None, relaxed=False):
        trader = XtQuantTrader(self.server.dir, next(SESSIONS) if session is None else session)
        rec = Recorder()
        trader.register_callback(rec)
        trader.set_relaxed_response_order_enabled(relaxed)
        trader.start()
        self.traders.append(trader)
        self.assertEqual(trader.connect(), 0)
        self.assertEqual(trader.subscribe(self.acc), 0)
        rec.wait(lambda r: r.of("on_account_status"), "account status")
        return trader, rec

    def buy(self, code="600000.SH", volume=1000, price=10.00, price_type=C.FIX_PRICE, remark="r1"):
        return self.trader.order_stock(self.acc, code, C.STOCK_BUY, volume, price_type, price, "strat", remark)

    def sell(self, code="600000.SH", volume=500, price=10.00, price_type=C.FIX_PRICE, remark="s1"):
        return self.trader.order_stock(self.acc, code, C.STOCK_SELL, volume, price_type, price, "strat", remark)

    def asset(self):
        return self.trader.query_stock_asset(self.acc)


class ApiAndLifecycleTests(FakeCase):
    def test_constants_are_xtquants(self):
        self.assertEqual((C.STOCK_BUY, C.STOCK_SELL, C.LATEST_PRICE, C.FIX_PRICE), (23, 24, 5, 11))
        self.assertEqual([C.MARKET_SH_CONVERT_5_CANCEL, C.MARKET_SH_CONVERT_5_LIMIT, C.MARKET_PEER_PRICE_FIRST,
                          C.MARKET_MINE_PRICE_FIRST, C.MARKET_SZ_INSTBUSI_RESTCANCEL, C.MARKET_SZ_CONVERT_5_CANCEL,
                          C.MARKET_SZ_FULL_OR_CANCEL], list(range(42, 49)))
        self.assertEqual([C.ORDER_UNREPORTED, C.ORDER_WAIT_REPORTING, C.ORDER_REPORTED, C.ORDER_REPORTED_CANCEL,
                          C.ORDER_PARTSUCC_CANCEL, C.ORDER_PART_CANCEL, C.ORDER_CANCELED, C.ORDER_PART_SUCC,
                          C.ORDER_SUCCEEDED, C.ORDER_JUNK], list(range(48, 58)))
        self.assertEqual(C.ORDER_UNKNOWN, 255)
        self.assertEqual((C.SH_MARKET, C.SZ_MARKET, C.MARKET_ENUM_BEIJING), (0, 1, 70))
        self.assertEqual((C.ACCOUNT_STATUS_INVALID, C.ACCOUNT_STATUS_OK, C.ACCOUNT_STATUS_DISABLEBYUSER), (-1, 0, 9))
        self.assertEqual(StockAccount(ACCOUNT).account_type, C.SECURITY_ACCOUNT)

    def test_no_server_means_minus_one_and_none(self):
        empty = tempfile.mkdtemp(prefix="fakextquant-none-")
        try:
            t = XtQuantTrader(empty, next(SESSIONS))
            t.start()
            self.assertEqual(t.connect(), -1)
            self.assertFalse(t.connected)
            self.assertEqual(t.subscribe(self.acc), -1)
            self.assertEqual(t.order_stock(self.acc, "600000.SH", 23, 100, 11, 10.0), -1)
            self.assertIsNone(t.query_stock_orders(self.acc))
            self.assertIsNone(t.query_stock_asset(self.acc))
            t.stop()
        finally:
            shutil.rmtree(empty)

    def test_buy_fills_48_50_56_with_trade_position_asset_on_one_thread(self):
        oid = self.buy()
        self.assertGreater(oid, 0)
        self.rec.wait_status(oid, 50)
        self.assertEqual(self.rec.statuses(oid), [48, 50])
        held = 1000 * 10.0 + 5 + 0.10
        self.assertAlmostEqual(self.asset().frozen_cash, held, places=2)
        self.assertAlmostEqual(self.asset().cash, CASH - held, places=2)

        mark = len(self.rec.events)
        self.assertEqual(self.ctl.match(), {"new_trades": 1})
        self.rec.wait(lambda r: len(r.of("on_stock_asset")) >= 2 and r.names()[-1] == "on_stock_asset"
                      and len(r.events) >= mark + 4, "fill pushes")
        self.assertEqual(self.rec.names()[mark:mark + 4],
                         ["on_stock_order", "on_stock_trade", "on_stock_position", "on_stock_asset"])
        self.assertEqual(self.rec.statuses(oid), [48, 50, 56])
        trade = self.rec.of("on_stock_trade")[0]
        self.assertEqual((trade.order_id, trade.traded_volume, trade.traded_price, trade.commission),
                         (oid, 1000, 10.0, 5.0))
        self.assertIsInstance(trade.traded_id, str)
        self.assertEqual((trade.strategy_name, trade.order_remark, trade.stock_code), ("strat", "r1", "600000.SH"))
        order = self.trader.query_stock_order(self.acc, oid)
        self.assertEqual((order.order_status, order.traded_volume, order.traded_price, order.order_volume),
                         (56, 1000, 10.0, 1000))
        self.assertEqual(order.price_type, 50, "XtOrder.price_type is the counter's enum, not FIX_PRICE")
        self.assertAlmostEqual(self.asset().cash, CASH - 10005.10, places=2)
        self.assertEqual(self.asset().frozen_cash, 0.0)
        pos = self.trader.query_stock_position(self.acc, "600000.SH")
        self.assertEqual((pos.volume, pos.can_use_volume, pos.yesterday_volume), (2000, 1000, 1000))
        self.assertEqual(len(self.rec.threads), 1)
        self.assertNotIn(threading.get_ident(), self.rec.threads)

    def test_sell_charges_commission_stamp_duty_and_transfer_fee(self):
        oid = self.sell(volume=500, price=10.00)
        self.rec.wait_status(oid, 50)
        pos = self.trader.query_stock_position(self.acc, "600000.SH")
        self.assertEqual((pos.volume, pos.can_use_volume, pos.frozen_volume), (1000, 500, 500))
        self.ctl.match()
        self.rec.wait_status(oid, 56)
        self.assertAlmostEqual(self.asset().cash, CASH + 5000 - 5 - 2.50 - 0.05, places=2)
        pos = self.trader.query_stock_position(self.acc, "600000.SH")
        self.assertEqual((pos.volume, pos.can_use_volume, pos.frozen_volume), (500, 500, 0))
        self.assertAlmostEqual(pos.avg_price, 9.50, places=3)

    def test_async_order_response_comes_first_and_remark_is_cut_to_24(self):
        seq = self.trader.order_stock_async(self.acc, "600000.SH", C.STOCK_BUY, 100, C.FIX_PRICE, 10.0,
                                            "my-strategy", "R" * 30)
        self.assertGreater(seq, 0)
        self.rec.wait(lambda r: r.of("on_order_stock_async_response") and r.of("on_stock_order"), "async reply")
        resp = self.rec.of("on_order_stock_async_response")[0]
        self.assertEqual((resp.seq, resp.strategy_name, resp.order_remark, resp.error_msg),
                         (seq, "my-strategy", "R" * 24, ""))
        self.assertGreater(resp.order_id, 0)
        names = self.rec.names()
        self.assertLess(names.index("on_order_stock_async_response"), names.index("on_stock_order"))
        self.rec.wait_status(resp.order_id, 50)
        self.assertEqual(self.trader.query_stock_order(self.acc, resp.order_id).order_remark, "R" * 24)

    def test_wrong_account_is_refused_without_an_order(self):
        self.assertEqual(self.trader.order_stock(StockAccount("other"), "600000.SH", 23, 100, 11, 10.0), -1)
        self.assertEqual(self.trader.query_stock_orders(self.acc), [])

    def test_each_reject_is_junk_with_status_msg_and_order_error(self):
        cases = [  # name, side, code, volume, price type, price, error_id, exchange-side
            ("funds", 23, "600000.SH", 100000, C.FIX_PRICE, 10.00, 1009, False),
            ("no position", 24, "600036.SH", 100, C.FIX_PRICE, 30.00, 1010, False),
            ("more than sellable", 24, "600000.SH", 1100, C.FIX_PRICE, 10.00, 1010, False),
            ("above limit-up", 23, "600000.SH", 100, C.FIX_PRICE, 10.90, 1006, False),
            ("below limit-down", 24, "600000.SH", 100, C.FIX_PRICE, 8.90, 1007, False),
            ("buy above the cage", 23, "600000.SH", 100, C.FIX_PRICE, 10.50, 1011, True),
            ("sell below the cage", 24, "600000.SH", 100, C.FIX_PRICE, 9.70, 1011, True),
            ("buy not a lot", 23, "600000.SH", 150, C.FIX_PRICE, 10.00, 1008, False),
            ("STAR buy below 200", 23, "688001.SH", 150, C.FIX_PRICE, 50.00, 1008, False),
            ("odd part not the whole remainder", 24, "000001.SZ", 120, C.FIX_PRICE, 12.00, 1008, False),
            ("suspended", 23, "600519.SH", 100, C.FIX_PRICE, 1700.00, 1003, False),
            ("unknown code", 23, "600999.SH", 100, C.FIX_PRICE, 10.00, 1001, False),
            ("bare code", 23, "600000", 100, C.FIX_PRICE, 10.00, 1001, False),
            ("off tick", 23, "600000.SH", 100, C.FIX_PRICE, 10.005, 1005, False),
            ("SZ-only price type on SH", 23, "600000.SH", 100, C.MARKET_SZ_FULL_OR_CANCEL, 0, 1004, False),
        ]
        for name, side, code, volume, ptype, price, error_id, exchange in cases:
            with self.subTest(name):
                oid = self.trader.order_stock(self.acc, code, side, volume, ptype, price, "strat", name[:24])
                self.assertGreater(oid, 0)
                self.rec.wait(lambda r: r.of("on_order_error", oid), "order error")
                err = self.rec.of("on_order_error", oid)[0]
                self.assertEqual((err.error_id, err.order_remark, err.strategy_name), (error_id, name[:24], "strat"))
                self.rec.wait_status(oid, 57)
                self.assertEqual(self.rec.statuses(oid), [48, 50, 57] if exchange else [48, 57])
                order = self.trader.query_stock_order(self.acc, oid)
                self.assertEqual(order.order_status, 57)
                self.assertTrue(order.status_msg)
                self.assertEqual(self.asset().cash, CASH)
                self.assertEqual(self.asset().frozen_cash, 0.0)
        self.ctl.fault("market_closed", "on")
        oid = self.buy(volume=100)
        self.rec.wait(lambda r: r.of("on_order_error", oid), "session error")
        self.assertEqual(self.rec.of("on_order_error", oid)[0].error_id, 1002)

    def test_lots_that_pass(self):
        for code, side, volume, price in [("688001.SH", 23, 201, 50.00), ("000001.SZ", 24, 150, 12.00),
                                          ("600000.SH", 24, 1000, 10.00)]:
            oid = self.trader.order_stock(self.acc, code, side, volume, C.FIX_PRICE, price, "", "")
            self.rec.wait_status(oid, 50)
        seq_market = self.trader.order_stock(self.acc, "000001.SZ", 23, 100, C.MARKET_SZ_CONVERT_5_CANCEL, 0)
        self.rec.wait_status(seq_market, 50)
        # A market buy holds cash at limit-up (13.20) and fills at last (12.00).
        self.ctl.match()
        self.rec.wait_status(seq_market, 56)
        self.assertEqual(self.trader.query_stock_order(self.acc, seq_market).price_type, 88)

    def test_t_plus_one(self):
        oid = self.buy(volume=100)
        self.ctl.match()
        self.rec.wait_status(oid, 56)
        pos = self.trader.query_stock_position(self.acc, "600000.SH")
        self.assertEqual((pos.volume, pos.can_use_volume), (1100, 1000))
        refused = self.sell(volume=1100)
        self.rec.wait(lambda r: r.of("on_order_error", refused), "T+1 reject")
        self.assertEqual(self.rec.of("on_order_error", refused)[0].error_id, 1010)
        self.assertEqual(self.ctl.next_day(), {"trade_date": "2024-01-03"})
        self.assertEqual(self.trader.query_stock_orders(self.acc), [])
        self.assertEqual(self.trader.query_stock_trades(self.acc), [])
        pos = self.trader.query_stock_position(self.acc, "600000.SH")
        self.assertEqual((pos.volume, pos.can_use_volume, pos.yesterday_volume), (1100, 1100, 1100))
        ok = self.sell(volume=1100)
        self.rec.wait_status(ok, 50)

    def test_next_day_expires_open_orders(self):
        oid = self.buy(price=9.50)
        self.rec.wait_status(oid, 50)
        self.ctl.next_day()
        self.rec.wait_status(oid, 54)
        self.assertEqual(self.asset().cash, CASH)

    def test_cancel_reported_50_51_54_releases_cash(self):
        oid = self.buy(price=9.50)
        self.rec.wait_status(oid, 50)
        self.assertEqual(self.trader.query_stock_orders(self.acc, cancelable_only=True)[0].order_id, oid)
        self.assertEqual(self.trader.cancel_order_stock(self.acc, oid), 0)
        self.rec.wait_status(oid, 54)
        self.assertEqual(self.rec.statuses(oid), [48, 50, 51, 54])
        self.assertEqual(self.asset().cash, CASH)
        self.assertEqual(self.trader.query_stock_orders(self.acc, cancelable_only=True), [])

    def test_cancel_sell_releases_shares_and_cancel_by_sysid(self):
        oid = self.sell(volume=500, price=10.50)
        self.rec.wait_status(oid, 50)
        sysid = self.trader.query_stock_order(self.acc, oid).order_sysid
        self.assertEqual(self.trader.cancel_order_stock_sysid(self.acc, "SH", sysid), 0)
        self.rec.wait_status(oid, 54)
        pos = self.trader.query_stock_position(self.acc, "600000.SH")
        self.assertEqual((pos.can_use_volume, pos.frozen_volume), (1000, 0))

    def test_cancel_of_a_final_order_is_a_cancel_error(self):
        oid = self.buy(volume=100)
        self.ctl.match()
        self.rec.wait_status(oid, 56)
        self.assertEqual(self.trader.cancel_order_stock(self.acc, oid), -1)
        self.rec.wait(lambda r: r.of("on_cancel_error", oid), "cancel error")
        err = self.rec.of("on_cancel_error", oid)[0]
        self.assertEqual((err.error_id, err.market, err.order_sysid), (1102, C.SH_MARKET, self.rec.of("on_stock_order", oid)[-1].order_sysid))
        self.assertEqual(self.trader.cancel_order_stock(self.acc, 999999), -1)
        self.rec.wait(lambda r: r.of("on_cancel_error", 999999), "cancel error for an unknown order")

    def test_cancel_async(self):
        oid = self.buy(price=9.50)
        self.rec.wait_status(oid, 50)
        seq = self.trader.cancel_order_stock_async(self.acc, oid)
        self.assertGreater(seq, 0)
        self.rec.wait_status(oid, 54)
        resp = self.rec.of("on_cancel_order_stock_async_response")[0]
        self.assertEqual((resp.seq, resp.cancel_result, resp.order_id), (seq, 0, oid))
        seq2 = self.trader.cancel_order_stock_async(self.acc, oid)
        self.rec.wait(lambda r: r.of("on_cancel_error", oid), "cancel error after the async reply")
        resp2 = self.rec.of("on_cancel_order_stock_async_response")[1]
        self.assertEqual((resp2.seq, resp2.cancel_result), (seq2, -1))
        names = self.rec.names()
        self.assertLess(len(names) - 1 - names[::-1].index("on_cancel_order_stock_async_response"),
                        names.index("on_cancel_error"))

    def test_manual_order_has_a_blank_remark(self):
        result = self.ctl.manual_order("600000.SH", "BUY", 200, "9.80")
        self.rec.wait_status(result["order_id"], 50)
        order = self.rec.of("on_stock_order", result["order_id"])[-1]
        self.assertEqual((order.order_remark, order.strategy_name, order.order_volume), ("", "", 200))

    def test_async_queries_and_account_queries(self):
        got = []
        done = threading.Event()
        self.trader.query_stock_positions_async(self.acc, lambda rows: (got.append(rows), done.set()))
        self.assertTrue(done.wait(WAIT))
        self.assertEqual(sorted(p.stock_code for p in got[0]), ["000001.SZ", "600000.SH"])
        self.assertEqual([(s.account_id, s.status) for s in self.trader.query_account_status()], [(ACCOUNT, 0)])
        self.assertEqual([a.account_id for a in self.trader.query_account_infos()], [ACCOUNT])

    def test_sync_call_inside_a_callback_raises_unless_relaxed(self):
        results = {}

        def query_in_callback(trader, key):
            def hook(name, obj):
                if name == "on_stock_order" and key not in results:
                    try:
                        results[key] = trader.query_stock_asset(self.acc)
                    except RuntimeError as e:
                        results[key] = e
            return hook
        self.rec.hook = query_in_callback(self.trader, "strict")
        relaxed, relaxed_rec = self.connect(relaxed=True)
        relaxed_rec.hook = query_in_callback(relaxed, "relaxed")
        self.buy(volume=100, price=9.50)
        self.rec.wait(lambda r: "strict" in results, "strict hook")
        relaxed_rec.wait(lambda r: "relaxed" in results, "relaxed hook")
        self.assertIsInstance(results["strict"], RuntimeError)
        self.assertEqual(results["relaxed"].account_id, ACCOUNT)

    def test_disconnect_then_connect_again(self):
        self.assertEqual(self.ctl.disconnect(), {"disconnected": 1})
        self.rec.wait(lambda r: r.of("on_disconnected"), "on_disconnected")
        self.assertFalse(self.trader.connected)
        self.assertEqual(self.buy(), -1)
        self.assertEqual(self.trader.cancel_order_stock(self.acc, 1), -1)
        self.assertIsNone(self.trader.query_stock_asset(self.acc))
        self.assertIsNone(self.trader.query_stock_orders(self.acc))
        self.assertEqual(self.trader.connect(), 0)
        self.assertEqual(self.trader.subscribe(self.acc), 0)
        self.assertEqual(self.asset().cash, CASH)

    def test_restart_client_invalidates_sessions(self):
        session = next(SESSIONS)
        trader, rec = self.connect(session=session)
        clash = XtQuantTrader(self.server.dir, session)
        clash.start()
        self.traders.append(clash)
        self.assertEqual(clash.connect(), -1, "a session id already connected is refused")
        self.ctl.restart_client(down_ms=300, reject_reused_session=True)
        rec.wait(lambda r: r.of("on_disconnected"), "on_disconnected")
        self.rec.wait(lambda r: r.of("on_disconnected"), "on_disconnected (other session)")
        fresh = XtQuantTrader(self.server.dir, next(SESSIONS))
        fresh.start()
        self.traders.append(fresh)
        self.assertEqual(fresh.connect(), -1, "client still restarting")
        time.sleep(0.4)
        self.assertEqual(trader.connect(), -1, "a session id used before the restart is refused")
        self.assertEqual(fresh.connect(), 0)
        self.assertEqual(fresh.subscribe(self.acc), 0)


class FaultTests(FakeCase):
    def fill_one(self, volume=100):
        oid = self.buy(volume=volume)
        self.rec.wait_status(oid, 50)
        self.ctl.match()
        self.rec.wait(lambda r: r.of("on_stock_trade", oid) and 56 in r.statuses(oid)
                      and r.names()[-1] == "on_stock_asset", "fill")
        return oid

    def test_duplicate_trade_push(self):
        self.ctl.fault("duplicate_trade_push", 1)
        oid = self.fill_one()
        trades = self.rec.of("on_stock_trade", oid)
        self.assertEqual(len(trades), 2)
        self.assertEqual(trades[0].traded_id, trades[1].traded_id)
        self.assertEqual(len(self.trader.query_stock_trades(self.acc)), 1)
        self.assertNotIn("duplicate_trade_push", self.ctl.state()["faults"], "a counted fault is used up")

    def test_trade_before_order(self):
        self.ctl.fault("trade_before_order", "on")
        oid = self.fill_one()
        names = [n for n, o, _ in self.rec.events if getattr(o, "order_id", None) == oid]
        self.assertEqual(names[-2:], ["on_stock_trade", "on_stock_order"])

    def test_drop_event_drops_pushes_but_not_the_truth(self):
        self.ctl.fault("drop_event", 2)
        oid = self.buy(price=9.50)
        self.rec.wait(lambda r: r.of("on_stock_asset"), "the asset push after the dropped ones")
        self.assertEqual(self.rec.statuses(oid), [])
        self.assertEqual(self.trader.query_stock_order(self.acc, oid).order_status, 50)
        self.assertEqual(self.ctl.state()["dropped_pushes"], 2)

    def test_delay_holds_every_push(self):
        self.ctl.fault("delay", 400)
        start = time.monotonic()
        oid = self.buy(price=9.50)
        replied = time.monotonic()
        self.rec.wait_status(oid, 50)
        first = [t for n, o, t in self.rec.events if n == "on_stock_order"][0]
        self.assertGreaterEqual(first - start, 0.39)
        self.assertGreaterEqual(first - replied, 0.2, "the reply is not held with the pushes")

    def test_bare_codes(self):
        self.ctl.fault("bare_codes", "on")
        oid = self.fill_one()
        order = self.rec.of("on_stock_order", oid)[-1]
        self.assertEqual((order.stock_code, order.stock_code1), ("600000", "600000.SH"))
        self.assertEqual(self.rec.of("on_stock_trade", oid)[0].stock_code, "600000")
        self.assertEqual(self.rec.of("on_stock_position")[-1].stock_code, "600000")
        self.assertEqual(self.trader.query_stock_order(self.acc, oid).stock_code, "600000.SH")

    def test_blank_remark(self):
        self.ctl.fault("blank_remark", "on")
        oid = self.fill_one()
        self.assertEqual({o.order_remark for o in self.rec.of("on_stock_order", oid)}, {""})
        self.assertEqual(self.rec.of("on_stock_trade", oid)[0].order_remark, "")
        self.assertEqual(self.trader.query_stock_order(self.acc, oid).order_remark, "r1")

    def test_error_sentinel(self):
        self.ctl.fault("error_sentinel", "on")
        oid = self.buy(volume=100000)
        self.rec.wait(lambda r: r.of("on_order_error", oid), "order error")
        err = self.rec.of("on_order_error", oid)[0]
        self.assertEqual(err.error_id, 2147483647)
        self.assertTrue(err.error_msg.startswith("[COUNTER] [1009]"), err.error_msg)

    def test_cancel_reject(self):
        self.ctl.fault("cancel_reject", 1)
        oid = self.buy(price=9.50)
        self.rec.wait_status(oid, 50)
        self.assertEqual(self.trader.cancel_order_stock(self.acc, oid), -1)
        self.rec.wait(lambda r: r.of("on_cancel_error", oid), "cancel error")
        self.assertEqual(self.rec.of("on_cancel_error", oid)[0].error_id, 1104)
        self.assertEqual(self.trader.query_stock_order(self.acc, oid).order_status, 50)
        self.assertEqual(self.trader.cancel_order_stock(self.acc, oid), 0)
        self.rec.wait_status(oid, 54)

    def test_slow_cancel_lets_a_fill_win(self):
        self.ctl.fault("slow_cancel", "on")
        resting = self.buy(price=9.50, remark="resting")
        marketable = self.buy(price=10.00, remark="marketable")
        for oid in (resting, marketable):
            self.rec.wait_status(oid, 50)
            self.assertEqual(self.trader.cancel_order_stock(self.acc, oid), 0)
            self.rec.wait_status(oid, 51)
        self.ctl.match()
        self.rec.wait_status(resting, 54)
        self.rec.wait_status(marketable, 56)
        self.rec.wait(lambda r: r.of("on_cancel_error", marketable), "cancel error: filled first")
        self.assertEqual(self.rec.of("on_cancel_error", marketable)[0].error_id, 1105)

    def test_push_before_response(self):
        self.ctl.fault("push_before_response", "on")
        oid = self.buy(price=9.50)
        self.assertEqual(self.rec.statuses(oid), [48, 50], "pushes ran before order_stock returned")

    def test_unknown_fault_is_an_error(self):
        with self.assertRaises(ControlError):
            self.ctl.fault("no_such_fault", "on")


class PartialFillTests(FakeCase):
    SERVE_ARGS = ("--partial-fills", "2")

    def test_two_fills_55_then_56_with_distinct_trade_ids(self):
        oid = self.buy(volume=1000)
        self.ctl.match()
        self.rec.wait_status(oid, 55)
        self.ctl.match()
        self.rec.wait_status(oid, 56)
        self.assertEqual(self.rec.statuses(oid), [48, 50, 55, 56])
        trades = self.rec.wait_trades(oid, 2)
        self.assertEqual([t.traded_volume for t in trades], [500, 500])
        self.assertNotEqual(trades[0].traded_id, trades[1].traded_id)
        self.assertEqual([t.commission for t in trades], [5.0, 0.0], "the 5 CNY minimum is per order")
        self.assertAlmostEqual(self.asset().cash, CASH - 10005.10, places=2)

    def test_cancel_partly_filled_55_52_53(self):
        oid = self.buy(volume=1000)
        self.ctl.match()
        self.rec.wait_status(oid, 55)
        self.assertEqual(self.trader.cancel_order_stock(self.acc, oid), 0)
        self.rec.wait_status(oid, 53)
        self.assertEqual(self.rec.statuses(oid), [48, 50, 55, 52, 53])
        self.assertAlmostEqual(self.asset().cash, CASH - 5000 - 5 - 0.05, places=2)
        self.assertEqual(self.asset().frozen_cash, 0.0)
        self.assertEqual(self.trader.query_stock_position(self.acc, "600000.SH").volume, 1500)


class BackgroundMatchTests(FakeCase):
    SERVE_ARGS = ("--match-every-ms", "50", "--partial-fills", "3")

    def test_ticks_fill_marketable_orders_only(self):
        oid = self.buy(volume=1000)
        resting = self.buy(volume=100, price=9.50)
        self.assertEqual([t.traded_volume for t in self.rec.wait_trades(oid, 3)], [400, 400, 200])
        self.assertEqual(self.rec.statuses(oid), [48, 50, 55, 55, 56])
        self.assertEqual(self.trader.query_stock_order(self.acc, resting).order_status, 50)
        self.ctl.price("600000.SH", "9.50")
        self.assertEqual(self.rec.wait_trades(resting, 1)[0].traded_price, 9.50)


class BatchedSaveTests(FakeCase):
    SERVE_ARGS = ("--save-every-ms", "300")

    def saved_orders(self):
        with open(os.path.join(self.server.dir, "state.json")) as fh:
            return json.load(fh)["orders"]

    def test_save_every_ms_writes_the_state_later_and_on_shutdown(self):
        oid = self.buy(price=9.50)
        self.rec.wait_status(oid, 50)
        deadline = time.monotonic() + WAIT
        while str(oid) not in self.saved_orders():
            self.assertLess(time.monotonic(), deadline, "the saver thread never wrote the order")
            time.sleep(0.05)
        later = self.buy(price=9.40, remark="r2")
        self.rec.wait_status(later, 50)
        self.server.stop()   # SIGTERM: the last changes are saved on the way out
        self.assertIn(str(later), self.saved_orders())
        self.server.start()
        self.assertIn(later, [o["order_id"] for o in self.ctl.state()["orders"]])

class RestartTests(FakeCase):
    def test_server_restart_keeps_orders_cash_and_positions(self):
        filled = self.buy(volume=100)
        self.ctl.match()
        self.rec.wait_status(filled, 56)
        resting = self.buy(price=9.50)
        self.rec.wait_status(resting, 50)
        before = self.ctl.state()
        self.server.kill9()
        self.rec.wait(lambda r: r.of("on_disconnected"), "on_disconnected when the server dies")
        self.assertEqual(self.trader.connect(), -1)
        self.server.start()
        after = self.ctl.state()
        for key in ("orders", "trades", "positions", "asset", "trade_date"):
            self.assertEqual(after[key], before[key], key)
        trader, rec = self.connect()
        self.assertEqual(trader.query_stock_order(self.acc, resting).order_status, 50)
        self.assertEqual(trader.cancel_order_stock(self.acc, resting), 0)
        rec.wait_status(resting, 54)
        self.assertGreater(trader.order_stock(self.acc, "600000.SH", 23, 100, 11, 9.5, "", ""), resting,
                           "order ids keep growing after a restart")

    def test_ctl_cli_prints_json_or_one_line_error(self):
        env = dict(os.environ, PYTHONPATH=FAKE_ROOT, PYTHONDONTWRITEBYTECODE="1")
        base = [sys.executable, "-m", "fakextquant", "ctl", "--dir", self.server.dir]
        ok = subprocess.run(base + ["price", "600000.SH", "10.10"], env=env, capture_output=True, text=True)
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertEqual(json.loads(ok.stdout)["last"], "10.10")
        bad = subprocess.run(base + ["price", "600000.SH", "11.50"], env=env, capture_output=True, text=True)
        self.assertEqual(bad.returncode, 1)
        self.assertEqual(len(bad.stderr.strip().splitlines()), 1)
        state = subprocess.run(base + ["state"], env=env, capture_output=True, text=True)
        self.assertEqual(json.loads(state.stdout)["account_id"], ACCOUNT)


if __name__ == "__main__":
    unittest.main()
