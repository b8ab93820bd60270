"""Tests of scripts/qmt_bridge.py: the unit-level pieces directly, the bridge as a process against the fake
xtquant (scripts/fakextquant, its own process) over the wire, with the client of wire_client.py.

Run from the repo root: python3 -m unittest discover -s scripts/tests -v
"""

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
FAKE = os.path.join(SCRIPTS, "fakextquant")
BRIDGE = os.path.join(SCRIPTS, "qmt_bridge.py")
sys.path.insert(0, HERE)
sys.path.insert(0, SCRIPTS)

sys.dont_write_bytecode = True   # no __pycache__ left in scripts/
import qmt_bridge as qb  # noqa: E402
from wire_client import WireClient, WireError, mac_of  # noqa: E402

ACCOUNT = "8886660001"
TODAY = datetime.now(timezone(timedelta(hours=8))).date().isoformat()
FIXTURE = {"trade_date": TODAY,
           "symbols": {"600000.SH": {"last": "10.00"}, "000001.SZ": {"last": "12.00"}, "688001.SH": {"last": "50.00"}},
           "positions": {"600000.SH": {"volume": 1000, "avg_price": "9.50"}}}
HAVE_FAKE = os.path.exists(os.path.join(FAKE, "xtquant", "xttrader.py"))


def wait_until(fn, timeout=5.0, what="condition"):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for {}".format(what))
        time.sleep(0.05)


def env():
    e = dict(os.environ)
    e["PYTHONPATH"] = FAKE + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e.pop("QMT_BRIDGE_SECRET", None)
    e["PYTHONDONTWRITEBYTECODE"] = "1"
    return e


class Harness(object):
    """A fake xtquant server and bridges in a temp dir; every process is killed and the dir removed on close."""

    def __init__(self, partial_fills=1):
        self.tmp = tempfile.mkdtemp(prefix="qmt-bridge-test-")
        self.qmt = os.path.join(self.tmp, "userdata_mini")
        self.journal = os.path.join(self.tmp, "journal")
        os.makedirs(self.qmt)
        fx = os.path.join(self.tmp, "fixture.json")
        with open(fx, "w") as fh:
            json.dump(FIXTURE, fh)
        self.procs = []
        self.clients = []
        self.bridges = 0
        self.bridge = None
        self.bridge_log = None
        self.fake = self.spawn([sys.executable, "-m", "fakextquant", "serve", "--dir", self.qmt, "--fixtures", fx,
                                "--account", ACCOUNT, "--partial-fills", str(partial_fills)], "fake.log")
        wait_until(lambda: os.path.exists(os.path.join(self.qmt, "fakextquant.json")), 10, "the fake server")

    def spawn(self, args, log_name, extra_env=None):
        log = open(os.path.join(self.tmp, log_name), "wb")
        e = env()
        e.update(extra_env or {})
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=e, cwd=self.tmp)
        log.close()
        self.procs.append(p)
        return p

    def log_text(self, name=None):
        try:
            with open(os.path.join(self.tmp, name or self.bridge_log), encoding="utf-8", errors="replace") as fh:
                return fh.read()
        except OSError:
            return ""

    def start_bridge(self, *extra, **kw):
        self.bridges += 1
        self.bridge_log = "bridge-{}.log".format(self.bridges)
        args = [sys.executable, BRIDGE, "--qmt-path", self.qmt, "--account", ACCOUNT,
                "--listen", kw.get("listen", "127.0.0.1:0"), "--journal-dir", self.journal,
                "--response-timeout", "1", "--trade-date", TODAY] + list(extra)
        self.bridge = self.spawn(args, self.bridge_log, kw.get("env"))
        m = wait_until(lambda: re.search(r"listening on \S+:(\d+) for", self.log_text()) or self.bridge.poll() is not None,
                       10, "the bridge to listen")
        if m is True or self.bridge.poll() is not None:
            raise AssertionError("the bridge exited: " + self.log_text())
        self.port = int(m.group(1))
        if kw.get("wait_connected", True):
            wait_until(lambda: "connected and subscribed" in self.log_text(), 10, "the bridge's xtquant session")
        return self.port

    def kill_bridge(self):
        self.bridge.send_signal(signal.SIGKILL)
        self.bridge.wait(5)

    def client(self, hello=True, secret=None, heartbeat=True):
        c = WireClient("127.0.0.1", self.port, secret=secret, heartbeat=heartbeat)
        self.clients.append(c)
        if hello:
            c.hello_answer = c.hello(ACCOUNT)
        return c

    def ctl(self, *args):
        out = subprocess.run([sys.executable, "-m", "fakextquant", "ctl", "--dir", self.qmt] + list(args),
                             env=env(), capture_output=True, text=True, timeout=20)
        if out.returncode != 0:
            raise AssertionError("ctl {} failed: {}".format(args, out.stderr))
        return json.loads(out.stdout)

    def fake_orders(self):
        return self.ctl("state")["orders"]

    def close(self):
        for c in self.clients:
            c.close()
        for p in self.procs:
            if p.poll() is None:
                p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
        if os.environ.get("QMT_BRIDGE_TEST_KEEP"):
            sys.stderr.write("\nkept {}\n".format(self.tmp))
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------------------

