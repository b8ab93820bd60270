"""The fake miniQMT client + broker counter as its own process (``python3 -m fakextquant serve``).

It owns the broker state (so the broker keeps its orders while a node or the bridge is killed -9),
serves every XtQuantTrader session and every ctl command over the JSON-lines RPC of wire.py, and sends
the pushes of each session through that session's push queue (where the delay fault holds them).
One lock serialises all requests, so pushes reach every session in the same order.
"""

import collections
import os
import signal
import socket
import struct
import sys
import threading
import json
import time
import traceback

from . import wire
from .broker import BUY, FIX_PRICE, SELL, Broker, BrokerError


class Connection(object):
    """One TCP connection: an XtQuantTrader session after ``hello``, or a ctl client."""

    def __init__(self, server, sock, cid):
        self.server = server
        self.sock = sock
        self.cid = cid
        self.session = None      # set by a successful hello: this is then a client session
        self.subscribed = set()
        self.write_lock = threading.Lock()
        self.cond = threading.Condition()
        self.queue = collections.deque()  # (due time, push) in order
        self.closed = False
        threading.Thread(target=self._pusher, name="push-%d" % cid, daemon=True).start()

    @property
    def is_client(self):
        return self.session is not None and not self.closed

    def send(self, obj):
        data = wire.encode(obj)
        with self.write_lock:
            try:
                self.sock.sendall(data)
            except OSError:
                self.close()

    def enqueue(self, obj, delay_ms=0):
        with self.cond:
            if not self.closed:
                self.queue.append((time.monotonic() + delay_ms / 1000.0, obj))
                self.cond.notify()

    def _pusher(self):
        while True:
            with self.cond:
                while not self.queue and not self.closed:
                    self.cond.wait()
                if self.closed:
                    return
                due, obj = self.queue[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self.cond.wait(wait)
                    continue
                self.queue.popleft()
            self.send(obj)

    def close(self):
        """Drops the connection; the session sees EOF and fires on_disconnected. Queued pushes are lost."""
        with self.cond:
            if self.closed:
                return
            self.closed = True
            self.cond.notify_all()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def read_loop(self):
        try:
            for line in self.sock.makefile("rb"):
                try:
                    request = json.loads(line)
                except ValueError:
                    continue
                self.server.handle(self, request)
        except OSError:
            pass
        finally:
            self.close()
            self.server.forget(self)


class Server(object):
    def __init__(self, directory, broker, match_every_ms=0, save_every_ms=0):
        self.directory = directory
        self.broker = broker
        self.match_every_ms = match_every_ms
        # 0: the state file is rewritten after every change (a kill -9 of serve loses nothing answered); N: at most
        # every N ms (the saver thread), for benchmarks of the bridge, where rewriting a whole day's orders after each
        # one would measure this fake's JSON writer instead of the bridge.
        self.save_every_ms = save_every_ms
        self.last_save = 0.0
        self.lock = threading.RLock()
        self.conns = {}
        self.next_cid = 1
        self.stop_event = threading.Event()
        self.client_down_until = 0.0   # restart-client: hello answers -1 until then
        self.sessions_used = set()
        self.sessions_banned = set()   # restart-client --reject-reused-session
        self.dropped = 0

    # ---- connections ------------------------------------------------------------------------------
    def adopt(self, sock):
        with self.lock:
            cid = self.next_cid
            self.next_cid += 1
            conn = self.conns[cid] = Connection(self, sock, cid)
        threading.Thread(target=conn.read_loop, name="conn-%d" % cid, daemon=True).start()

    def forget(self, conn):
        with self.lock:
            self.conns.pop(conn.cid, None)

    def clients(self):
        return [c for c in self.conns.values() if c.is_client]

    def drop_clients(self):
        dropped = self.clients()
        for c in dropped:
            c.close()
        return len(dropped)

    # ---- requests ---------------------------------------------------------------------------------
    def handle(self, conn, request):
        rid, op, args = request.get("id"), request.get("op", ""), request.get("args") or {}
        after = None
        with self.lock:
            events = []
            try:
                if not (op == "hello" or op.startswith("ctl.") or conn.is_client):
                    raise BrokerError("not connected: call connect() first")
                result, events, after = self.dispatch(conn, op, args)
                reply = {"id": rid, "ok": True, "result": result}
            except BrokerError as e:
                reply = {"id": rid, "ok": False, "error": str(e)}
            except Exception as e:  # a bug here must not kill the server; the caller sees the text
                traceback.print_exc()
                reply = {"id": rid, "ok": False, "error": "{}: {}".format(type(e).__name__, e)}
            if op in ("order", "cancel") and self.broker.take_fault("push_before_response"):
                self.fanout(events)
                conn.enqueue(reply)
            else:
                conn.send(reply)
                self.fanout(events)
            self.maybe_save()
        if after:
            after()

    def fanout(self, events):
        delay = self.broker.delay_ms()
        account = self.broker.account_id
        for ev in events:
            if ev["to"] is not None:
                targets = [c for c in self.clients() if c.cid == ev["to"]]
            else:
                targets = [c for c in self.clients() if account in c.subscribed]
            if not targets:
                continue
            if self.broker.take_fault("drop_event"):
                self.dropped += 1
                continue
            push = {"push": ev["cb"], "data": ev["data"]}
            for c in targets:
                c.enqueue(push, delay)

    def dispatch(self, conn, op, a):
        """Returns (result, events, callable to run after the reply or None)."""
        b = self.broker
        mine = a.get("account_id") == b.account_id
        if op == "hello":
            session = a.get("session")
            if time.monotonic() < self.client_down_until:
                return -1, [], None
            if session in self.sessions_banned or any(c.session == session for c in self.clients()):
                return -1, [], None
            conn.session = session
            self.sessions_used.add(session)
            return 0, [], None
        if op == "subscribe":
            if not mine:
                return -1, [], None
            conn.subscribed.add(b.account_id)
            status = {"cb": "on_account_status", "to": conn.cid,
                      "data": {"account_id": b.account_id, "account_type": 2, "status": 0}}
            return 0, [status], None
        if op == "unsubscribe":
            conn.subscribed.discard(a.get("account_id"))
            return 0, [], None
        if op == "order":
            result, events = b.place(a, conn=conn.cid, seq=a.get("seq"))
            return result, events, None
        if op == "cancel":
            result, events = b.cancel(a, conn=conn.cid, seq=a.get("seq"))
            return result, events, None
        if op == "query_asset":
            return (b.asset_wire() if mine else None), [], None
        if op == "query_orders":
            return (b.orders(bool(a.get("cancelable_only"))) if mine else []), [], None
        if op == "query_order":
            return (b.order(a.get("order_id")) if mine else None), [], None
        if op == "query_trades":
            return (b.trades() if mine else []), [], None
        if op == "query_positions":
            return (b.positions() if mine else []), [], None
        if op == "query_position":
            return (b.position(a.get("stock_code")) if mine else None), [], None
        if op in ("query_account_status", "query_account_infos"):
            return [{"account_id": b.account_id, "account_type": 2, "status": 0}], [], None
        if op.startswith("ctl."):
            return self.control(op[4:], a)
        raise BrokerError("unknown op {!r}".format(op))

    def control(self, cmd, a):
        b = self.broker
        if cmd == "state":
            state = b.snapshot()
            state["clients"] = [{"session": c.session, "subscribed": sorted(c.subscribed)} for c in self.clients()]
            state["client_down"] = time.monotonic() < self.client_down_until
            state["dropped_pushes"] = self.dropped
            return state, [], None
        if cmd == "match":
            before = len(b.s["trades"])
            events = b.match_tick()
            return {"new_trades": len(b.s["trades"]) - before}, events, None
        if cmd == "price":
            return b.set_price(a["code"], a["price"]), [], None
        if cmd == "suspend":
            return b.suspend(a["code"], a["on"]), [], None
        if cmd == "next_day":
            events = b.next_day()
            return {"trade_date": b.s["trade_date"]}, events, None
        if cmd == "disconnect":
            return {"disconnected": self.drop_clients()}, [], None
        if cmd == "restart_client":
            down_ms = int(a.get("down_ms") or 0)
            self.client_down_until = time.monotonic() + down_ms / 1000.0
            if a.get("reject_reused_session"):
                self.sessions_banned |= self.sessions_used
            return {"disconnected": self.drop_clients(), "down_ms": down_ms}, [], None
        if cmd == "manual_order":
            side = str(a["side"]).upper()
            if side not in ("BUY", "SELL"):
                raise BrokerError("side must be BUY or SELL")
            order_id, events = b.place({"account_id": b.account_id, "stock_code": a["code"],
                                        "order_type": BUY if side == "BUY" else SELL,
                                        "order_volume": int(a["volume"]), "price_type": FIX_PRICE,
                                        "price": a["price"], "strategy_name": "", "order_remark": "",
                                        "manual": True})
            if order_id < 0:
                raise BrokerError("manual order refused")
            return {"order_id": order_id}, events, None
        if cmd == "fault":
            return b.set_fault(a["name"], a["value"]), [], None
        if cmd == "reset":
            b.reset()
            return {"reset": True}, [], None
        if cmd == "shutdown":
            return {"shutdown": True}, [], self.stop_event.set
        raise BrokerError("unknown ctl command {!r}".format(cmd))

    # ---- background matching -----------------------------------------------------------------------
    def ticker(self):
        interval = self.match_every_ms / 1000.0
        while not self.stop_event.wait(interval):
            with self.lock:
                events = self.broker.match_tick()
                self.fanout(events)
                self.maybe_save()

    def maybe_save(self):
        """Saves a changed state now, or (with save_every_ms) leaves it to the saver thread (lock held)."""
        if self.broker.dirty and self.save_every_ms <= 0:
            self.broker.save()

    def saver(self):
        interval = self.save_every_ms / 1000.0
        while not self.stop_event.wait(interval):
            with self.lock:
                if self.broker.dirty:
                    self.broker.save()


def serve(args):
    directory = os.path.abspath(args.dir)
    os.makedirs(directory, exist_ok=True)
    broker = Broker.open(directory, args.fixtures, args.account, args.cash, args.trade_date,
                         args.partial_fills, args.enforce_session)
    server = Server(directory, broker, args.match_every_ms, args.save_every_ms)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    server_file = os.path.join(directory, wire.SERVER_FILE)
    wire.write_json_atomic(server_file, {"port": port, "pid": os.getpid(), "account_id": broker.account_id})

    def stop(*_):
        server.stop_event.set()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if args.match_every_ms > 0:
        threading.Thread(target=server.ticker, name="ticker", daemon=True).start()
    if args.save_every_ms > 0:
        threading.Thread(target=server.saver, name="saver", daemon=True).start()
    print("fakextquant serving account {} on 127.0.0.1:{}".format(broker.account_id, port), flush=True)

    while not server.stop_event.is_set():
        try:
            sock, _ = listener.accept()
        except socket.timeout:
            continue
        except OSError:
            break
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(None)
        # A session that stops reading for 5 s is dropped instead of stalling every other one.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 5, 0))
        server.adopt(sock)

    listener.close()
    with server.lock:
        for c in list(server.conns.values()):
            c.close()
        broker.save()
    try:
        with open(server_file) as fh:
            if json.load(fh).get("pid") == os.getpid():
                os.remove(server_file)
    except (OSError, ValueError):
        pass
    sys.stdout.flush()
    return 0
