"""A small client of the bridge wire (src/Trading.Brokers.Bridge, scripts/qmt_bridge.py) for tests.

One reader thread takes every line: answers go to their request by id, events and heartbeats are kept in
order, an auth_error is remembered. With a secret it waits for the bridge's nonce line and signs every line
(HMAC-SHA256 over nonce|c2b|n|json), and checks the bridge's signatures (b2c).
"""

import hashlib
import hmac
import itertools
import json
import queue
import socket
import threading
import time
from datetime import datetime


def mac_of(secret, nonce, direction, n, text):
    return hmac.new(secret, "{}|{}|{}|".format(nonce, direction, n).encode("utf-8") + text.encode("utf-8"),
                    hashlib.sha256).hexdigest()


class WireError(Exception):
    def __init__(self, code, msg):
        Exception.__init__(self, "{}: {}".format(code, msg))
        self.code = code
        self.msg = msg


class WireClient(object):
    def __init__(self, host, port, secret=None, heartbeat=True, timeout=10.0):
        self.secret = secret.encode("utf-8") if isinstance(secret, str) else secret
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.settimeout(None)
        self.file = self.sock.makefile("rb")
        self.timeout = timeout
        self.nonce = None
        self.sent = 0
        self.heard = 0
        self.ids = itertools.count(1)
        self.answers = {}
        self.cv = threading.Condition()
        self.events = []          # evt frames in arrival order
        self.heartbeats = []
        self.auth_error = None
        self.unsigned_first = None
        self.bad_signatures = 0
        self.closed = threading.Event()
        self.wlock = threading.Lock()
        if self.secret is not None:
            line = self.file.readline()
            first = json.loads(line)
            if first.get("kind") != "auth":
                raise AssertionError("expected the auth line, got {!r}".format(line))
            self.nonce = first["nonce"]
        threading.Thread(target=self._reader, daemon=True).start()
        if heartbeat:
            threading.Thread(target=self._heartbeats, daemon=True).start()

    # ---- writing ----

    def send_frame(self, frame):
        text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        with self.wlock:
            if self.secret is not None:
                text = mac_of(self.secret, self.nonce, "c2b", self.sent, text) + " " + text
                self.sent += 1
            self.sock.sendall((text + "\n").encode("utf-8"))

    def send_raw(self, data):
        with self.wlock:
            self.sock.sendall(data)

    def _heartbeats(self):
        while not self.closed.wait(1.0):
            try:
                self.send_frame({"v": 1, "kind": "hb", "ts": datetime.now().astimezone().isoformat()})
            except OSError:
                return

    # ---- reading ----

    def _reader(self):
        try:
            for raw in self.file:
                text = raw.decode("utf-8").rstrip("\n")
                if not text.strip():
                    continue
                if text.startswith("{"):
                    frame = json.loads(text)
                    if frame.get("kind") == "auth_error":
                        with self.cv:
                            self.auth_error = frame
                            self.cv.notify_all()
                        continue
                    if self.secret is not None:
                        self.bad_signatures += 1
                        continue
                else:
                    if self.secret is None:
                        self.bad_signatures += 1
                        continue
                    mac, body = text[:64], text[65:]
                    if not hmac.compare_digest(mac, mac_of(self.secret, self.nonce, "b2c", self.heard, body)):
                        self.bad_signatures += 1
                        continue
                    self.heard += 1
                    frame = json.loads(body)
                with self.cv:
                    kind = frame.get("kind")
                    if kind == "resp":
                        self.answers[frame.get("id")] = frame
                    elif kind == "evt":
                        self.events.append(frame)
                    elif kind == "hb":
                        self.heartbeats.append(frame)
                    self.cv.notify_all()
        except (OSError, ValueError):
            pass
        finally:
            self.closed.set()
            with self.cv:
                self.cv.notify_all()

    # ---- requests ----

    def request(self, op, payload=None, timeout=None):
        """The answer frame (ok or not)."""
        rid = "r{}".format(next(self.ids))
        self.send_frame({"v": 1, "kind": "req", "id": rid, "op": op,
                         "ts": datetime.now().astimezone().isoformat(), "payload": payload if payload is not None else {}})
        deadline = time.monotonic() + (timeout or self.timeout)
        with self.cv:
            while rid not in self.answers:
                left = deadline - time.monotonic()
                if left <= 0 or self.closed.is_set():
                    raise TimeoutError("no answer to {} ({})".format(op, "closed" if self.closed.is_set() else "timeout"))
                self.cv.wait(min(left, 0.2))
            return self.answers.pop(rid)

    def call(self, op, payload=None, timeout=None):
        """The answer's payload; WireError when refused."""
        a = self.request(op, payload, timeout)
        if not a.get("ok"):
            raise WireError(a["err"]["code"], a["err"]["msg"])
        return a.get("payload")

    def hello(self, account, resume=None, client="wire-client"):
        payload = {"client": client, "account": account}
        if resume is not None:
            payload["resume"] = {"epoch": resume[0], "seq": resume[1]}
        return self.call("hello", payload)

    def place(self, coid, code, side, volume, price, trade_date, epoch=1, price_type="FIX", strategy="test",
              reason="test"):
        return self.call("place_order", {
            "client_order_id": coid, "stock_code": code, "side": side, "volume": volume, "price_type": price_type,
            "price": str(price), "trade_date": trade_date, "strategy_name": strategy, "reason": reason,
            "epoch": epoch})

    # ---- events ----

    def wait_event(self, pred, timeout=5.0, start=0):
        """The first event from index start on that matches pred."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                for e in self.events[start:]:
                    if pred(e):
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no matching event; have {}".format(
                        [(e.get("op"), e.get("seq"), (e.get("payload") or {}).get("client_order_id")) for e in self.events]))
                self.cv.wait(min(left, 0.2))

    def wait_report(self, op, coid, timeout=5.0, start=0):
        return self.wait_event(lambda e: e.get("op") == op and e["payload"].get("client_order_id") == coid,
                               timeout, start)

    def reports(self, coid=None, op=None):
        with self.cv:
            return [e for e in self.events if e.get("op") != "connection"
                    and (coid is None or e["payload"].get("client_order_id") == coid)
                    and (op is None or e.get("op") == op)]

    def wait_closed(self, timeout=5.0):
        return self.closed.wait(timeout)

    def close(self):
        self.closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