class UnitTests(unittest.TestCase):
    def test_codes_are_normalised(self):
        self.assertEqual(qb.normalize_code("600000.SH"), ("600000.SH", ""))
        self.assertEqual(qb.normalize_code("600000.ss")[0], "600000.SH")
        self.assertEqual(qb.normalize_code("SZ000001")[0], "000001.SZ")
        self.assertEqual(qb.normalize_code("000001", "000001.SZ")[0], "000001.SZ")
        self.assertEqual(qb.normalize_code("600000", None, "SSE")[0], "600000.SH")
        self.assertEqual(qb.normalize_code("000001", None, None, 1)[0], "000001.SZ")
        self.assertEqual(qb.normalize_code("688001"), ("688001.SH", "by code prefix"))
        self.assertEqual(qb.normalize_code("300750")[0], "300750.SZ")
        self.assertEqual(qb.normalize_code("920001")[0], "920001.BJ")
        self.assertEqual(qb.normalize_code("430047")[0], "430047.BJ")
        self.assertIsNone(qb.normalize_code("60000.SH")[0])
        self.assertIsNone(qb.normalize_code("600000.HK")[0])

    def test_error_sentinel_is_decoded_from_the_text(self):
        self.assertEqual(qb.decode_error(2147483647, "[COUNTER] [120144]资金不足")[0], 120144)
        self.assertEqual(qb.decode_error(1009, "insufficient")[0], 1009)
        self.assertIsNone(qb.decode_error(2147483647, "no code")[0])

    def test_decimals_on_the_wire(self):
        self.assertEqual(qb.dec_str(10.0), "10")
        self.assertEqual(qb.dec_str(10.25), "10.25")
        self.assertEqual(qb.dec_str(0.1 + 0.2), "0.3")
        self.assertEqual(qb.dec_str("100.500"), "100.5")
        self.assertEqual(qb.dec_str(1e6), "1000000")

    def test_mac_is_hmac_sha256_over_nonce_dir_n_json(self):
        import hashlib
        import hmac
        want = hmac.new(b"k", b"abc|c2b|3|{}", hashlib.sha256).hexdigest()
        self.assertEqual(qb.mac_of(b"k", "abc", "c2b", 3, "{}"), want)
        self.assertEqual(mac_of(b"k", "abc", "c2b", 3, "{}"), want)

    def test_place_order_payload_is_checked(self):
        good = {"client_order_id": "T-1", "stock_code": "600000.SH", "side": "BUY", "volume": 100, "price_type": "FIX",
                "price": "10.00", "trade_date": TODAY, "strategy_name": "s", "reason": "r", "epoch": 3}
        t = qb.Terms.parse(good)
        self.assertEqual((t.volume, t.price, t.epoch), (100, qb.Decimal("10.00"), 3))
        for change in ({"client_order_id": "X" * 65}, {"client_order_id": "订单1"}, {"client_order_id": "a b"},
                       {"client_order_id": "manual-1"}, {"stock_code": "600000"}, {"side": "B"}, {"volume": 0},
                       {"volume": "x"}, {"price_type": "LIMIT"}, {"price": "abc"}, {"trade_date": "20260105"},
                       {"price": None}):
            bad = dict(good, **change)
            with self.assertRaises(qb.WireError) as cm:
                qb.Terms.parse(bad)
            self.assertEqual(cm.exception.code, "bad_request", change)

    def test_conflict_names_what_differs_as_the_csharp_side_does(self):
        base = {"client_order_id": "T-1", "stock_code": "600000.SH", "side": "BUY", "volume": 100,
                "price_type": "FIX", "price": "10.00", "trade_date": TODAY}
        a = qb.Terms.parse(base)
        self.assertIsNone(a.conflict(qb.Terms.parse(dict(base, price="10.0", strategy_name="other"))))
        b = qb.Terms.parse(dict(base, side="SELL", volume=200, price="10.10", price_type="MARKET_PROTECTED"))
        self.assertEqual(a.conflict(b), "side Buy vs Sell, quantity 100 vs 200, price 10.00 vs 10.10, "
                                        "type Limit vs ProtectedMarket")


