#!/usr/bin/env python3
"""qmt_bridge: miniQMT's xtquant (one XtQuantTrader) served to Trading.Actors over the bridge wire.

The wire is the one of src/Trading.Brokers.Bridge (Frames.cs, WireMapping.cs, FrameLink.cs): newline-delimited
JSON over TCP, envelope {v, kind: req|resp|evt|hb, id, op, ts, epoch, seq, ok, err, payload}, snake_case fields,
nulls omitted, decimals as JSON strings. BridgeServer.cs is the reference server; this one must not be told apart
from it on the wire (BROKER_BRIDGES.md §2, issue 12).

Threads: xtquant calls back on its own thread; the callbacks only copy the object and queue it (the async
order response also wakes the waiting place_order). One pump thread turns those into reports: it stamps each
with the next seq under the state lock, appends it to the day's journal and the ring, and queues it for the
live link's writer. Every call into xtquant runs on one executor thread, so orders, cancels and queries are
serialised. A query_orders holds the state lock while it asks xtquant, so its as_of_seq is exact.

Wire decisions beyond Frames.cs (the C# side mirrors them):
* fence {epoch} -> {fence}: a brain announces its epoch on connect, before it reconciles or sends
  (IBrokerGateway.FenceAsync). The fence rises to it and is journaled with fsync before the answer (so it survives a
  restart, as place_order's does); an epoch below the fence answers fenced_out with err.fence = the fence in force.
  xtquant need not be connected.
* error codes: bad_request, conflict, unknown_order, not_connected, failed, fenced_out (see fence), and stale_epoch (a NEW client order id
  whose epoch is below the highest seen; a known id answers duplicate/conflict whatever its epoch; a refused id
  is not spent) and unknown (no answer from xtquant in time: may be live; the same id sent again is looked up
  by remark, never placed blindly; it is placed again only when not found and its first send is >= 30 s old or
  from an earlier xtquant session or bridge process).
* order_accepted when xtquant shows the order reported (status 50..56) or a trade: not on the async answer, so a
  counter junk (48 -> 57) is order_rejected alone. The place_order answer ("accepted", order_id once xtquant
  gave one) may come before order_accepted. An order for another trade date is not sent: answered "accepted"
  without order_id and rejected with "trade-date: ..." (the simulator's rule).
* a 57 waits up to 0.5 s for on_order_error, whose reason carries the counter's code ("[1009] ..."; with
  error_id 2147483647 the code is read from the text); a 53/54/56 whose traded_volume runs ahead of the trades
  seen waits for them (query_stock_trades after 0.5 s). Day-end cancels are order_cancelled; order_expired is
  never sent.
* fills: no fees; "commission" (string) from XtTrade.commission; fill_id "<SH|SZ|BJ>-<traded_id>"; at from
  traded_time. Report at: Beijing time without offset; envelope ts: with +08:00.
* query_orders first reconciles (missing reports are pushed before the answer) and lists every order of the day
  that xtquant has (or that ended here): statuses New..Rejected (PendingSubmit: an order id but not reported
  yet; PendingCancel: 51/52); orders without an order id yet are left out; order_id "" for one rejected here.
  Orders with a blank remark are manual-<order_id>; a non-blank remark this bridge does not know is taken as
  the client order id (its terms read back from xtquant; a place_order of that id with the same stock, side
  and volume answers duplicate).
* connection events are not numbered (seq = the current seq, not kept for replay), as in BridgeServer; after a
  session rebuild the new epoch's first event is connection/connected with seq 0. Replay past the ring is
  served from the day's journal (gap only for another epoch or another day).
* hb go to the hello'd link only; silence closes any link. Auth: the secret is the file's (or env's) text with
  surrounding whitespace stripped; blank lines are neither signed nor counted.

Usage (on the miniQMT box, miniQMT logged in):
  python qmt_bridge.py --qmt-path PATH\\userdata_mini --account ID [--listen 127.0.0.1:58610]
                       [--secret-file FILE] [--journal-dir DIR] [--ring 20000] [--session N]
                       [--response-timeout 5] [--trade-date YYYY-MM-DD]
Off loopback a shared secret is required (--secret-file, owner-only, or env QMT_BRIDGE_SECRET); with one, every
line is HMAC-signed (FrameLink.cs). Bad arguments: one line on stderr, exit 1. Log lines go to stderr.

Python >= 3.8, standard library + xtquant only.
"""

import argparse
import collections
import base64
import hashlib
import hmac
import ipaddress
import json
import os
import queue
import re
import secrets
import signal
import socket
import stat
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

BRIDGE_VERSION = "qmt-bridge/1"
SHANGHAI = timezone(timedelta(hours=8))
MAX_LINE = 16 << 20
HEARTBEAT_S = 1.0
SILENCE_S = 3.0
BACKOFF_S = (1, 2, 5, 10)
ERROR_SENTINEL = 2147483647
TERMINAL_WAIT_S = 0.5      # a terminal status whose traded_volume runs ahead of the trades seen waits this long
TIMERS_EVERY_S = 0.1      # how often the pump looks for reports whose wait is over
HELD_TRADE_WAIT_S = 1.0    # a trade of an unknown order is held this long before the orders are queried
HELD_TRADE_GIVE_UP_S = 60.0
UNKNOWN_RESEND_AFTER_S = 30.0
QUERY_TIMEOUT_S = 8.0
MAX_COID = 24          # xtquant's order_remark (the counter truncates longer remarks)
MAX_WIRE_COID = 64     # a client order id on the wire; longer than MAX_COID goes to xtquant as a digest (remark_of)
MANUAL_PREFIX = "manual-"

# xtquant order_status (A_SHARE_RULES §2)
UNREPORTED, WAIT_REPORTING, REPORTED, REPORTED_CANCEL, PARTSUCC_CANCEL = 48, 49, 50, 51, 52
PART_CANCEL, CANCELED, PART_SUCC, SUCCEEDED, JUNK, UNKNOWN_STATUS = 53, 54, 55, 56, 57, 255
STOCK_BUY, STOCK_SELL = 23, 24
FIX_PRICE = 11
MARKET_SH_CONVERT_5_CANCEL, MARKET_PEER_PRICE_FIRST, MARKET_SZ_CONVERT_5_CANCEL = 42, 44, 47

ACCEPTED, REJECTED, FILLED, CANCELLED, EXPIRED = (
    "order_accepted", "order_rejected", "order_filled", "order_cancelled", "order_expired")
TERMINAL_OPS = (REJECTED, CANCELLED, EXPIRED)

ORDER_FIELDS = ("account_id", "stock_code", "stock_code1", "order_id", "order_sysid", "order_time", "order_type",
                "order_volume", "price_type", "price", "traded_volume", "traded_price", "order_status", "status_msg",
                "strategy_name", "order_remark", "exchange_id", "exchange", "market")
TRADE_FIELDS = ("account_id", "stock_code", "stock_code1", "order_type", "traded_id", "traded_time", "traded_price",
                "traded_volume", "traded_amount", "order_id", "order_sysid", "strategy_name", "order_remark",
                "commission", "exchange_id", "exchange", "market")
ERROR_FIELDS = ("account_id", "order_id", "error_id", "error_msg", "strategy_name", "order_remark", "seq")
RESPONSE_FIELDS = ("account_id", "order_id", "strategy_name", "order_remark", "error_msg", "seq")
CANCEL_RESPONSE_FIELDS = ("account_id", "cancel_result", "order_id", "order_sysid", "seq", "error_msg")
CANCEL_ERROR_FIELDS = ("account_id", "order_id", "market", "order_sysid", "error_id", "error_msg")


# ---------------------------------------------------------------------------------------------------------------
# Small pieces (no xtquant, no sockets): unit-tested directly
# ---------------------------------------------------------------------------------------------------------------

_log_lock = threading.Lock()


def log(level, msg):
    """One line to stderr. Never pass the secret or a MAC here."""
    line = "{} qmt_bridge {} {}\n".format(datetime.now(SHANGHAI).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3], level,
                                          str(msg).replace("\n", " "))
    with _log_lock:
        try:
            sys.stderr.write(line)
            sys.stderr.flush()
        except (OSError, ValueError):
            pass


def now_ts():
    """The envelope's ts: a DateTimeOffset, Beijing time with its offset."""
    return datetime.now(SHANGHAI).isoformat(timespec="milliseconds")


def now_at():
    """A report's at: a DateTime without an offset, in exchange (Beijing) time."""
    return datetime.now(SHANGHAI).replace(tzinfo=None).isoformat(timespec="milliseconds")


def at_of_unix(seconds):
    try:
        s = float(seconds)
    except (TypeError, ValueError):
        return now_at()
    if s < 1e9 or s > 1e11:
        return now_at()
    return datetime.fromtimestamp(s, SHANGHAI).replace(tzinfo=None).isoformat(timespec="milliseconds")


TRADE_DATE = None   # --trade-date: a fixed trade date (tests against a fake whose day is not the calendar's)


def today():
    """The trade date: Beijing's calendar date, unless --trade-date fixed it."""
    return TRADE_DATE or datetime.now(SHANGHAI).date()


