"""XtQuantTrader and XtQuantTraderCallback with xtquant's names, signatures and threading, talking to a
``python3 -m fakextquant serve`` process found through ``path/fakextquant.json`` instead of miniQMT.

Threading as in xtquant's xttrader.py:
* every push (on_stock_order, on_stock_trade, ..., on_disconnected) runs on one callback thread;
* the replies of order_stock / cancel_order_stock also pass through that thread, and so do the replies of
  subscribe and the queries unless set_relaxed_response_order_enabled(True) gave them a thread of their own.
  The real xtquant therefore hangs when a callback makes such a synchronous call; this fake raises
  RuntimeError there instead, so the mistake shows on Linux.
Differences from xtquant, all in the bridge's favour of finding out early:
* when not connected (before connect(), after on_disconnected) calls return -1 (orders, cancels,
  subscribe) or None (every query) at once; xtquant may block there;
* a call without reply within the timeout (set_timeout, milliseconds, default 30 s) returns -1 / None;
* an exception raised by a callback is printed to stderr (xtquant drops it silently).
"""

import inspect
import itertools
import json
import os
import sys
import threading
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from . import xttype as _T

try:
    from fakextquant import wire as _wire
except ImportError:  # pragma: no cover - both packages live in scripts/fakextquant
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from fakextquant import wire as _wire

DEFAULT_TIMEOUT_MS = 30000


class XtQuantTraderCallback(object):
    def on_connected(self):
        """Declared by xtquant but never called by XtQuantTrader (nor by this fake)."""

    def on_disconnected(self):
        pass

    def on_account_status(self, status):
        pass

    def on_stock_asset(self, asset):
        pass

    def on_stock_order(self, order):
        pass

    def on_stock_trade(self, trade):
        pass

    def on_stock_position(self, position):
        pass

    def on_order_error(self, order_error):
        pass

    def on_cancel_error(self, cancel_error):
        pass

    def on_order_stock_async_response(self, response):
        pass

    def on_cancel_order_stock_async_response(self, response):
        pass

    def on_smt_appointment_async_response(self, response):
        pass


_PUSH_TYPES = {
    "on_stock_order": _T.XtOrder, "on_stock_trade": _T.XtTrade, "on_stock_position": _T.XtPosition,
    "on_stock_asset": _T.XtAsset, "on_order_error": _T.XtOrderError, "on_cancel_error": _T.XtCancelError,
    "on_order_stock_async_response": _T.XtOrderResponse,
    "on_cancel_order_stock_async_response": _T.XtCancelOrderResponse,
    "on_account_status": _T.XtAccountStatus,
}
_PARAMS = {}


def _make(cls, data):
    """An xttype object from a wire dict: constructor arguments by name, any other field as an attribute."""
    if data is None:
        return None
    names = _PARAMS.get(cls)
    if names is None:
        names = _PARAMS[cls] = [n for n in inspect.signature(cls.__init__).parameters if n != "self"]
    obj = cls(**{n: data[n] for n in names if n in data})
    for k, v in data.items():
        if k not in names:
            setattr(obj, k, v)
    return obj


def _make_list(cls, rows):
    return None if rows is None else [_make(cls, r) for r in rows]


def _account_info(row):
    return _T.XtAccountInfo(row["account_id"], row["account_type"], row["status"])


class _Unavailable(Exception):
    """Not connected, connection lost, no reply in time, or the server refused the request."""