class CommandLineTests(unittest.TestCase):
    def run_bridge(self, args, extra_env=None):
        e = env()
        e.update(extra_env or {})
        return subprocess.run([sys.executable, BRIDGE] + args, env=e, capture_output=True, text=True, timeout=20)

    def assert_refused(self, out, fragment):
        self.assertEqual(out.returncode, 1, out.stderr)
        self.assertNotIn("Traceback", out.stderr)
        lines = out.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, out.stderr)
        self.assertTrue(lines[0].startswith("qmt_bridge: error:"), lines[0])
        self.assertIn(fragment, lines[0])

    def test_bad_arguments_are_one_line_and_exit_1(self):
        tmp = tempfile.mkdtemp(prefix="qmt-bridge-cli-")
        self.addCleanup(shutil.rmtree, tmp, True)
        base = ["--qmt-path", tmp, "--account", ACCOUNT, "--journal-dir", os.path.join(tmp, "j")]
        self.assert_refused(self.run_bridge([]), "required")
        self.assert_refused(self.run_bridge(base + ["--listen", "nonsense"]), "--listen")
        self.assert_refused(self.run_bridge(base + ["--listen", "127.0.0.1:99999"]), "out of range")
        self.assert_refused(self.run_bridge(base + ["--ring", "0"]), "--ring")
        self.assert_refused(self.run_bridge(base + ["--session", "x"]), "--session")
        self.assert_refused(self.run_bridge(["--qmt-path", os.path.join(tmp, "nope"), "--account", ACCOUNT]), "not a folder")
        self.assert_refused(self.run_bridge(base + ["--bogus"]), "unrecognized")
        self.assert_refused(self.run_bridge(base + ["--trade-date", "2026/01/05"]), "--trade-date")
        self.assert_refused(self.run_bridge(base + ["--response-timeout", "0"]), "--response-timeout")

    def test_off_loopback_needs_a_secret_and_the_secret_file_must_be_private(self):
        tmp = tempfile.mkdtemp(prefix="qmt-bridge-cli-")
        self.addCleanup(shutil.rmtree, tmp, True)
        base = ["--qmt-path", tmp, "--account", ACCOUNT, "--journal-dir", os.path.join(tmp, "j")]
        self.assert_refused(self.run_bridge(base + ["--listen", "0.0.0.0:0"]), "secret is required")
        secret = os.path.join(tmp, "secret")
        with open(secret, "w") as fh:
            fh.write("s3cret-value\n")
        os.chmod(secret, 0o644)
        out = self.run_bridge(base + ["--listen", "0.0.0.0:0", "--secret-file", secret])
        self.assert_refused(out, "group or others")
        self.assertNotIn("s3cret-value", out.stderr)
        self.assert_refused(self.run_bridge(base + ["--secret-file", os.path.join(tmp, "missing")]), "--secret-file")