def dec(x):
    """xtquant's floats (or wire strings) as Decimal, rounded to 6 places so a float's noise never reaches the wire."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool) or x is None:
        raise InvalidOperation("not a number: {!r}".format(x))
    if isinstance(x, float):
        return Decimal(repr(round(x, 6)))
    return Decimal(str(x).strip())


def dec_str(d):
    """The shortest plain form of a Decimal: '10.25', '10', '0.001' (never an exponent)."""
    d = dec(d)
    if d == 0:
        return "0"
    s = format(d.normalize(), "f")
    return s


def mac_of(secret, nonce, direction, n, json_text):
    """HMAC-SHA256(secret, nonce|dir|n|json) as lowercase hex (FrameLink.cs)."""
    msg = "{}|{}|{}|".format(nonce, direction, n).encode("utf-8") + json_text.encode("utf-8")
    return hmac.new(secret, msg, hashlib.sha256).hexdigest()


def market_of_code(code):
    return code.rsplit(".", 1)[1] if "." in code else ""


_EXCHANGE_HINTS = {"SH": "SH", "SSE": "SH", "SS": "SH", "XSHG": "SH", "0": "SH",
                   "SZ": "SZ", "SZSE": "SZ", "XSHE": "SZ", "1": "SZ",
                   "BJ": "BJ", "BSE": "BJ", "BJSE": "BJ", "70": "BJ"}


def exchange_of_hint(hint):
    if hint is None or isinstance(hint, bool):
        return None
    return _EXCHANGE_HINTS.get(str(hint).strip().upper())


def exchange_by_prefix(digits):
    """The exchange of a bare code, as a last resort (A_SHARE_RULES §1.1: 920xxx and 4/8xxxxx BSE, 5/6/9 SSE)."""
    if digits.startswith("92") or digits[0] in "48":
        return "BJ"
    if digits[0] in "569":
        return "SH"
    return "SZ"


def normalize_code(code, *hints):
    """('600000.SH' | '600000.SS' | 'SH600000' | '600000', hints...) -> ('600000.SH', how) or (None, why).
    how is '' when the code carried its exchange, else how the exchange was inferred."""
    if code is None:
        return None, "no code"
    c = str(code).strip().upper()
    if "." in c:
        digits, suffix = c.split(".", 1)
        ex = exchange_of_hint(suffix)
        if ex and len(digits) == 6 and digits.isdigit():
            return "{}.{}".format(digits, ex), ""
        return None, "not a stock code: {!r}".format(code)
    if len(c) == 8 and c[:2] in ("SH", "SZ", "BJ") and c[2:].isdigit():
        return "{}.{}".format(c[2:], c[:2]), ""
    if len(c) == 6 and c.isdigit():
        for h in hints:
            if isinstance(h, str) and "." in h:
                n, how = normalize_code(h)
                if n and n.split(".")[0] == c:
                    return n, "from the other code field"
                continue
            ex = exchange_of_hint(h)
            if ex:
                return "{}.{}".format(c, ex), "from the exchange field"
        return "{}.{}".format(c, exchange_by_prefix(c)), "by code prefix"
    return None, "not a stock code: {!r}".format(code)


def decode_error(error_id, error_msg):
    """(code, text): error_id 2147483647 is 'unset'; the counter's code is then the [NNNNNN] inside error_msg."""
    msg = "" if error_msg is None else str(error_msg)
    code = None
    try:
        code = int(error_id) if error_id is not None else None
    except (TypeError, ValueError):
        code = None
    if code is None or code == ERROR_SENTINEL:
        m = re.search(r"\[(-?\d{3,})\]", msg)
        code = int(m.group(1)) if m else None
    return code, msg


def valid_coid(s):
    """A client order id the wire takes: 1 to MAX_WIRE_COID printable ASCII characters without spaces."""
    return isinstance(s, str) and 0 < len(s) <= MAX_WIRE_COID and all(0x21 <= ord(ch) <= 0x7e for ch in s)


def valid_remark(s):
    """What xtquant's order_remark holds as is: 1 to MAX_COID printable ASCII characters without spaces."""
    return isinstance(s, str) and 0 < len(s) <= MAX_COID and all(0x21 <= ord(ch) <= 0x7e for ch in s)


def remark_of(coid):
    """The order_remark of a client order id: the id itself when it fits (readable in the client), else a digest of
    it — deterministic, so after a restart that lost the journal a re-sent id is still found by its remark."""
    if valid_remark(coid):
        return coid
    digest = base64.b32encode(hashlib.sha256(coid.encode("ascii")).digest()).decode("ascii").lower().rstrip("=")
    return "h" + digest[:MAX_COID - 1]


class NotStarted(Exception):
    """An xtquant call that timed out in the queue: it was never made."""


class WireError(Exception):
    """A request refused with an error code (resp ok:false, err {code, msg})."""

    def __init__(self, code, msg, fence=None):
        Exception.__init__(self, msg)
        self.code = code
        self.msg = msg
        self.fence = fence   # fenced_out: the fence in force, sent as err.fence


def bad(msg):
    return WireError("bad_request", msg)


def _field(p, name, kind, required=True, default=None):
    v = p.get(name)
    if v is None:
        if required:
            raise bad("{} is missing".format(name))
        return default
    if kind is str and not isinstance(v, str):
        raise bad("{} must be a string".format(name))
    if kind is int and (isinstance(v, bool) or not isinstance(v, int)):
        if isinstance(v, str) and re.fullmatch(r"-?\d+", v.strip()):
            return int(v)
        raise bad("{} must be an integer".format(name))
    return v


class Terms(object):
    """An order's terms as the wire's PlaceOrderRequest has them. Labels (strategy, reason) and the epoch are not
    terms (IBrokerGateway.cs OrderTerms.Conflict)."""

    __slots__ = ("client_order_id", "stock_code", "side", "volume", "price_type", "price", "trade_date",
                 "strategy_name", "reason", "epoch", "price_text")

    def __init__(self, client_order_id, stock_code, side, volume, price_type, price, trade_date, strategy_name="",
                 reason="", epoch=0, price_text=None):
        self.client_order_id = client_order_id
        self.stock_code = stock_code
        self.side = side
        self.volume = int(volume)
        self.price_type = price_type
        self.price = dec(price)
        self.trade_date = trade_date
        self.strategy_name = strategy_name or ""
        self.reason = reason or ""
        self.epoch = int(epoch or 0)
        self.price_text = price_text if price_text is not None else dec_str(self.price)

    @staticmethod
    def parse(p):
        if not isinstance(p, dict):
            raise bad("place_order: the payload is missing or not an object")
        coid = _field(p, "client_order_id", str)
        if not valid_coid(coid):
            raise bad("client_order_id '{}' must be 1 to {} printable ASCII characters without spaces (it goes in "
                      "xtquant's order_remark)".format(coid if coid.isascii() else "(non-ASCII)", MAX_WIRE_COID))
        if coid.startswith(MANUAL_PREFIX):
            raise bad("client_order_id '{}': the prefix '{}' is reserved for manual orders".format(coid, MANUAL_PREFIX))
        code, how = normalize_code(_field(p, "stock_code", str))
        if code is None or how:
            raise bad("stock_code '{}' is not of the form 600000.SH".format(p.get("stock_code")))
        side = _field(p, "side", str)
        if side not in ("BUY", "SELL"):
            raise bad("unknown side '{}'".format(side))
        volume = _field(p, "volume", int)
        if volume <= 0:
            raise bad("volume {} must be positive".format(volume))
        price_type = _field(p, "price_type", str)
        if price_type not in ("FIX", "MARKET_PROTECTED"):
            raise bad("unknown price_type '{}'".format(price_type))
        raw_price = p.get("price")
        if raw_price is None or isinstance(raw_price, bool):
            raise bad("price is missing")
        try:
            price = dec(raw_price)
        except (InvalidOperation, ValueError):
            raise bad("price '{}' is not a decimal".format(raw_price))
        if not price.is_finite() or price < 0:
            raise bad("price '{}' is not a price".format(raw_price))
        trade_date = _field(p, "trade_date", str)
        try:
            datetime.strptime(trade_date, "%Y-%m-%d")
        except ValueError:
            raise bad("trade_date '{}' is not yyyy-MM-dd".format(trade_date))
        strategy = _field(p, "strategy_name", str, required=False, default="")
        reason = _field(p, "reason", str, required=False, default="")
        epoch = _field(p, "epoch", int, required=False, default=0)
        return Terms(coid, code, side, volume, price_type, price, trade_date, strategy, reason, epoch,
                     price_text=str(raw_price))

    def conflict(self, other):
        """What differs (the C# OrderTerms.Conflict wording), or None."""
        diffs = []
        if self.stock_code != other.stock_code:
            diffs.append("symbol {} vs {}".format(self.stock_code, other.stock_code))
        if self.side != other.side:
            diffs.append("side {} vs {}".format(_side_name(self.side), _side_name(other.side)))
        if self.volume != other.volume:
            diffs.append("quantity {} vs {}".format(self.volume, other.volume))
        if self.price != other.price:
            diffs.append("price {} vs {}".format(self.price_text, other.price_text))
        if self.price_type != other.price_type:
            diffs.append("type {} vs {}".format(_type_name(self.price_type), _type_name(other.price_type)))
        if self.trade_date != other.trade_date:
            diffs.append("trade date {} vs {}".format(self.trade_date, other.trade_date))
        return ", ".join(diffs) if diffs else None

    def to_wire(self):
        return {"client_order_id": self.client_order_id, "stock_code": self.stock_code, "side": self.side,
                "volume": self.volume, "price_type": self.price_type, "price": dec_str(self.price),
                "trade_date": self.trade_date, "strategy_name": self.strategy_name, "reason": self.reason,
                "epoch": self.epoch}

    def to_journal(self):
        d = self.to_wire()
        d["price_text"] = self.price_text
        return d

    @staticmethod
    def from_journal(d):
        return Terms(d["client_order_id"], d["stock_code"], d["side"], d["volume"], d["price_type"], d["price"],
                     d["trade_date"], d.get("strategy_name", ""), d.get("reason", ""), d.get("epoch", 0),
                     price_text=d.get("price_text"))


def _side_name(s):
    return "Buy" if s == "BUY" else "Sell"


def _type_name(t):
    return "Limit" if t == "FIX" else "ProtectedMarket"


def xt_price_type(terms):
    """The wire's price type as xtquant's: FIX -> FIX_PRICE; MARKET_PROTECTED -> best-five-then-cancel of the
    stock's exchange (SH 42, SZ 47; BJ: peer-price-first 44), with the protective price passed as the price [U]."""
    if terms.price_type == "FIX":
        return FIX_PRICE
    return {"SH": MARKET_SH_CONVERT_5_CANCEL, "SZ": MARKET_SZ_CONVERT_5_CANCEL}.get(
        market_of_code(terms.stock_code), MARKET_PEER_PRICE_FIRST)