class _Link(object):
    """One connection to the server: requests with ids, replies routed to their handlers."""

    def __init__(self, sock):
        self.sock = sock
        self.lock = threading.Lock()
        self.pending = {}   # id -> (handler(reply or None), executor or None)
        self.ids = itertools.count(1)
        self.alive = True

    def send(self, op, args, handler=None, executor=None):
        with self.lock:
            if not self.alive:
                raise _Unavailable("connection lost")
            rid = next(self.ids)
            if handler is not None:
                self.pending[rid] = (handler, executor)
            try:
                self.sock.sendall(_wire.encode({"id": rid, "op": op, "args": args}))
            except OSError:
                self.pending.pop(rid, None)
                raise _Unavailable("connection lost")
        return rid

    def forget(self, rid):
        with self.lock:
            self.pending.pop(rid, None)

    def take(self, rid):
        with self.lock:
            return self.pending.pop(rid, None)

    def fail_all(self):
        with self.lock:
            self.alive = False
            waiting, self.pending = list(self.pending.values()), {}
        for handler, _ in waiting:
            handler(None)

    def close(self):
        with self.lock:
            self.alive = False
        try:
            self.sock.shutdown(2)
        except OSError:
            pass
        self.sock.close()


class XtQuantTrader(object):
    def __init__(self, path, session, callback=None):
        self.path = path
        self.session = session
        self.callback = callback
        self.connected = False
        self.executor = None
        self.relaxed_resp_executor = None
        self.resp_executor = None
        self.relaxed_resp_order_enabled = False
        self._timeout_ms = 0
        self._seqs = itertools.count(1)
        self._link = None
        self._link_lock = threading.Lock()
        self._callback_thread = None
        self._stopped = False

    # ---- life cycle -------------------------------------------------------------------------------
    def register_callback(self, callback):
        self.callback = callback

    def start(self):
        self._stopped = False
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xtquant-callback",
                                           initializer=self._mark_callback_thread)
        self.relaxed_resp_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xtquant-resp")
        self.resp_executor = self.relaxed_resp_executor if self.relaxed_resp_order_enabled else self.executor

    def _mark_callback_thread(self):
        self._callback_thread = threading.get_ident()

    def stop(self):
        self._stopped = True
        with self._link_lock:
            link, self._link = self._link, None
            self.connected = False
        if link is not None:
            link.close()
            link.fail_all()
        if self.executor is not None:
            self.executor.shutdown(wait=True)
        if self.relaxed_resp_executor is not None:
            self.relaxed_resp_executor.shutdown(wait=True)

    def connect(self):
        """0 when the server took this session; -1 when there is no server, the client is restarting,
        or the session id is taken or was used before a client restart that rejects reused sessions."""
        if self.executor is None:
            print("fakextquant: connect() before start(); starting the callback thread now", file=sys.stderr)
            self.start()
        with self._link_lock:
            if self._link is not None and self._link.alive and self.connected:
                return 0
        sock = _wire.connect(self.path)
        if sock is None:
            self.connected = False
            return -1
        sock.settimeout(None)
        link = _Link(sock)
        threading.Thread(target=self._reader, args=(link,), name="xtquant-reader", daemon=True).start()
        try:
            result = self._request(link, "hello", {"session": self.session, "pid": os.getpid()}, via=None)
        except _Unavailable:
            result = -1
        if result != 0:
            link.close()
            self.connected = False
            return -1
        with self._link_lock:
            self._link = link
            self.connected = True
        return 0

    def sleep(self, seconds):
        time.sleep(seconds)

    def run_forever(self):
        while True:
            time.sleep(2)

    def set_timeout(self, timeout=0):
        """Milliseconds to wait for a reply; 0 means this fake's default (30 s)."""
        self._timeout_ms = int(timeout)

    def set_relaxed_response_order_enabled(self, enabled):
        self.relaxed_resp_order_enabled = enabled
        self.resp_executor = self.relaxed_resp_executor if enabled else self.executor

    # ---- transport --------------------------------------------------------------------------------
    def _reader(self, link):
        try:
            for line in link.sock.makefile("rb"):
                try:
                    msg = json.loads(line)
                except ValueError:
                    continue
                if "push" in msg:
                    name = msg["push"]
                    if name in _PUSH_TYPES:
                        self._dispatch(name, _make(_PUSH_TYPES[name], msg.get("data")))
                    continue
                entry = link.take(msg.get("id"))
                if entry is None:
                    continue
                handler, executor = entry
                if executor is None:
                    handler(msg)
                else:
                    try:
                        executor.submit(handler, msg)
                    except RuntimeError:  # executor shut down by stop()
                        handler(None)
        except (OSError, ValueError):
            pass
        finally:
            link.close()
            link.fail_all()
            with self._link_lock:
                was_live = self._link is link
                if was_live:
                    self._link = None
                    self.connected = False
            if was_live and not self._stopped:
                self._dispatch("on_disconnected")

    def _dispatch(self, name, *args):
        executor = self.executor
        if executor is None:
            return
        try:
            executor.submit(self._invoke, name, args)
        except RuntimeError:
            pass  # stopped

    def _invoke(self, name, args):
        cb = self.callback
        if cb is None:
            return
        try:
            getattr(cb, name)(*args)
        except Exception:
            print("fakextquant: exception in callback {}:".format(name), file=sys.stderr)
            traceback.print_exc()

    def _guard(self, executor, what):
        if executor is self.executor and threading.get_ident() == self._callback_thread:
            hint = "" if what == "order" else " without set_relaxed_response_order_enabled(True)"
            raise RuntimeError("fakextquant: a synchronous {} call from inside an xtquant callback{} hangs "
                               "the real xtquant: its reply is delivered on this very callback thread".format(what, hint))

    def _request(self, link, op, args, via):
        """Sends a request and waits for its reply, which is handed over on executor `via` (None: at once)."""
        self._guard(via, "order" if op in ("order", "cancel") else "query")
        done = Future()
        rid = link.send(op, args, handler=done.set_result, executor=via)
        timeout = (self._timeout_ms or DEFAULT_TIMEOUT_MS) / 1000.0
        try:
            reply = done.result(timeout)
        except FutureTimeout:
            link.forget(rid)
            raise _Unavailable("no reply to {} within {} s".format(op, timeout))
        if reply is None:
            raise _Unavailable("connection lost")
        if not reply.get("ok"):
            raise _Unavailable(reply.get("error"))
        return reply.get("result")

    def _live_link(self):
        link = self._link
        if link is None or not self.connected:
            raise _Unavailable("not connected")
        return link

    def _sync(self, op, args, via, default):
        try:
            return self._request(self._live_link(), op, args, via)
        except _Unavailable:
            return default

    def _query(self, op, args, convert):
        try:
            return convert(self._request(self._live_link(), op, args, self.resp_executor))
        except _Unavailable:
            return None

    def _query_async(self, op, args, convert, callback):
        """xtquant's *_async queries: returns the seq; callback(result) runs on the response thread."""
        seq = next(self._seqs)

        def handler(reply):
            if reply is not None and reply.get("ok"):
                callback(convert(reply.get("result")))
        try:
            self._live_link().send(op, args, handler=handler, executor=self.resp_executor)
        except _Unavailable:
            return -1
        return seq

    def _send_async(self, op, args):
        seq = next(self._seqs)
        args = dict(args, seq=seq)
        try:
            self._live_link().send(op, args)
        except _Unavailable:
            return -1
        return seq

    # ---- account ----------------------------------------------------------------------------------
    @staticmethod
    def _acc(account):
        return {"account_id": account.account_id, "account_type": account.account_type}

    def subscribe(self, account):
        return self._sync("subscribe", self._acc(account), self.resp_executor, -1)

    def unsubscribe(self, account):
        return self._sync("unsubscribe", self._acc(account), self.resp_executor, -1)

    # ---- orders -----------------------------------------------------------------------------------
    def _order_args(self, account, stock_code, order_type, order_volume, price_type, price, strategy_name,
                    order_remark):
        args = self._acc(account)
        args.update(stock_code=stock_code, order_type=order_type, order_volume=int(order_volume),
                    price_type=price_type, price=price, strategy_name=strategy_name, order_remark=order_remark)
        return args

    def order_stock(self, account, stock_code, order_type, order_volume, price_type, price,
                    strategy_name="", order_remark=""):
        """Returns the order id (> 0), or -1."""
        args = self._order_args(account, stock_code, order_type, order_volume, price_type, price,
                                strategy_name, order_remark)
        return self._sync("order", args, self.executor, -1)

    def order_stock_async(self, account, stock_code, order_type, order_volume, price_type, price,
                          strategy_name="", order_remark=""):
        """Returns a seq (> 0) or -1; on_order_stock_async_response(XtOrderResponse) carries the order id."""
        return self._send_async("order", self._order_args(account, stock_code, order_type, order_volume,
                                                          price_type, price, strategy_name, order_remark))

    def cancel_order_stock(self, account, order_id):
        """0 when the cancel was accepted, -1 when not (on_cancel_error says why)."""
        return self._sync("cancel", dict(self._acc(account), order_id=order_id), self.executor, -1)

    def cancel_order_stock_async(self, account, order_id):
        return self._send_async("cancel", dict(self._acc(account), order_id=order_id))

    @staticmethod
    def _market(market):
        # xtquant takes 0 / 1 / 70 or 'SH' / 'SZ' / 'BJ'
        return {"SH": 0, "SZ": 1, "BJ": 70}.get(market, -1) if isinstance(market, str) else market

    def cancel_order_stock_sysid(self, account, market, sysid):
        args = dict(self._acc(account), market=self._market(market), order_sysid=str(sysid))
        return self._sync("cancel", args, self.executor, -1)

    def cancel_order_stock_sysid_async(self, account, market, sysid):
        return self._send_async("cancel", dict(self._acc(account), market=self._market(market),
                                               order_sysid=str(sysid)))

    # ---- queries ----------------------------------------------------------------------------------
    def query_stock_asset(self, account):
        return self._query("query_asset", self._acc(account), lambda r: _make(_T.XtAsset, r))

    def query_stock_asset_async(self, account, callback):
        return self._query_async("query_asset", self._acc(account), lambda r: _make(_T.XtAsset, r), callback)

    def query_stock_order(self, account, order_id):
        return self._query("query_order", dict(self._acc(account), order_id=order_id),
                           lambda r: _make(_T.XtOrder, r))

    def query_stock_orders(self, account, cancelable_only=False):
        return self._query("query_orders", dict(self._acc(account), cancelable_only=cancelable_only),
                           lambda r: _make_list(_T.XtOrder, r))

    def query_stock_orders_async(self, account, callback, cancelable_only=False):
        return self._query_async("query_orders", dict(self._acc(account), cancelable_only=cancelable_only),
                                 lambda r: _make_list(_T.XtOrder, r), callback)

    def query_stock_trades(self, account):
        return self._query("query_trades", self._acc(account), lambda r: _make_list(_T.XtTrade, r))

    def query_stock_trades_async(self, account, callback):
        return self._query_async("query_trades", self._acc(account), lambda r: _make_list(_T.XtTrade, r),
                                 callback)

    def query_stock_position(self, account, stock_code):
        return self._query("query_position", dict(self._acc(account), stock_code=stock_code),
                           lambda r: _make(_T.XtPosition, r))

    def query_stock_positions(self, account):
        return self._query("query_positions", self._acc(account), lambda r: _make_list(_T.XtPosition, r))

    def query_stock_positions_async(self, account, callback):
        return self._query_async("query_positions", self._acc(account),
                                 lambda r: _make_list(_T.XtPosition, r), callback)

    def query_account_status(self):
        return self._query("query_account_status", {}, lambda r: _make_list(_T.XtAccountStatus, r))

    def query_account_status_async(self, callback):
        return self._query_async("query_account_status", {}, lambda r: _make_list(_T.XtAccountStatus, r),
                                 callback)

    def query_account_infos(self):
        return self._query("query_account_infos", {}, lambda r: None if r is None else [_account_info(x) for x in r])

    query_account_info = query_account_infos

    def query_account_infos_async(self, callback):
        return self._query_async("query_account_infos", {},
                                 lambda r: None if r is None else [_account_info(x) for x in r], callback)