@unittest.skipUnless(HAVE_FAKE, "the fake xtquant (scripts/fakextquant) is not there")
class BridgeTests(unittest.TestCase):
    partial_fills = 1

    def setUp(self):
        self.h = Harness(self.partial_fills)
        self.addCleanup(self.h.close)

    def place(self, c, coid, code="600000.SH", side="BUY", volume=100, price="10.00", epoch=1, **kw):
        return c.place(coid, code, side, volume, price, TODAY, epoch=epoch, **kw)

    def test_hello_place_fill_query(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        self.assertEqual(c.hello_answer["replay"], "none")
        self.assertEqual(c.hello_answer["account"], ACCOUNT)
        with self.assertRaises(WireError) as cm:
            c.hello("someone-else")
        self.assertEqual(cm.exception.code, "bad_request")
        r = self.place(c, "T-1")
        self.assertEqual((r["status"], r["client_order_id"]), ("accepted", "T-1"))
        acc = c.wait_report("order_accepted", "T-1")
        self.assertEqual(acc["payload"]["order_id"], r["order_id"])
        self.assertEqual(acc["epoch"], c.hello_answer["epoch"])
        h.ctl("match")
        fill = c.wait_report("order_filled", "T-1")["payload"]
        self.assertEqual(fill["fill"]["fill_id"], "SH-T00000001")
        self.assertEqual((fill["cumulative_quantity"], fill["remaining_quantity"]), (100, 0))
        self.assertEqual((fill["fill"]["price"], fill["fill"]["quantity"], fill["fill"]["side"]), ("10", 100, "BUY"))
        self.assertEqual(fill["fill"]["trade_date"], TODAY)
        self.assertEqual(fill["fill"]["commission"], "5")
        self.assertNotIn("fees", fill["fill"])
        seqs = [e["seq"] for e in c.reports()]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        q = c.call("query_orders")
        self.assertEqual(q["as_of_seq"], seqs[-1])
        [o] = q["orders"]
        self.assertEqual((o["status"], o["filled_quantity"], o["filled_value"], o["order_id"]), ("Filled", 100, "1000", r["order_id"]))
        self.assertEqual(o["terms"]["client_order_id"], "T-1")
        self.assertNotIn("fees", o)
        a = c.call("query_asset")
        state = h.ctl("state")["asset"]
        self.assertEqual(qb.Decimal(a["cash"]), qb.dec(state["cash"]) + qb.dec(state["frozen_cash"]))
        self.assertEqual(a["positions"], [{"stock_code": "600000.SH", "volume": 1100, "sellable": 1000, "frozen": 0}])
        self.assertEqual(c.call("ping"), {})
        wait_until(lambda: c.heartbeats, 3, "a heartbeat")
        self.assertEqual(c.heartbeats[-1]["epoch"], c.hello_answer["epoch"])
        bad = c.request("no_such_op")
        self.assertEqual(bad["err"]["code"], "bad_request")

    def test_duplicate_conflict_stale_epoch(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        r = self.place(c, "T-D1", epoch=5)
        c.wait_report("order_accepted", "T-D1")
        n = len(c.reports())
        again = self.place(c, "T-D1", price="10.0", epoch=4, strategy="relabelled")
        self.assertEqual((again["status"], again["order_id"]), ("duplicate", r["order_id"]))
        # its reports are pushed again, as new events
        c.wait_event(lambda e: e["op"] == "order_accepted" and e["seq"] > n)
        with self.assertRaises(WireError) as cm:
            self.place(c, "T-D1", volume=200, epoch=5)
        self.assertEqual((cm.exception.code, cm.exception.msg), ("conflict", "quantity 100 vs 200"))
        with self.assertRaises(WireError) as cm:
            self.place(c, "T-D2", epoch=4)
        self.assertEqual(cm.exception.code, "stale_epoch")
        self.assertEqual(self.place(c, "T-D2", epoch=6)["status"], "accepted")
        for bad in ("X" * 65, "单号"):
            with self.assertRaises(WireError) as cm:
                self.place(c, bad)
            self.assertEqual(cm.exception.code, "bad_request")
        yesterday = (datetime.strptime(TODAY, "%Y-%m-%d") - timedelta(days=1)).strftime("%Y-%m-%d")
        old = c.place("T-D3", "600000.SH", "BUY", 100, "10.00", yesterday, epoch=6)
        self.assertEqual(old, {"client_order_id": "T-D3", "status": "accepted"})   # nothing reaches xtquant
        self.assertTrue(c.wait_report("order_rejected", "T-D3")["payload"]["reason"].startswith("trade-date:"))
        self.assertEqual(len(h.fake_orders()), 2)
        with open(os.path.join(h.journal, os.listdir(h.journal)[0]), encoding="utf-8") as fh:
            fences = [json.loads(line)["epoch"] for line in fh if '"k":"fence"' in line]
        self.assertEqual(max(fences), 6)

    def test_fence_announced_on_connect_refuses_older_orders_and_survives_a_restart(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        self.assertEqual(c.call("fence", {"epoch": 5}), {"fence": 5})   # the new brain connects: no order of it yet
        self.assertEqual(c.call("fence", {"epoch": 5}), {"fence": 5})   # ... and reconnects
        with self.assertRaises(WireError) as cm:
            self.place(c, "T-F1", epoch=4)                               # the old brain wakes from a pause
        self.assertEqual(cm.exception.code, "stale_epoch")
        refused = c.request("fence", {"epoch": 4})
        self.assertFalse(refused["ok"])
        self.assertEqual((refused["err"]["code"], refused["err"]["fence"]), ("fenced_out", 5))
        self.assertNotIn("\n", refused["err"]["msg"])
        with self.assertRaises(WireError) as cm:
            c.call("fence", {"epoch": "x"})
        self.assertEqual(cm.exception.code, "bad_request")
        self.assertEqual(h.fake_orders(), [])                             # nothing reached xtquant
        with open(os.path.join(h.journal, os.listdir(h.journal)[0]), encoding="utf-8") as fh:
            self.assertIn(5, [json.loads(line)["epoch"] for line in fh if '"k":"fence"' in line])

        h.kill_bridge()                                                   # the fence is journaled with fsync
        h.start_bridge()
        c2 = h.client()
        with self.assertRaises(WireError) as cm:
            c2.call("fence", {"epoch": 4})
        self.assertEqual(cm.exception.code, "fenced_out")
        with self.assertRaises(WireError) as cm:
            self.place(c2, "T-F1", epoch=4)
        self.assertEqual(cm.exception.code, "stale_epoch")
        self.assertEqual(self.place(c2, "T-F1", epoch=5)["status"], "accepted")   # a refused id is not spent
        self.assertEqual(c2.call("fence", {"epoch": 6}), {"fence": 6})

    def test_resume_replay_gap_and_replay_beyond_the_ring_from_the_journal(self):
        h = self.h
        h.start_bridge("--ring", "1")
        a = h.client()
        epoch = a.hello_answer["epoch"]
        self.place(a, "T-P1")
        a.wait_report("order_accepted", "T-P1")
        a.close()
        h.ctl("match")   # filled while no client listens
        time.sleep(0.5)
        b = h.client(hello=False)
        ans = b.hello(ACCOUNT, resume=(epoch, 1))
        self.assertEqual((ans["replay"], ans["last_seq"]), ("ok", 2))
        self.assertEqual(b.wait_report("order_filled", "T-P1")["seq"], 2)
        c = h.client(hello=False)
        self.assertEqual(c.hello(ACCOUNT, resume=("another-epoch", 1))["replay"], "gap")
        self.assertTrue(b.wait_closed(3), "a new hello replaces the old link")
        r = c.call("replay", {"epoch": epoch, "from_seq": 1})   # seq 1 is out of the ring (1): from the journal
        self.assertEqual(([e["seq"] for e in r["events"]], r["gap"]), ([1, 2], False))
        self.assertEqual(c.call("replay", {"epoch": epoch, "from_seq": 3}), {"events": [], "gap": False})
        self.assertTrue(c.call("replay", {"epoch": "x", "from_seq": 1})["gap"])

    def test_fills_are_deduplicated_and_held_until_their_order_is_known(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        h.ctl("fault", "duplicate_trade_push", "on")
        self.place(c, "T-F1")
        c.wait_report("order_accepted", "T-F1")
        h.ctl("match")
        c.wait_report("order_filled", "T-F1")
        # a manual order the bridge has not seen (its pushes dropped) whose trade comes before its order
        h.ctl("fault", "duplicate_trade_push", "off")
        h.ctl("fault", "drop_event", "2")
        oid = h.ctl("manual-order", "000001.SZ", "BUY", "100", "12.00")["order_id"]
        h.ctl("fault", "trade_before_order", "1")
        h.ctl("match")
        coid = "manual-{}".format(oid)
        fill = c.wait_report("order_filled", coid)
        ops = [e["op"] for e in c.reports(coid)]
        self.assertEqual(ops[:2], ["order_accepted", "order_filled"])
        self.assertEqual(fill["payload"]["fill"]["stock_code"], "000001.SZ")
        time.sleep(0.3)
        self.assertEqual(len(c.reports("T-F1", "order_filled")), 1)
        orders = {o["terms"]["client_order_id"]: o for o in c.call("query_orders")["orders"]}
        self.assertEqual(len(orders["T-F1"]["fills"]), 1)
        self.assertEqual(orders[coid]["status"], "Filled")
        self.assertEqual(orders[coid]["terms"]["side"], "BUY")

    def test_lost_pushes_are_found_by_query_orders(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        self.place(c, "T-L1")
        c.wait_report("order_accepted", "T-L1")
        h.ctl("fault", "drop_event", "2")   # the 56 and the trade
        h.ctl("match")
        time.sleep(0.5)
        self.assertEqual(c.reports("T-L1", "order_filled"), [])
        q = c.call("query_orders")
        fill = c.wait_report("order_filled", "T-L1", timeout=0.1)   # pushed before the answer
        self.assertLessEqual(fill["seq"], q["as_of_seq"])
        self.assertEqual(q["orders"][0]["status"], "Filled")

    def test_bare_codes_rejections_and_the_error_sentinel(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        h.ctl("fault", "bare_codes", "on")
        self.place(c, "T-B1", code="000001.SZ", price="12.00")
        h.ctl("match")
        f = c.wait_report("order_filled", "T-B1")["payload"]["fill"]
        self.assertEqual(f["stock_code"], "000001.SZ")
        self.assertTrue(f["fill_id"].startswith("SZ-"), f["fill_id"])
        h.ctl("fault", "bare_codes", "off")
        h.ctl("fault", "error_sentinel", "on")
        r = self.place(c, "T-X1", volume=100000)   # more than the cash
        self.assertEqual(r["status"], "accepted")
        reason = c.wait_report("order_rejected", "T-X1")["payload"]["reason"]
        self.assertIn("1009", reason)
        self.assertEqual(c.reports("T-X1", "order_accepted"), [])
        h.ctl("fault", "error_sentinel", "off")
        self.place(c, "T-X2", code="000001.SZ", side="SELL", price="12.00")   # nothing held
        self.assertIn("1010", c.wait_report("order_rejected", "T-X2")["payload"]["reason"])
        self.place(c, "T-X3", price="10.50")   # inside the band, outside the price cage: the exchange junks it
        c.wait_report("order_rejected", "T-X3")
        status = {o["terms"]["client_order_id"]: o["status"] for o in c.call("query_orders")["orders"]}
        self.assertEqual((status["T-X1"], status["T-X2"], status["T-X3"]), ("Rejected",) * 3)

    def test_cancels(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        self.place(c, "T-C1", price="9.90")   # below the market: rests
        c.wait_report("order_accepted", "T-C1")
        self.assertEqual(c.call("cancel_order", {"client_order_id": "T-C1"}), {"status": "sent"})
        done = c.wait_report("order_cancelled", "T-C1")
        self.assertEqual(done["payload"]["filled_quantity"], 0)
        again = c.call("cancel_order", {"client_order_id": "T-C1"})   # ended: its final report again
        self.assertEqual(again, {"status": "sent"})
        c.wait_event(lambda e: e["op"] == "order_cancelled" and e["seq"] > done["seq"])
        with self.assertRaises(WireError) as cm:
            c.call("cancel_order", {"client_order_id": "T-NONE"})
        self.assertEqual(cm.exception.code, "unknown_order")
        h.ctl("fault", "slow_cancel", "on")
        self.place(c, "T-C2", price="9.90")
        c.wait_report("order_accepted", "T-C2")
        c.call("cancel_order", {"client_order_id": "T-C2"})
        time.sleep(0.8)
        self.assertEqual(c.reports("T-C2", "order_cancelled"), [])
        status = {o["terms"]["client_order_id"]: o["status"] for o in c.call("query_orders")["orders"]}
        self.assertEqual(status["T-C2"], "PendingCancel")
        h.ctl("match")
        c.wait_report("order_cancelled", "T-C2")

    def test_manual_orders_are_reported(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        h.ctl("fault", "bare_codes", "on")
        oid = h.ctl("manual-order", "000001.SZ", "BUY", "200", "12.00")["order_id"]
        coid = "manual-{}".format(oid)
        self.assertEqual(c.wait_report("order_accepted", coid)["payload"]["order_id"], str(oid))
        [o] = [o for o in c.call("query_orders")["orders"] if o["terms"]["client_order_id"] == coid]
        self.assertEqual((o["terms"]["stock_code"], o["terms"]["volume"], o["terms"]["side"]), ("000001.SZ", 200, "BUY"))
        self.assertIn("manual", h.log_text())
        h.ctl("fault", "bare_codes", "off")
        h.ctl("fault", "blank_remark", "on")   # our own order's pushes without their remark: matched by order id
        r = self.place(c, "T-M1")
        c.wait_report("order_accepted", "T-M1")
        h.ctl("match")
        c.wait_report("order_filled", "T-M1")
        self.assertEqual([e for e in c.reports() if e["payload"].get("order_id") == r["order_id"]
                          and e["payload"]["client_order_id"] != "T-M1"], [])

    def test_unknown_outcome_resolved_by_the_same_id_never_a_second_order(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        h.ctl("fault", "delay", "2500")   # xtquant's answer comes after the bridge's 1 s
        with self.assertRaises(WireError) as cm:
            self.place(c, "T-U1")
        self.assertEqual(cm.exception.code, "unknown")
        r = self.place(c, "T-U1")   # looked up by remark
        self.assertEqual(r["status"], "duplicate")
        self.assertTrue(r.get("order_id"))
        h.ctl("fault", "delay", "off")
        time.sleep(2.0)
        self.assertEqual(self.place(c, "T-U1")["order_id"], r["order_id"])
        self.assertEqual([o["order_remark"] for o in h.fake_orders()], ["T-U1"])

    def test_kill9_restart_answers_duplicate_from_the_journal_and_by_remark(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        old_epoch = c.hello_answer["epoch"]
        r = self.place(c, "T-K1", epoch=7)
        c.wait_report("order_accepted", "T-K1")
        h.ctl("fault", "delay", "3000")
        with self.assertRaises(WireError) as cm:
            self.place(c, "T-K2", epoch=7)   # outcome unknown ...
        self.assertEqual(cm.exception.code, "unknown")
        h.kill_bridge()                   # ... and the bridge dies
        h.ctl("fault", "delay", "off")
        h.start_bridge()
        c2 = h.client(hello=False)
        ans = c2.hello(ACCOUNT, resume=(old_epoch, 1))
        self.assertEqual(ans["replay"], "gap")
        self.assertNotEqual(ans["epoch"], old_epoch)
        self.assertEqual(self.place(c2, "T-K1", epoch=7), {"client_order_id": "T-K1", "status": "duplicate",
                                                             "order_id": r["order_id"]})
        self.assertEqual(self.place(c2, "T-K2", epoch=7)["status"], "duplicate")
        with self.assertRaises(WireError) as cm:
            self.place(c2, "T-K3", epoch=6)   # the fence survived the restart
        self.assertEqual(cm.exception.code, "stale_epoch")
        # without its journal the bridge still finds the orders by remark
        h.kill_bridge()
        shutil.rmtree(h.journal)
        h.start_bridge()
        c3 = h.client()
        self.assertEqual(self.place(c3, "T-K1", epoch=7)["status"], "duplicate")
        self.assertEqual(sorted(o["order_remark"] for o in h.fake_orders()), ["T-K1", "T-K2"])

    def test_a_long_client_order_id_goes_to_xtquant_as_a_digest_and_is_found_by_it_without_the_journal(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        long_id = "momentum-multifactor-20241202-000001"   # 36 characters: more than xtquant's remark holds
        r = self.place(c, long_id, epoch=1)
        self.assertEqual(c.wait_report("order_accepted", long_id)["payload"]["client_order_id"], long_id)
        remark = qb.remark_of(long_id)
        self.assertEqual(len(remark), 24)
        self.assertEqual([o["order_remark"] for o in h.fake_orders()], [remark])
        h.kill_bridge()
        shutil.rmtree(h.journal)
        h.start_bridge()
        c2 = h.client()
        self.assertEqual(self.place(c2, long_id, epoch=1), {"client_order_id": long_id, "status": "duplicate",
                                                              "order_id": r["order_id"]})
        self.assertEqual(len(h.fake_orders()), 1)
        with self.assertRaises(WireError) as cm:
            self.place(c2, "x" * 65, epoch=1)
        self.assertEqual(cm.exception.code, "bad_request")

    def test_xtquant_restart_new_epoch_and_reconcile(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        e1 = c.hello_answer["epoch"]
        self.place(c, "T-R1")
        c.wait_report("order_accepted", "T-R1")
        h.ctl("restart-client", "--down-ms", "1500")
        down = c.wait_event(lambda e: e["op"] == "connection" and e["payload"]["state"] == "disconnected")
        self.assertEqual(down["epoch"], e1)
        with self.assertRaises(WireError) as cm:
            self.place(c, "T-R2")
        self.assertEqual(cm.exception.code, "not_connected")
        h.ctl("match")   # fills while the bridge has no session: the push is lost
        up = c.wait_event(lambda e: e["op"] == "connection" and e["payload"]["state"] == "connected", timeout=10)
        self.assertNotEqual(up["epoch"], e1)
        self.assertEqual((up["seq"], up["payload"]["reason"]), (0, "xtquant session rebuilt"))
        fill = c.wait_report("order_filled", "T-R1")
        self.assertEqual((fill["epoch"], fill["seq"]), (up["epoch"], 1))
        self.assertIn("reconcile", h.log_text())
        self.assertEqual(self.place(c, "T-R2")["status"], "accepted")
        self.assertTrue(c.call("replay", {"epoch": e1, "from_seq": 1})["gap"])

    def test_disconnect_storm(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        for _ in range(5):
            h.ctl("disconnect")
            time.sleep(0.2)

        def placed():
            try:
                return self.place(c, "T-S1")["status"] in ("accepted", "duplicate")
            except WireError as e:
                if e.code != "not_connected":
                    raise
                return False
        wait_until(placed, 20, "the bridge to reconnect")
        self.assertEqual(len(h.ctl("state")["clients"]), 1)
        self.assertIsNone(h.bridge.poll())

    def test_garbage_from_a_client_closes_only_its_link(self):
        h = self.h
        h.start_bridge()
        for junk in (b"garbage\n", b'{"v":2,"kind":"req"}\n', b'{"v":1,"kind":"nope"}\n', b"\xff\xfe\n",
                     b"[1,2]\n"):
            c = h.client(hello=False)
            c.send_raw(junk)
            self.assertTrue(c.wait_closed(3), junk)
        c = h.client(hello=False, heartbeat=False)
        c.send_raw(b'{"v":1,"kind":"req","id":"x","op":"hel')   # truncated
        c.sock.shutdown(socket.SHUT_WR)
        time.sleep(0.3)
        ok = h.client()
        bad = ok.request("place_order", {"client_order_id": "T-G1"})
        self.assertEqual(bad["err"]["code"], "bad_request")
        self.assertEqual(ok.call("ping"), {})
        self.assertIsNone(h.bridge.poll())
        silent = h.client(hello=False, heartbeat=False)   # says nothing for 3 s
        self.assertTrue(silent.wait_closed(5))
        self.assertFalse(ok.closed.is_set(), "a client that keeps talking keeps its link")
        h.client()   # a new hello replaces the old link
        self.assertTrue(ok.wait_closed(3))

    def test_authentication(self):
        h = self.h
        secret = "correct horse battery staple"
        path = os.path.join(h.tmp, "secret")
        with open(path, "w") as fh:
            fh.write(secret + "\n")
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        h.start_bridge("--secret-file", path, listen="0.0.0.0:0")
        c = h.client(secret=secret)
        self.assertEqual(c.hello_answer["account"], ACCOUNT)
        self.assertEqual(self.place(c, "T-A1")["status"], "accepted")
        c.wait_report("order_accepted", "T-A1")
        wait_until(lambda: c.heartbeats, 3, "a signed heartbeat")
        self.assertEqual(c.bad_signatures, 0)
        wrong = WireClient("127.0.0.1", h.port, secret="wrong", heartbeat=False)
        h.clients.append(wrong)
        wrong.send_frame({"v": 1, "kind": "req", "id": "1", "op": "ping", "ts": "2026-01-05T09:30:00+08:00"})
        self.assertTrue(wrong.wait_closed(3))
        self.assertEqual(wrong.auth_error, {"v": 1, "kind": "auth_error", "msg": "bad mac"})
        plain = h.client(hello=False, heartbeat=False)   # no secret: sends unsigned lines
        plain.send_frame({"v": 1, "kind": "req", "id": "1", "op": "ping", "ts": "2026-01-05T09:30:00+08:00"})
        self.assertTrue(plain.wait_closed(3))
        self.assertEqual(plain.auth_error["msg"], "bad mac")
        replayed = h.client(hello=False, secret=secret, heartbeat=False)   # a signed line sent twice
        line = {"v": 1, "kind": "req", "id": "1", "op": "ping", "ts": "2026-01-05T09:30:00+08:00"}
        replayed.send_frame(line)
        text = json.dumps(line, separators=(",", ":"))
        replayed.send_raw((mac_of(secret.encode(), replayed.nonce, "c2b", 0, text) + " " + text + "\n").encode())
        self.assertTrue(replayed.wait_closed(3))
        log = h.log_text()
        self.assertNotIn(secret, log)
        self.assertIn("without a valid signature", log)
        self.assertIsNone(h.bridge.poll())

    def test_secret_from_the_environment(self):
        h = self.h
        h.start_bridge(listen="0.0.0.0:0", env={"QMT_BRIDGE_SECRET": "from-env"})
        c = h.client(secret="from-env")
        self.assertEqual(c.call("ping"), {})


@unittest.skipUnless(HAVE_FAKE, "the fake xtquant (scripts/fakextquant) is not there")
class PartialFillTests(unittest.TestCase):
    """Orders that fill in two trades (the fake's --partial-fills 2)."""

    def setUp(self):
        self.h = Harness(partial_fills=2)
        self.addCleanup(self.h.close)

    def test_cancel_after_a_partial_fill_waits_for_the_trade(self):
        h = self.h
        h.start_bridge()
        c = h.client()
        c.place("T-PC1", "600000.SH", "BUY", 200, "10.00", TODAY)
        c.wait_report("order_accepted", "T-PC1")
        h.ctl("fault", "trade_before_order", "1")
        h.ctl("fault", "drop_event", "1")   # the trade push is lost; the 55 arrives
        h.ctl("match")
        time.sleep(0.3)
        self.assertEqual(c.reports("T-PC1", "order_filled"), [])
        c.call("cancel_order", {"client_order_id": "T-PC1"})
        done = c.wait_report("order_cancelled", "T-PC1", timeout=5)
        self.assertEqual(done["payload"]["filled_quantity"], 100)
        fill = c.wait_report("order_filled", "T-PC1", timeout=0.1)
        self.assertLess(fill["seq"], done["seq"])
        self.assertEqual((fill["payload"]["cumulative_quantity"], fill["payload"]["remaining_quantity"]), (100, 100))
        status = {o["terms"]["client_order_id"]: o["status"] for o in c.call("query_orders")["orders"]}
        self.assertEqual(status["T-PC1"], "Cancelled")


if __name__ == "__main__":
    unittest.main()