def snapshot_of(obj, fields):
    """A plain dict copy of an xtquant object (callbacks must not hold on to the native one)."""
    if obj is None:
        return None
    if isinstance(obj, dict):
        return dict((f, obj.get(f)) for f in fields)
    return dict((f, getattr(obj, f, None)) for f in fields)


def as_int(v, default=0):
    try:
        return int(v)
    except (TypeError, ValueError):
        return default


# ---------------------------------------------------------------------------------------------------------------
# Journal: one JSONL file per trade day (events, the client-order map, the fence)
# ---------------------------------------------------------------------------------------------------------------

class Journal(object):
    def __init__(self, directory, account):
        self.dir = directory
        self.account = account
        self._lock = threading.Lock()
        self._day = None
        self._file = None
        os.makedirs(directory, exist_ok=True)

    def path(self, day):
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.account)
        return os.path.join(self.dir, "qmt_bridge_{}_{}.jsonl".format(safe, day.strftime("%Y%m%d")))

    def append(self, record, sync=False):
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            d = today()
            if self._day != d or self._file is None:
                if self._file is not None:
                    self._file.close()
                self._file = open(self.path(d), "a", encoding="utf-8")
                self._day = d
            self._file.write(line)
            self._file.flush()
            if sync:
                os.fsync(self._file.fileno())

    def read(self, day):
        """The records of a day; a torn last line (a crash mid-write) is skipped."""
        p = self.path(day)
        out = []
        if not os.path.exists(p):
            return out
        with open(p, "r", encoding="utf-8", errors="replace") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except ValueError:
                    continue
        return out

    def latest_fence(self, before):
        """The highest fence epoch of the latest earlier day that has a journal."""
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", self.account)
        pat = re.compile(r"^qmt_bridge_{}_(\d{{8}})\.jsonl$".format(re.escape(safe)))
        days = sorted(m.group(1) for m in (pat.match(n) for n in os.listdir(self.dir)) if m)
        days = [d for d in days if d < before.strftime("%Y%m%d")]
        if not days:
            return None
        best = None
        for r in self.read(datetime.strptime(days[-1], "%Y%m%d").date()):
            if r.get("k") == "fence":
                best = max(best, r["epoch"]) if best is not None else r["epoch"]
        return best

    def close(self):
        with self._lock:
            if self._file is not None:
                self._file.close()
                self._file = None


# ---------------------------------------------------------------------------------------------------------------
# Links: one TCP client, signed lines when there is a secret
# ---------------------------------------------------------------------------------------------------------------

class LinkClosed(Exception):
    pass


class Link(object):
    """One client connection: a reader (the connection's thread), a writer thread draining a queue (so lines never
    interleave and the signing count follows the written order) and a worker that takes requests one at a time."""

    _ids = 0

    def __init__(self, bridge, sock, peer, secret):
        Link._ids += 1
        self.n = Link._ids
        self.bridge = bridge
        self.sock = sock
        self.peer = peer
        self.secret = secret
        self.nonce = secrets.token_hex(16) if secret else None
        self.out = queue.Queue()
        self.requests = queue.Queue()
        self.closed = threading.Event()
        self.close_reason = None
        self.last_heard = time.monotonic()
        self.hello_done = False
        self._sent = 0
        self._heard = 0
        self._wlock = threading.Lock()

    # -- writing --

    def send(self, frame):
        if not self.closed.is_set():
            self.out.put(frame)

    def _write_raw(self, text):
        data = (text + "\n").encode("utf-8")
        with self._wlock:
            self.sock.sendall(data)

    def writer(self):
        try:
            while True:
                frame = self.out.get()
                if frame is None or self.closed.is_set():
                    return
                text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
                if self.secret:
                    text = mac_of(self.secret, self.nonce, "b2c", self._sent, text) + " " + text
                    self._sent += 1
                self._write_raw(text)
        except OSError as e:
            self.close("write failed: {}".format(e))

    # -- reading --

    def read_lines(self):
        """Yields each line's JSON text (a signed line's MAC checked and stripped); ends at EOF between lines."""
        f = self.sock.makefile("rb")
        try:
            while not self.closed.is_set():
                raw = f.readline(MAX_LINE + 1)
                if not raw:
                    return
                if not raw.endswith(b"\n"):
                    if len(raw) > MAX_LINE:
                        raise LinkClosed("a line longer than {} bytes".format(MAX_LINE))
                    raise LinkClosed("truncated line: {} bytes and no newline before the stream ended".format(len(raw)))
                self.last_heard = time.monotonic()
                try:
                    text = raw[:-1].decode("utf-8")
                except UnicodeDecodeError:
                    raise LinkClosed("a line that is not UTF-8")
                if not text.strip(" \r\t"):
                    continue
                text = text.rstrip("\r")
                if self.secret:
                    mac, sep, body = text[:64], text[64:65], text[65:]
                    ok = sep == " " and re.fullmatch(r"[0-9a-f]{64}", mac) is not None and hmac.compare_digest(
                        mac, mac_of(self.secret, self.nonce, "c2b", self._heard, body))
                    if not ok:
                        log("WARN", "client {}: a line without a valid signature (wrong or missing secret): refused"
                            .format(self.peer))
                        try:
                            self._write_raw(json.dumps({"v": 1, "kind": "auth_error", "msg": "bad mac"},
                                                       separators=(",", ":")))
                        except OSError:
                            pass
                        raise LinkClosed("bad mac")
                    self._heard += 1
                    text = body
                yield text
        finally:
            try:
                f.close()
            except OSError:
                pass

    def close(self, reason):
        if self.closed.is_set():
            return
        self.close_reason = reason
        self.closed.set()
        self.out.put(None)
        self.requests.put(None)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


def parse_frame(text):
    """A line as a frame dict, or LinkClosed (the link is reset, as FrameLink does)."""
    try:
        frame = json.loads(text)
    except ValueError as e:
        raise LinkClosed("malformed frame: {}".format(e))
    if not isinstance(frame, dict):
        raise LinkClosed("malformed frame: not an object")
    if frame.get("v") != 1:
        raise LinkClosed("frame has version {}, this side speaks 1".format(frame.get("v")))
    if frame.get("kind") not in ("req", "resp", "evt", "hb"):
        raise LinkClosed("frame has unknown kind '{}'".format(frame.get("kind")))
    return frame


# ---------------------------------------------------------------------------------------------------------------
# The order book of the day
# ---------------------------------------------------------------------------------------------------------------

class OrderBook(collections.OrderedDict):
    """The day's entries by client order id, also found by their order_remark (the id itself, or the digest of a long
    one) through an index every insert and removal keeps, so matching an xtquant event never scans the day."""

    def __init__(self):
        super().__init__()
        self.remarks = {}

    def __setitem__(self, coid, e):
        old = self.get(coid)
        if old is not None and self.remarks.get(old.remark) is old:
            del self.remarks[old.remark]
        super().__setitem__(coid, e)
        self.remarks[e.remark] = e

    def __delitem__(self, coid):
        e = self[coid]
        super().__delitem__(coid)
        if self.remarks.get(e.remark) is e:
            del self.remarks[e.remark]

    def pop(self, coid, *default):
        if coid not in self:
            if default:
                return default[0]
            raise KeyError(coid)
        e = self[coid]
        del self[coid]
        return e


class Entry(object):
    """One order of the day under its client order id."""

    def __init__(self, coid, terms, manual=False, derived=False):
        self.coid = coid
        self.remark = remark_of(coid)  # what goes in xtquant's order_remark
        self.terms = terms
        self.manual = manual          # blank remark: placed outside this bridge
        self.derived = derived        # terms read from xtquant's order, not from a place_order
        self.order_id = None
        self.sysid = ""
        self.xt_status = None
        self.status = "PendingSubmit"
        self.filled = 0
        self.value = Decimal(0)
        self.fills = []
        self.reason = ""
        self.history = []             # (op, payload) of every report, for duplicates and cancels of ended orders
        self.accepted = False
        self.terminal = False
        self.xt_seq = None
        self.sent_at = None           # monotonic time of the last order_stock_async
        self.session = None           # xtquant session that carried it
        self.unknown = False
        self.pending_terminal = None  # (kind, xt order dict, due)

    def listed(self):
        return self.order_id is not None or self.terminal

    def to_dto(self):
        return {"terms": self.terms.to_wire(), "order_id": "" if self.order_id is None else str(self.order_id),
                "status": self.status, "filled_quantity": self.filled, "filled_value": dec_str(self.value),
                "reason": self.reason, "fills": list(self.fills)}


# ---------------------------------------------------------------------------------------------------------------
# The bridge
# ---------------------------------------------------------------------------------------------------------------

