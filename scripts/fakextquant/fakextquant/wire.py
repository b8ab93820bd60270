"""The local RPC between the xtquant shim / ctl and the serve process: JSON lines over TCP on 127.0.0.1.

  request   {"id": 7, "op": "order", "args": {...}}
  response  {"id": 7, "ok": true, "result": ...}   or   {"id": 7, "ok": false, "error": "text"}
  push      {"push": "on_stock_order", "data": {...}}    (a callback for the session, in order)

The server announces itself in DIR/fakextquant.json {"port": ..., "pid": ...}, DIR being the path that
XtQuantTrader(path, session) gets (miniQMT's userdata_mini).
"""

import json
import os
import socket

SERVER_FILE = "fakextquant.json"


def server_port(directory):
    """The port in DIR/fakextquant.json, or None when no server has announced itself there."""
    try:
        with open(os.path.join(directory, SERVER_FILE)) as fh:
            return int(json.load(fh)["port"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_json_atomic(path, obj):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(obj, fh)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def encode(obj):
    return (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode("utf-8")


def connect(directory, timeout=5.0):
    """A socket to the server announced in DIR, or None."""
    port = server_port(directory)
    if port is None:
        return None
    try:
        return socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError:
        return None