class Bridge(object):
    def __init__(self, args, secret, xt):
        self.args = args
        self.account_id = args.account
        self.secret = secret
        self.xt = xt                                  # (XtQuantTrader, XtQuantTraderCallback, StockAccount)
        self.lock = threading.RLock()                 # the state; holding it pauses the pump
        self.write_lock = threading.Lock()            # place and cancel, one at a time (BridgeServer._writes)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xtcall")
        self.raw = queue.Queue()                      # xtquant callbacks -> pump
        self.stop = threading.Event()
        self.journal = Journal(args.journal_dir, args.account)
        self.ring = collections.deque(maxlen=args.ring)
        self.epoch = uuid.uuid4().hex
        self.seq = 0
        self.orders = OrderBook()                     # coid -> Entry, and by order_remark
        self.next_timers = 0.0                        # monotonic time of the next look at waiting reports
        self.by_order_id = {}
        self.by_seq = {}                              # xtquant async seq -> coid
        self.seen_fills = set()
        self.held = []                                # [trade dict, since] of orders not known yet
        self.fence = None
        self.live = None                              # the hello'd link
        self.links = set()
        self.trader = None
        self.gen = 0
        self.session = None
        self.xt_connected = False
        self.reconnect_wanted = threading.Event()
        self.responses = {}                           # xtquant async seq -> order response dict
        self.responses_cv = threading.Condition()
        self.code_logged = set()
        self.dead_gens = set()                        # sessions xtquant said were disconnected
        self.gens = 0                                 # sessions opened (each has its callbacks tagged)
        self.ever_connected = False
        self.account_status = None
        self.listener = None
        self.response_timeout = args.response_timeout

    # ---- xtquant, on the executor ----

    def call(self, fn, *a, **kw):
        """Runs fn on the xtquant thread. NotStarted: it timed out before it began (and never will)."""
        timeout = kw.pop("timeout", QUERY_TIMEOUT_S)
        fut = self.executor.submit(fn, *a)
        try:
            return fut.result(timeout=timeout)
        except FutureTimeout:
            if fut.cancel():
                raise NotStarted("the xtquant thread was busy for {} s".format(timeout))
            raise

    def account(self):
        return self.xt[2](self.account_id)

    def make_callback(self, gen):
        bridge = self
        Base = self.xt[1]

        class Callback(Base):
            def on_connected(self):
                pass

            def on_disconnected(self):
                bridge.raw.put((gen, "disconnected", None))

            def on_account_status(self, status):
                bridge.raw.put((gen, "account_status", snapshot_of(status, ("account_id", "account_type", "status"))))

            def on_stock_asset(self, asset):
                pass

            def on_stock_position(self, position):
                pass

            def on_stock_order(self, order):
                bridge.raw.put((gen, "order", snapshot_of(order, ORDER_FIELDS)))

            def on_stock_trade(self, trade):
                bridge.raw.put((gen, "trade", snapshot_of(trade, TRADE_FIELDS)))

            def on_order_error(self, order_error):
                bridge.raw.put((gen, "order_error", snapshot_of(order_error, ERROR_FIELDS)))

            def on_cancel_error(self, cancel_error):
                bridge.raw.put((gen, "cancel_error", snapshot_of(cancel_error, CANCEL_ERROR_FIELDS)))

            def on_order_stock_async_response(self, response):
                r = snapshot_of(response, RESPONSE_FIELDS)
                with bridge.responses_cv:
                    bridge.responses[as_int(r.get("seq"), -1)] = r
                    bridge.responses_cv.notify_all()
                bridge.raw.put((gen, "order_response", r))

            def on_cancel_order_stock_async_response(self, response):
                bridge.raw.put((gen, "cancel_response", snapshot_of(response, CANCEL_RESPONSE_FIELDS)))

        return Callback()

    def next_session(self):
        if self.session is None:
            return self.args.session if self.args.session is not None else int(time.time())
        return max(self.session + 1, int(time.time()))

    def open_session(self):
        """On the executor: a new trader, registered, started, connected and subscribed; (trader, session, gen)."""
        XtQuantTrader = self.xt[0]
        session = self.next_session()
        self.session = session
        self.gens += 1
        gen = self.gens
        trader = XtQuantTrader(self.args.qmt_path, session)
        trader.register_callback(self.make_callback(gen))
        if hasattr(trader, "set_relaxed_response_order_enabled"):
            # Query answers on their own thread: a query never waits behind a push.
            trader.set_relaxed_response_order_enabled(True)
        trader.start()
        rc = trader.connect()
        if rc != 0:
            self._stop_trader(trader)
            raise RuntimeError("connect() returned {} (session {})".format(rc, session))
        rc = trader.subscribe(self.account())
        if rc != 0:
            self._stop_trader(trader)
            raise RuntimeError("subscribe({}) returned {}".format(self.account_id, rc))
        return trader, session, gen

    def _stop_trader(self, trader):
        def stop():
            try:
                trader.stop()
            except Exception as e:  # noqa: BLE001 - an old session may fail to stop; it is dropped anyway
                log("WARN", "stopping the old xtquant session: {}".format(e))
        t = threading.Thread(target=stop, name="xtstop", daemon=True)
        t.start()
        t.join(10)

    def xt_query(self, what):
        """A query on the current trader (executor thread)."""
        def run():
            trader = self.trader
            if trader is None:
                raise WireError("not_connected", "xtquant is not connected")
            acc = self.account()
            if what == "orders":
                rows = trader.query_stock_orders(acc, False)
            elif what == "trades":
                rows = trader.query_stock_trades(acc)
            else:
                a = trader.query_stock_asset(acc)
                ps = trader.query_stock_positions(acc)
                if a is None or ps is None:
                    raise WireError("not_connected", "xtquant answered no asset or positions")
                return a, ps
            if rows is None:
                raise WireError("not_connected", "xtquant answered no {} (not connected)".format(what))
            return [snapshot_of(r, ORDER_FIELDS if what == "orders" else TRADE_FIELDS) for r in rows]
        try:
            return self.call(run)
        except NotStarted as e:
            raise WireError("failed", "query {}: {}".format(what, e))
        except FutureTimeout:
            raise WireError("failed", "query {}: no answer from xtquant within {} s".format(what, QUERY_TIMEOUT_S))

    def snapshot(self):
        return self.xt_query("orders"), self.xt_query("trades")

    def connect_xt(self, first):
        """Connects a new session and reconciles. Raises on failure."""
        old = self.trader
        if old is not None:
            self.trader = None
            self._stop_trader(old)
        fut = self.executor.submit(self.open_session)
        try:
            trader, session, gen = fut.result(timeout=30)
        except FutureTimeout:
            if not fut.cancel():
                # xtquant hangs in connect/subscribe: give its calls a fresh thread, stop that session if it returns.
                log("ERROR", "xtquant session setup takes more than 30 s: that thread is abandoned")
                stuck, self.executor = self.executor, ThreadPoolExecutor(max_workers=1, thread_name_prefix="xtcall")
                fut.add_done_callback(lambda f: f.exception() is None and self._stop_trader(f.result()[0]))
                stuck.shutdown(wait=False)
            raise RuntimeError("the xtquant session was not set up within 30 s")
        with self.lock:
            self.trader, self.gen = trader, gen
        try:
            orders, trades = self.snapshot()
        except Exception:
            with self.lock:
                self.trader = None
            self._stop_trader(trader)
            raise
        with self.lock:
            dead = gen in self.dead_gens
            if dead:
                self.trader = None
        if dead:
            self._stop_trader(trader)
            raise RuntimeError("session {} disconnected while it was set up".format(session))
        with self.lock:
            if not first:
                self.new_epoch()
                self.connection_event("connected", "xtquant session rebuilt")
            self.xt_connected = True
            self.ever_connected = True
            n = self.seq
            self.reconcile(orders, trades, "bridge start" if first else "session rebuild")
            log("INFO", "xtquant session {} connected and subscribed for account {}; reconcile emitted {} report(s); "
                "epoch {}".format(session, self.account_id, self.seq - n, self.epoch))

    def new_epoch(self):
        self.epoch = uuid.uuid4().hex
        self.seq = 0
        self.ring.clear()
        self.journal.append({"k": "epoch", "epoch": self.epoch, "at": now_ts(), "session": self.session})

    def reconnect_loop(self):
        while not self.stop.is_set():
            self.reconnect_wanted.wait(1.0)
            if self.stop.is_set():
                return
            if not self.reconnect_wanted.is_set():
                continue
            self.reconnect_wanted.clear()
            first = not self.ever_connected
            attempt = 0
            while not self.stop.is_set():
                delay = BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]
                if first and attempt == 0:
                    delay = 0
                if self.stop.wait(delay):
                    return
                attempt += 1
                try:
                    self.connect_xt(first)
                    break
                except Exception as e:  # noqa: BLE001 - any failure: try again later
                    log("WARN", "xtquant connect attempt {} failed: {}; next in {} s".format(
                        attempt, e, BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)]))

    # ---- events ----

    def push(self, entry, op, payload, repush=False):
        """Stamps the next seq (lock held), journals, rings and sends a report."""
        self.seq += 1
        frame = {"v": 1, "kind": "evt", "op": op, "ts": now_ts(), "epoch": self.epoch, "seq": self.seq,
                 "payload": payload}
        self.ring.append(frame)
        rec = {"k": "evt", "frame": frame}
        if repush:
            rec["repush"] = True
        self.journal.append(rec)
        if not repush and entry is not None:
            entry.history.append((op, payload))
        if self.live is not None:
            self.live.send(frame)
        return frame

    def connection_event(self, state, reason):
        frame = {"v": 1, "kind": "evt", "op": "connection", "ts": now_ts(), "epoch": self.epoch, "seq": self.seq,
                 "payload": {"state": state, "reason": reason}}
        self.journal.append({"k": "conn", "frame": frame})
        if self.live is not None:
            self.live.send(frame)

    def ensure_accepted(self, e):
        if e.accepted or e.order_id is None:
            return
        e.accepted = True
        if e.status in ("PendingSubmit", "SubmitUnknown"):
            e.status = "Submitted"
        self.push(e, ACCEPTED, {"client_order_id": e.coid, "at": now_at(), "order_id": str(e.order_id)})

    def reject(self, e, reason):
        if e.terminal:
            return
        e.terminal = True
        e.status = "Rejected"
        e.reason = reason
        e.pending_terminal = None
        self.journal_order(e)
        self.push(e, REJECTED, {"client_order_id": e.coid, "at": now_at(), "reason": reason})

    def cancelled(self, e, reason):
        if e.terminal:
            return
        self.ensure_accepted(e)
        e.terminal = True
        e.status = "Cancelled"
        e.reason = reason
        e.pending_terminal = None
        self.push(e, CANCELLED, {"client_order_id": e.coid, "at": now_at(), "reason": reason,
                                 "filled_quantity": e.filled})

    def journal_order(self, e, sync=False):
        self.journal.append({"k": "order", "coid": e.coid, "terms": e.terms.to_journal(), "manual": e.manual,
                             "derived": e.derived,
                             "order_id": e.order_id, "xt_seq": e.xt_seq, "unknown": e.unknown,
                             "session": e.session}, sync=sync)

    def bind(self, e, order_id):
        if order_id is None or as_int(order_id, 0) <= 0:
            return
        if e.order_id is None:
            e.order_id = order_id
            self.by_order_id[order_id] = e
            e.unknown = False
            if e.status == "SubmitUnknown":
                e.status = "PendingSubmit"
            self.journal_order(e)
            self.flush_held(order_id)

    def code(self, raw, o, known=None):
        if known:
            return known
        code, how = normalize_code(raw, o.get("stock_code1"), o.get("exchange_id"), o.get("exchange"),
                                   o.get("market"))
        if how and raw not in self.code_logged:
            self.code_logged.add(raw)
            log("WARN", "bare stock code {!r} from xtquant read as {} ({})".format(raw, code, how))
        return code

    def by_remark(self, remark):
        """The entry whose order_remark is this (its client order id, or the digest of a long one)."""
        return self.orders.remarks.get(remark)

    def match(self, order_id, remark):
        """The entry of an xtquant order: by order id, else by remark (client order id)."""
        e = self.by_order_id.get(order_id) if order_id is not None else None
        if e is not None:
            return e
        r = (remark or "").strip()
        e = self.by_remark(r) if r else None
        if e is not None:
            if e.order_id is None or e.order_id == order_id:
                return e
            log("ERROR", "xtquant order {} carries remark {!r} of order {}: a second order under one client order "
                "id; reported as manual-{}".format(order_id, r, e.order_id, order_id))
        return None

    def adopt(self, o):
        """An xtquant order this bridge did not place (blank remark: manual) or does not remember."""
        oid = o.get("order_id")
        remark = (o.get("order_remark") or "").strip()
        if remark and valid_coid(remark) and self.by_remark(remark) is None and not remark.startswith(MANUAL_PREFIX):
            coid, manual = remark, False
        else:
            coid, manual = "{}{}".format(MANUAL_PREFIX, oid), True
        code = self.code(o.get("stock_code"), o) or str(o.get("stock_code"))
        side = "SELL" if as_int(o.get("order_type")) == STOCK_SELL else "BUY"
        pt = as_int(o.get("price_type"))
        try:
            price = dec(o.get("price") or 0)
        except InvalidOperation:
            price = Decimal(0)
        terms = Terms(coid, code, side, as_int(o.get("order_volume")), "FIX" if pt in (FIX_PRICE, 50) else
                      "MARKET_PROTECTED", price, today().isoformat(), o.get("strategy_name") or "",
                      "manual order" if manual else "adopted from xtquant", 0)
        e = Entry(coid, terms, manual=manual, derived=True)
        self.orders[coid] = e
        log("WARN", "{} order {} ({} {} {}) seen at xtquant: reported as {}".format(
            "manual" if manual else "unremembered", oid, side, terms.volume, code, coid))
        self.bind(e, oid)
        self.journal_order(e)
        return e

    def on_order(self, o, source=""):
        oid = o.get("order_id")
        if as_int(oid, 0) <= 0:
            return
        e = self.match(oid, o.get("order_remark"))
        if e is None:
            e = self.adopt(o)
        self.bind(e, oid)
        if o.get("order_sysid"):
            e.sysid = str(o.get("order_sysid"))
        s = as_int(o.get("order_status"), UNKNOWN_STATUS)
        vol, traded = as_int(o.get("order_volume")), as_int(o.get("traded_volume"))
        if vol and traded > vol:
            log("ERROR", "order {}: traded_volume {} above order_volume {}".format(oid, traded, vol))
        if e.terminal:
            if s != e.xt_status and not source:
                log("INFO", "order {} ({}) status {} after it ended as {}: ignored".format(oid, e.coid, s, e.status))
            return
        before = (e.status, self.seq)
        self.apply_status(e, o, s, traded)
        if source and before != (e.status, self.seq):
            log("INFO", "order {} now {} (found by {})".format(e.coid, e.status, source))

    def apply_status(self, e, o, s, traded):
        oid = e.order_id
        e.xt_status = s
        if s in (UNREPORTED, WAIT_REPORTING):
            return
        if s == JUNK:
            # on_order_error follows a 57 with the counter's error code: wait for it a moment.
            if e.pending_terminal is None:
                e.pending_terminal = ("reject", o, time.monotonic() + TERMINAL_WAIT_S)
            return
        if s == UNKNOWN_STATUS:
            log("WARN", "order {} ({}) in status 255 (unknown)".format(oid, e.coid))
            return
        self.ensure_accepted(e)
        if s in (REPORTED, PART_SUCC):
            # (also back from PendingCancel: a cancel the counter refused)
            if e.status in ("PendingSubmit", "SubmitUnknown", "PendingCancel"):
                e.status = "PartiallyFilled" if e.filled else "Submitted"
        elif s in (REPORTED_CANCEL, PARTSUCC_CANCEL):
            e.status = "PendingCancel"
        elif s in (PART_CANCEL, CANCELED, SUCCEEDED):
            kind = "filled" if s == SUCCEEDED else "cancel"
            if traded > e.filled:
                if e.pending_terminal is None:
                    e.pending_terminal = (kind, o, time.monotonic() + TERMINAL_WAIT_S)
                    log("INFO", "order {} ({}) ended with {} traded, {} seen in trades: waiting for the trades"
                        .format(oid, e.coid, traded, e.filled))
            else:
                self.finish(e, kind, o)

    def finish(self, e, kind, o):
        if kind == "reject":
            code, msg = decode_error(None, o.get("status_msg"))
            self.reject(e, msg or "rejected by the counter (status 57)")
        elif kind == "cancel":
            msg = (o.get("status_msg") or "").strip()
            reason = msg or ("cancelled with {} of {} filled".format(e.filled, e.terms.volume) if e.filled
                             else "cancelled")
            self.cancelled(e, reason)
        else:
            e.pending_terminal = None
            e.terminal = True
            e.status = "Filled"
            if e.filled < e.terms.volume:
                log("WARN", "order {} ({}) reported filled (56) with {} of {} in trades".format(
                    e.order_id, e.coid, e.filled, e.terms.volume))

    def on_trade(self, t, source=""):
        e = self.match(t.get("order_id"), t.get("order_remark"))
        if e is None:
            key = (str(t.get("traded_id")), t.get("order_id"))
            if not any((str(h[0].get("traded_id")), h[0].get("order_id")) == key for h in self.held):
                self.held.append([t, time.monotonic(), time.monotonic()])
                log("INFO", "trade {} of order {} before its order is known: held".format(
                    t.get("traded_id"), t.get("order_id")))
            return
        self.bind(e, t.get("order_id"))
        code = self.code(t.get("stock_code"), t, e.terms.stock_code)
        fill_id = "{}-{}".format(market_of_code(code), t.get("traded_id"))
        if fill_id in self.seen_fills:
            return
        volume = as_int(t.get("traded_volume"))
        try:
            price = dec(t.get("traded_price"))
        except InvalidOperation:
            log("ERROR", "trade {}: bad price {!r}: skipped".format(fill_id, t.get("traded_price")))
            return
        if volume <= 0:
            log("ERROR", "trade {}: volume {}: skipped".format(fill_id, volume))
            return
        self.seen_fills.add(fill_id)
        self.ensure_accepted(e)
        e.filled += volume
        e.value += price * volume
        fill = {"fill_id": fill_id, "client_order_id": e.coid, "stock_code": e.terms.stock_code, "side": e.terms.side,
                "quantity": volume, "price": dec_str(price), "trade_date": e.terms.trade_date}
        c = t.get("commission")
        if isinstance(c, (int, float)) and not isinstance(c, bool) and c >= 0:
            fill["commission"] = dec_str(c)
        e.fills.append(fill)
        if not e.terminal:
            e.status = "Filled" if e.filled >= e.terms.volume else "PartiallyFilled"
        elif e.status != "Filled":
            log("WARN", "trade {} of order {} after it ended as {}".format(fill_id, e.coid, e.status))
        self.push(e, FILLED, {"client_order_id": e.coid, "at": at_of_unix(t.get("traded_time")), "fill": fill,
                              "cumulative_quantity": e.filled,
                              "remaining_quantity": max(e.terms.volume - e.filled, 0)})
        if source:
            log("INFO", "fill {} of {} found by {}".format(fill_id, e.coid, source))
        if e.pending_terminal is not None and e.pending_terminal[0] != "reject" and \
                e.filled >= as_int(e.pending_terminal[1].get("traded_volume")):
            kind, o, _ = e.pending_terminal
            self.finish(e, kind, o)

    def flush_held(self, order_id):
        still = []
        mine = []
        for h in self.held:
            (mine if h[0].get("order_id") == order_id else still).append(h)
        self.held = still
        for h in mine:
            self.on_trade(h[0])

    def on_order_error(self, err):
        e = self.match(err.get("order_id"), err.get("order_remark"))
        if e is None:
            seq = as_int(err.get("seq"), -1)
            coid = self.by_seq.get(seq)
            e = self.orders.get(coid) if coid else None
        code, msg = decode_error(err.get("error_id"), err.get("error_msg"))
        if e is None:
            log("WARN", "order error for an unknown order {}: {} {}".format(err.get("order_id"), code, msg))
            return
        self.bind(e, err.get("order_id"))
        reason = "[{}] {}".format(code, msg) if code is not None and "[{}]".format(code) not in msg else msg
        self.reject(e, reason or "rejected")

    def on_order_response(self, r):
        seq = as_int(r.get("seq"), -1)
        coid = self.by_seq.get(seq)
        e = self.orders.get(coid) if coid else None
        if e is None:
            e = self.match(None, r.get("order_remark"))
        if e is None:
            return
        self.apply_response(e, r)

    def apply_response(self, e, r):
        oid = r.get("order_id")
        if as_int(oid, 0) > 0:
            self.bind(e, oid)
        elif not e.listed():
            code, msg = decode_error(None, r.get("error_msg"))
            e.unknown = False
            self.reject(e, msg or "order_stock_async answered order id {}".format(oid))

    def on_disconnected(self, gen):
        if gen != self.gen or not self.xt_connected:
            return
        self.xt_connected = False
        log("WARN", "xtquant disconnected (session {}): rebuilding".format(self.session))
        self.connection_event("disconnected", "xtquant disconnected (session {})".format(self.session))
        self.reconnect_wanted.set()

    def reconcile(self, orders, trades, source):
        """A snapshot diffed against what was reported: the missing reports go out now (lock held)."""
        for o in orders:
            self.on_order(o, source)
        for t in sorted(trades, key=lambda t: (as_int(t.get("traded_time")), str(t.get("traded_id")))):
            self.on_trade(t, source)
        for e in list(self.orders.values()):
            if e.pending_terminal is not None:
                kind, o, _ = e.pending_terminal
                if kind != "reject":
                    log("WARN", "order {} ({}): xtquant says {} traded, its trades show {}".format(
                        e.order_id, e.coid, as_int(o.get("traded_volume")), e.filled))
                self.finish(e, kind, o)

    # ---- the pump ----

    def pump(self):
        while not self.stop.is_set():
            try:
                item = self.raw.get(timeout=0.2)
            except queue.Empty:
                item = None
            if item is not None:
                gen, kind, obj = item
                try:
                    with self.lock:
                        self.dispatch(gen, kind, obj)
                except Exception as ex:  # noqa: BLE001 - one bad callback never stops the pump
                    log("ERROR", "handling xtquant {}: {!r}".format(kind, ex))
            try:
                self.timers()
            except Exception as ex:  # noqa: BLE001
                log("WARN", "pump timers: {!r}".format(ex))

    def dispatch(self, gen, kind, obj):
        if obj is not None and obj.get("account_id") not in (None, "", self.account_id):
            return
        if kind == "order":
            self.on_order(obj)
        elif kind == "trade":
            self.on_trade(obj)
        elif kind == "order_error":
            self.on_order_error(obj)
        elif kind == "order_response":
            self.on_order_response(obj)
        elif kind == "cancel_error":
            code, msg = decode_error(obj.get("error_id"), obj.get("error_msg"))
            log("WARN", "cancel of order {} refused: {} {}".format(obj.get("order_id"), code, msg))
        elif kind == "cancel_response":
            if as_int(obj.get("cancel_result"), 0) != 0:
                log("WARN", "cancel of order {} answered {}: {}".format(
                    obj.get("order_id"), obj.get("cancel_result"), obj.get("error_msg")))
        elif kind == "account_status":
            if obj.get("status") != self.account_status:
                self.account_status = obj.get("status")
                log("INFO", "account {} status {}".format(obj.get("account_id"), obj.get("status")))
        elif kind == "disconnected":
            self.dead_gens.add(gen)
            self.on_disconnected(gen)

    def timers(self):
        """Terminal reports waiting for their trades, trades waiting for their order: queried when due. Their waits
        are 0.5 s and more, so the day's entries are looked over at most every TIMERS_EVERY_S, not after every event."""
        now = time.monotonic()
        if now < self.next_timers:
            return
        self.next_timers = now + TIMERS_EVERY_S
        with self.lock:
            for e in list(self.orders.values()):
                if e.pending_terminal is not None and e.pending_terminal[0] == "reject" and e.pending_terminal[2] <= now:
                    self.finish(e, "reject", e.pending_terminal[1])
            due = [e for e in self.orders.values() if e.pending_terminal is not None and e.pending_terminal[2] <= now]
            held_due = [h for h in self.held if now - h[1] >= HELD_TRADE_WAIT_S]
            connected = self.xt_connected and self.trader is not None
        if not (due or held_due) or not connected:
            return
        try:
            trades = self.xt_query("trades") if due else []
            orders = self.xt_query("orders") if held_due else []
        except Exception as ex:  # noqa: BLE001
            log("WARN", "query for the waiting reports failed: {}".format(ex))
            with self.lock:
                for e in due:
                    if e.pending_terminal is not None:
                        k, o, _ = e.pending_terminal
                        e.pending_terminal = (k, o, time.monotonic() + 1.0)
                for h in held_due:
                    h[1] = time.monotonic()
            return
        with self.lock:
            for o in orders:
                self.on_order(o, "query for a held trade")
            for t in trades:
                self.on_trade(t, "query for a terminal status")
            for e in due:
                if e.pending_terminal is not None:
                    kind, o, _ = e.pending_terminal
                    log("WARN", "order {} ({}): xtquant says {} traded, its trades show {}: ending it anyway".format(
                        e.order_id, e.coid, as_int(o.get("traded_volume")), e.filled))
                    self.finish(e, kind, o)
            for h in held_due:
                if h in self.held:
                    h[1] = time.monotonic() + 1.0
                    if time.monotonic() - h[2] > HELD_TRADE_GIVE_UP_S:
                        self.held.remove(h)
                        log("ERROR", "trade {} of order {}: no such order at xtquant after {:.0f} s: dropped (a "
                            "query_orders finds it if it ever appears)".format(
                                h[0].get("traded_id"), h[0].get("order_id"), HELD_TRADE_GIVE_UP_S))

    # ---- recovery from the journal ----

    def recover(self):
        records = self.journal.read(today())
        fence = None
        evts = 0
        for r in records:
            k = r.get("k")
            if k == "fence":
                fence = r["epoch"] if fence is None else max(fence, r["epoch"])
            elif k == "order":
                coid = r["coid"]
                e = self.orders.get(coid)
                if e is None:
                    e = Entry(coid, Terms.from_journal(r["terms"]), manual=r.get("manual", False),
                              derived=r.get("derived", False))
                    self.orders[coid] = e
                else:
                    e.terms = Terms.from_journal(r["terms"])
                    e.derived = r.get("derived", False)
                if r.get("order_id") is not None and e.order_id is None:
                    e.order_id = r["order_id"]
                    self.by_order_id[e.order_id] = e
                e.xt_seq = r.get("xt_seq")
                e.unknown = bool(r.get("unknown")) and e.order_id is None
                e.session = r.get("session")
                if e.order_id is None and not e.terminal:
                    e.status = "SubmitUnknown"
            elif k == "forget":
                e = self.orders.pop(r["coid"], None)
                if e is not None and e.order_id is not None:
                    self.by_order_id.pop(e.order_id, None)
            elif k == "evt" and not r.get("repush"):
                evts += 1
                self.recover_event(r["frame"])
        if fence is None:
            fence = self.journal.latest_fence(today())
        self.fence = fence
        if self.orders or fence is not None:
            log("INFO", "journal {}: {} order(s), {} report(s), fence {}".format(
                self.journal.path(today()), len(self.orders), evts, fence))

    def recover_event(self, frame):
        op, p = frame.get("op"), frame.get("payload") or {}
        e = self.orders.get(p.get("client_order_id"))
        if e is None:
            return
        e.history.append((op, p))
        if op == ACCEPTED:
            e.accepted = True
            if e.status in ("PendingSubmit", "SubmitUnknown"):
                e.status = "Submitted"
        elif op == FILLED:
            f = p["fill"]
            if f["fill_id"] not in self.seen_fills:
                self.seen_fills.add(f["fill_id"])
                e.filled += int(f["quantity"])
                e.value += dec(f["price"]) * int(f["quantity"])
                e.fills.append(f)
                e.accepted = True
                if not e.terminal:
                    e.status = "Filled" if e.filled >= e.terms.volume else "PartiallyFilled"
            if e.status == "Filled":
                e.terminal = True
        elif op in TERMINAL_OPS:
            e.terminal = True
            e.status = {REJECTED: "Rejected", CANCELLED: "Cancelled", EXPIRED: "Expired"}[op]
            e.reason = p.get("reason") or ""

    # ---- requests ----

    def handle(self, link, req):
        rid, op = req.get("id"), req.get("op")
        payload = req.get("payload")
        try:
            if op == "hello":
                self.op_hello(link, req, payload)
                return
            if op == "ping":
                answer = {}
            elif op == "place_order":
                answer = self.op_place(payload)
            elif op == "cancel_order":
                answer = self.op_cancel(payload)
            elif op == "query_orders":
                answer = self.op_query_orders()
            elif op == "query_asset":
                answer = self.op_query_asset()
            elif op == "replay":
                answer = self.op_replay(payload)
            elif op == "fence":
                answer = self.op_fence(payload)
            else:
                raise bad("unknown op '{}'".format(op))
            link.send(self.resp(rid, op, payload=answer))
        except WireError as e:
            link.send(self.resp(rid, op, err=(e.code, e.msg, e.fence)))
        except Exception as e:  # noqa: BLE001 - answered, never fatal
            log("ERROR", "{} failed: {!r}".format(op, e))
            link.send(self.resp(rid, op, err=("failed", str(e) or type(e).__name__)))

    @staticmethod
    def resp(rid, op, payload=None, err=None, epoch=None, seq=None):
        f = {"v": 1, "kind": "resp"}
        if rid is not None:
            f["id"] = rid
        if op is not None:
            f["op"] = op
        f["ts"] = now_ts()
        if epoch is not None:
            f["epoch"] = epoch
            f["seq"] = seq
        if err is None:
            f["ok"] = True
            f["payload"] = payload if payload is not None else {}
        else:
            f["ok"] = False
            f["err"] = {"code": err[0], "msg": err[1]}
            if len(err) > 2 and err[2] is not None:
                f["err"]["fence"] = err[2]
        return f

    def op_hello(self, link, req, p):
        if not isinstance(p, dict):
            raise bad("hello: the payload is missing or not an object")
        account = p.get("account")
        with self.lock:
            if account != self.account_id:
                link.send(self.resp(req.get("id"), "hello", err=(
                    "bad_request", "this bridge serves account '{}', not '{}'".format(self.account_id, account))))
                return
            resume = p.get("resume")
            events, replay = [], "none"
            if isinstance(resume, dict):
                events, gap = self.replay_locked(str(resume.get("epoch")), as_int(resume.get("seq"), 0) + 1)
                replay = "gap" if gap else "ok"
            answer = {"bridge_version": BRIDGE_VERSION, "account": self.account_id, "epoch": self.epoch,
                      "last_seq": self.seq, "replay": replay}
            link.send(self.resp(req.get("id"), "hello", payload=answer, epoch=self.epoch, seq=self.seq))
            if replay == "ok":
                for f in events:
                    link.send(f)
            old, self.live = self.live, link
            link.hello_done = True
        if old is not None and old is not link:
            old.close("replaced by a new hello")
        log("INFO", "client {} hello ({}; replay {}, {} event(s))".format(
            link.peer, p.get("client"), replay, len(events)))

    def replay_locked(self, epoch, from_seq):
        if epoch != self.epoch:
            return [], True
        from_seq = max(from_seq, 1)
        if from_seq > self.seq:
            return [], False
        oldest = self.ring[0]["seq"] if self.ring else self.seq + 1
        if from_seq >= oldest:
            return [f for f in self.ring if f["seq"] >= from_seq], False
        # Beyond the ring: the day's journal has every event of this epoch.
        frames = [r["frame"] for r in self.journal.read(today())
                  if r.get("k") == "evt" and r["frame"].get("epoch") == epoch and r["frame"]["seq"] >= from_seq]
        if frames and frames[0]["seq"] == from_seq and len(frames) == self.seq - from_seq + 1:
            return frames, False
        return [], True

    def op_replay(self, p):
        if not isinstance(p, dict) or p.get("epoch") is None:
            raise bad("replay: epoch and from_seq are required")
        with self.lock:
            events, gap = self.replay_locked(str(p.get("epoch")), as_int(p.get("from_seq"), 0))
        return {"events": events, "gap": gap}

    def require_connected(self):
        if not self.xt_connected or self.trader is None:
            raise WireError("not_connected", "xtquant is not connected (session {}); reconnecting".format(self.session))

    def raise_fence(self, epoch):
        if self.fence is None or epoch > self.fence:
            self.fence = epoch
            self.journal.append({"k": "fence", "epoch": epoch}, sync=True)

    def op_fence(self, p):
        """A brain announces its epoch before it sends anything: the fence rises to it (journaled with fsync before the
        answer, as a place_order's does), so an older brain is refused before its first order, not after the new one's."""
        if not isinstance(p, dict):
            raise bad("fence: the payload is missing or not an object")
        epoch = _field(p, "epoch", int)
        with self.write_lock:   # after every place_order already taken, before every one that follows
            with self.lock:
                if self.fence is not None and epoch < self.fence:
                    raise WireError("fenced_out", "epoch {} is below the fence {} (a newer brain trades this account)".format(
                        epoch, self.fence), fence=self.fence)
                self.raise_fence(epoch)
                fence = self.fence
        log("INFO", "fence {} announced".format(fence))
        return {"fence": fence}

    def op_place(self, p):
        terms = Terms.parse(p)
        coid = terms.client_order_id
        with self.write_lock:
            with self.lock:
                e = self.orders.get(coid)
                if e is None and remark_of(coid) != coid:
                    # A long id whose order this bridge took from xtquant under its digest remark (a restart that
                    # lost the journal): the same order, now known by its id again.
                    alias = self.orders.get(remark_of(coid))
                    if alias is not None and alias.derived and not alias.manual:
                        del self.orders[alias.coid]
                        alias.coid = coid
                        self.orders[coid] = alias
                        log("INFO", "{}: found at xtquant under its remark {}".format(coid, alias.remark))
                        e = alias
                if e is not None:
                    answer = self.place_again(e, terms)
                    if answer is not None:
                        return answer
                elif self.fence is not None and terms.epoch < self.fence:
                    raise WireError("stale_epoch", "epoch {} is below epoch {} already seen (stale primary)".format(
                        terms.epoch, self.fence))
                else:
                    self.require_connected()
                    self.raise_fence(terms.epoch)
                    e = Entry(coid, terms)
                    self.orders[coid] = e
                    if terms.trade_date != today().isoformat():
                        # The counter knows no trade date: an order meant for another day would go live today.
                        e.session = self.session
                        self.journal_order(e, sync=True)
                        self.reject(e, "trade-date: the order is for {}, today is {}".format(
                            terms.trade_date, today().isoformat()))
                        return {"client_order_id": coid, "status": "accepted"}
            return self.send_order(e)

    def place_again(self, e, terms):
        """The same client order id again (lock held): duplicate, conflict, or a look-up of an unknown outcome;
        None: not at xtquant and safe to send again under the same remark."""
        diff = e.terms.conflict(terms)
        if e.derived and diff is not None:
            # Terms read back from xtquant (a manual-looking order, a lost journal): only what xtquant knows counts.
            diff = None if (e.terms.stock_code, e.terms.side, e.terms.volume) == (
                terms.stock_code, terms.side, terms.volume) else diff
        if diff is not None:
            raise WireError("conflict", diff)
        if e.derived:
            e.terms, e.derived = terms, False
            self.journal_order(e)
        self.raise_fence(terms.epoch)
        if e.listed():
            return self.duplicate(e)
        # Sent before, outcome unknown (a timeout, or a restart of this bridge): look it up by remark first.
        self.require_connected()
        orders = self.xt_query("orders")
        for o in orders:
            if (o.get("order_remark") or "").strip() == e.remark:
                self.on_order(o, "look-up by remark")
        if e.listed():
            log("INFO", "{}: found at xtquant by remark as order {}".format(e.coid, e.order_id))
            return self.duplicate(e)
        if e.sent_at is not None and e.session == self.session and \
                time.monotonic() - e.sent_at < UNKNOWN_RESEND_AFTER_S:
            raise WireError("unknown", "the order sent {:.0f} s ago is not at xtquant yet and its answer has not "
                            "come: it may be live; resolve by query".format(time.monotonic() - e.sent_at))
        log("WARN", "{}: not at xtquant after a look-up by remark (its send is {}): sending it again under the same "
            "remark".format(e.coid, "from an earlier session" if e.session != self.session else "old"))
        return None

    def duplicate(self, e):
        for op, payload in list(e.history):
            self.push(e, op, payload, repush=True)
        out = {"client_order_id": e.coid, "status": "duplicate"}
        if e.order_id is not None:
            out["order_id"] = str(e.order_id)
        return out

    def send_order(self, e):
        """order_stock_async and the wait for its answer (write_lock held, state lock not held)."""
        t = e.terms
        with self.lock:
            if not self.xt_connected or self.trader is None:
                self.forget_unsent(e)
            self.require_connected()
            e.sent_at = time.monotonic()
            e.session = self.session
            e.unknown = True     # until the answer comes: a crash from here on is resolved by remark
            e.status = "PendingSubmit"
            self.journal_order(e, sync=True)
        pt = xt_price_type(t)

        def place():
            trader = self.trader
            if trader is None:
                raise WireError("not_connected", "xtquant is not connected")
            return trader.order_stock_async(self.account(), t.stock_code, STOCK_BUY if t.side == "BUY" else STOCK_SELL,
                                            t.volume, pt, float(t.price), t.strategy_name, remark_of(t.client_order_id))
        # The state lock is held across the call, so the pump handles the answer only once seq -> id is known
        # (the answer may come before order_stock_async returns here; it may have a blank remark).
        with self.lock:
            try:
                seq = as_int(self.call(place, timeout=self.response_timeout), -1)
            except (WireError, NotStarted) as ex:
                self.forget_unsent(e)
                if isinstance(ex, WireError):
                    raise
                raise WireError("failed", "order_stock_async was not called ({}): nothing was sent".format(ex))
            except Exception as ex:  # noqa: BLE001 - a call that may or may not have left
                e.status = "SubmitUnknown"
                self.journal_order(e)
                raise WireError("unknown", "order_stock_async did not return ({}): the order may be live; resolve "
                                "by query".format(type(ex).__name__))
            if seq <= 0:
                self.forget_unsent(e)
                raise WireError("failed", "order_stock_async returned {}: nothing was sent".format(seq))
            e.xt_seq = seq
            self.by_seq[seq] = e.coid
            self.journal_order(e)
        deadline = time.monotonic() + self.response_timeout
        r = None
        with self.responses_cv:
            while True:
                r = self.responses.pop(seq, None)
                left = deadline - time.monotonic()
                if r is not None or left <= 0:
                    break
                self.responses_cv.wait(left)
        with self.lock:
            if r is not None:
                self.apply_response(e, r)
            if e.listed():
                out = {"client_order_id": e.coid, "status": "accepted"}
                if e.order_id is not None:
                    out["order_id"] = str(e.order_id)
                return out
            e.status = "SubmitUnknown"
            self.journal_order(e)
        log("WARN", "{}: no answer from xtquant within {} s (seq {}): outcome unknown".format(
            e.coid, self.response_timeout, seq))
        raise WireError("unknown", "no answer from xtquant within {} s: the order may be live; resolve by query "
                        "(or send the same id again)".format(self.response_timeout))

    def forget_unsent(self, e):
        """Nothing left for xtquant: the id is free again (lock held)."""
        if self.orders.get(e.coid) is e and not e.listed():
            del self.orders[e.coid]
            self.journal.append({"k": "forget", "coid": e.coid}, sync=True)

    def op_cancel(self, p):
        if not isinstance(p, dict) or not isinstance(p.get("client_order_id"), str):
            raise bad("cancel_order: client_order_id is required")
        coid = p["client_order_id"]
        with self.write_lock:
            with self.lock:
                e = self.orders.get(coid)
                if e is None:
                    raise WireError("unknown_order", "{} has no order {}.".format(BRIDGE_VERSION, coid))
                if e.terminal:
                    if e.history:
                        op, payload = e.history[-1]
                        self.push(e, op, payload, repush=True)
                    return {"status": "sent"}
                self.require_connected()
                order_id = e.order_id
            if order_id is None:
                orders = self.xt_query("orders")
                with self.lock:
                    for o in orders:
                        if (o.get("order_remark") or "").strip() == e.remark:
                            self.on_order(o, "look-up by remark")
                    order_id = e.order_id
                if order_id is None:
                    raise WireError("unknown", "order {} is not at xtquant (yet): its send may be live; resolve by "
                                    "query".format(coid))

            def cancel():
                trader = self.trader
                if trader is None:
                    raise WireError("not_connected", "xtquant is not connected")
                return trader.cancel_order_stock_async(self.account(), int(order_id))
            rc = as_int(self.call(cancel), -1)
            if rc < 0:
                raise WireError("failed", "cancel_order_stock_async returned {}".format(rc))
            return {"status": "sent"}

    def op_query_orders(self):
        with self.lock:
            # The pump waits while xtquant is asked: as_of_seq covers every report stamped from what it knew.
            self.require_connected()
            orders, trades = self.snapshot()
            self.reconcile(orders, trades, "query_orders")
            day = today().isoformat()
            return {"as_of_seq": self.seq, "orders": [e.to_dto() for e in self.orders.values()
                                                      if e.listed() and (e.terms.trade_date == day or not e.terminal)]}

    def op_query_asset(self):
        self.require_connected()
        asset, positions = self.xt_query("asset")
        cash, frozen = dec(getattr(asset, "cash", 0.0) or 0.0), dec(getattr(asset, "frozen_cash", 0.0) or 0.0)
        out = []
        for ps in positions:
            code = self.code(getattr(ps, "stock_code", None), snapshot_of(ps, ("stock_code1", "exchange_id",
                                                                                "exchange", "market")))
            vol = as_int(getattr(ps, "volume", 0))
            fz = as_int(getattr(ps, "frozen_volume", 0))
            if code is None or (vol <= 0 and fz <= 0):
                continue
            out.append({"stock_code": code, "volume": vol,
                        "sellable": as_int(getattr(ps, "can_use_volume", 0)) + fz, "frozen": fz})
        return {"cash": dec_str(cash + frozen), "frozen_cash": dec_str(frozen), "positions": out}

    # ---- clients ----

    def serve_link(self, link):
        why = "client closed the link"
        try:
            if link.secret:
                # The nonce goes first, unsigned; everything after it is signed.
                link._write_raw(json.dumps({"v": 1, "kind": "auth", "nonce": link.nonce}, separators=(",", ":")))
            threading.Thread(target=link.writer, name="writer-{}".format(link.n), daemon=True).start()
            threading.Thread(target=self.worker, args=(link,), name="worker-{}".format(link.n), daemon=True).start()
            for text in link.read_lines():
                frame = parse_frame(text)
                if frame["kind"] == "req":
                    link.requests.put(frame)
        except LinkClosed as e:
            why = str(e)
        except OSError as e:
            why = link.close_reason or str(e)
        finally:
            with self.lock:
                self.links.discard(link)
                if self.live is link:
                    self.live = None
            why = link.close_reason or why
            link.close(why)
            log("INFO", "client {} gone: {}".format(link.peer, why))

    def worker(self, link):
        while True:
            req = link.requests.get()
            if req is None or link.closed.is_set():
                return
            self.handle(link, req)

    def accept_loop(self):
        while not self.stop.is_set():
            try:
                sock, addr = self.listener.accept()
            except OSError:
                if self.stop.is_set():
                    return
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            peer = "{}:{}".format(addr[0], addr[1])
            link = Link(self, sock, peer, self.secret)
            with self.lock:
                self.links.add(link)
            log("INFO", "client {} connected".format(peer))
            threading.Thread(target=self.serve_link, args=(link,), name="link-{}".format(link.n), daemon=True).start()

    def heartbeat_loop(self):
        while not self.stop.wait(HEARTBEAT_S):
            with self.lock:
                links = list(self.links)
                hb = {"v": 1, "kind": "hb", "ts": now_ts(), "epoch": self.epoch, "seq": self.seq}
            now = time.monotonic()
            for link in links:
                if now - link.last_heard > SILENCE_S:
                    link.close("no line from the client for {:.0f} s".format(SILENCE_S))
                elif link.hello_done:
                    link.send(hb)

    # ---- lifecycle ----

    def run(self, host, port):
        self.recover()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.socket(family, socket.SOCK_STREAM)
        if os.name == "posix":   # on Windows SO_REUSEADDR would let another process take the port
            self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, port))
        self.listener.listen(8)
        bound = self.listener.getsockname()
        log("INFO", "listening on {}:{} for account {} (epoch {}, ring {}, journal {}, {})".format(
            host, bound[1], self.account_id, self.epoch, self.args.ring, self.args.journal_dir,
            "authenticated" if self.secret else "unauthenticated loopback"))
        self.journal.append({"k": "epoch", "epoch": self.epoch, "at": now_ts(), "session": None})
        for target, name in ((self.pump, "pump"), (self.reconnect_loop, "reconnect"),
                             (self.heartbeat_loop, "heartbeat"), (self.accept_loop, "accept")):
            threading.Thread(target=target, name=name, daemon=True).start()
        self.reconnect_wanted.set()

    def shutdown(self):
        self.stop.set()
        try:
            self.listener.close()
        except OSError:
            pass
        with self.lock:
            links = list(self.links)
        for link in links:
            link.close("bridge stopped")
        if self.trader is not None:
            self._stop_trader(self.trader)
        self.journal.close()


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------

class ArgError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ArgError(message)


def parse_listen(text):
    m = re.fullmatch(r"\[([0-9A-Fa-f:.]+)\]:(\d{1,5})|([^:\[\]]+):(\d{1,5})", text or "")
    if not m:
        raise ArgError("--listen '{}' is not HOST:PORT".format(text))
    host = m.group(1) or m.group(3)
    port = int(m.group(2) or m.group(4))
    if port > 65535:
        raise ArgError("--listen port {} is out of range".format(port))
    return host, port


def is_loopback(host):
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def read_secret(path):
    """The shared secret: the file's text, surrounding whitespace stripped."""
    if path is not None:
        try:
            st = os.stat(path)
        except OSError as e:
            raise ArgError("--secret-file {}: {}".format(path, e.strerror))
        if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ArgError("--secret-file {} is accessible by group or others (mode {:o}): chmod 600 it".format(
                path, stat.S_IMODE(st.st_mode)))
        try:
            with open(path, "r", encoding="utf-8") as f:
                text = f.read().strip()
        except (OSError, UnicodeDecodeError) as e:
            raise ArgError("--secret-file {}: cannot read it ({})".format(path, type(e).__name__))
        if not text:
            raise ArgError("--secret-file {} is empty".format(path))
        return text.encode("utf-8")
    env = os.environ.get("QMT_BRIDGE_SECRET")
    if env is not None and env.strip():
        return env.strip().encode("utf-8")
    return None


def parse_args(argv):
    p = Parser(prog="qmt_bridge.py", add_help=True,
               description="miniQMT xtquant <-> Trading.Actors bridge (newline-delimited JSON over TCP)")
    p.add_argument("--qmt-path", required=True, help="miniQMT's userdata_mini folder")
    p.add_argument("--account", required=True, help="the capital account id")
    p.add_argument("--listen", default="127.0.0.1:58610", help="HOST:PORT (default 127.0.0.1:58610; port 0: any)")
    p.add_argument("--secret-file", help="shared secret (else env QMT_BRIDGE_SECRET); required off loopback")
    p.add_argument("--journal-dir", default="qmt_bridge_journal", help="per-day JSONL journals (default ./qmt_bridge_journal)")
    p.add_argument("--ring", default="20000", help="events kept in memory for replay (default 20000)")
    p.add_argument("--session", default=None, help="xtquant session id of the first session (default: unix time)")
    p.add_argument("--response-timeout", default="5", help="seconds to wait for xtquant's order answer (default 5)")
    p.add_argument("--trade-date", default=None, help="YYYY-MM-DD: the trade date to use instead of Beijing's "
                   "calendar date (for tests)")
    a = p.parse_args(argv)
    a.host, a.port = parse_listen(a.listen)
    for name in ("ring", "session"):
        v = getattr(a, name)
        if v is None:
            continue
        if not re.fullmatch(r"\d+", str(v)) or int(v) <= 0:
            raise ArgError("--{} '{}' must be a positive integer".format(name, v))
        setattr(a, name, int(v))
    try:
        a.response_timeout = float(a.response_timeout)
        if not 0 < a.response_timeout <= 60:
            raise ValueError
    except ValueError:
        raise ArgError("--response-timeout '{}' must be a number of seconds in (0, 60]".format(a.response_timeout))
    if a.trade_date is not None:
        try:
            a.trade_date = datetime.strptime(a.trade_date, "%Y-%m-%d").date()
        except ValueError:
            raise ArgError("--trade-date '{}' is not YYYY-MM-DD".format(a.trade_date))
    if not a.account.strip():
        raise ArgError("--account must not be empty")
    if not os.path.isdir(a.qmt_path):
        raise ArgError("--qmt-path {} is not a folder".format(a.qmt_path))
    return a


def main(argv=None):
    try:
        args = parse_args(sys.argv[1:] if argv is None else argv)
        secret = read_secret(args.secret_file)
        if secret is None and not is_loopback(args.host):
            raise ArgError("--listen {} is not a loopback address: a shared secret is required (--secret-file or "
                           "QMT_BRIDGE_SECRET)".format(args.listen))
        try:
            from xtquant.xttrader import XtQuantTrader, XtQuantTraderCallback
            from xtquant.xttype import StockAccount
        except Exception as e:  # noqa: BLE001
            raise ArgError("xtquant is not importable: {}".format(str(e).splitlines()[0] if str(e) else type(e).__name__))
        try:
            os.makedirs(args.journal_dir, exist_ok=True)
        except OSError as e:
            raise ArgError("--journal-dir {}: {}".format(args.journal_dir, e.strerror))
    except ArgError as e:
        sys.stderr.write("qmt_bridge: error: {}\n".format(e))
        return 1
    global TRADE_DATE
    TRADE_DATE = args.trade_date
    bridge = Bridge(args, secret, (XtQuantTrader, XtQuantTraderCallback, StockAccount))
    try:
        bridge.run(args.host, args.port)
    except OSError as e:
        sys.stderr.write("qmt_bridge: error: cannot listen on {}: {}\n".format(args.listen, e.strerror or e))
        return 1
    done = threading.Event()

    def on_signal(signum, frame):
        done.set()
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    while not done.wait(0.5):
        pass
    log("INFO", "stopping")
    bridge.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
