"""Python API of the ctl commands, for tests: ``Client(dir).match()`` is ``python3 -m fakextquant ctl --dir DIR match``."""

import json

from . import wire


class ControlError(Exception):
    pass


class Client(object):
    def __init__(self, directory, timeout=10.0):
        self.directory = directory
        self.timeout = timeout

    def call(self, cmd, **args):
        sock = wire.connect(self.directory, self.timeout)
        if sock is None:
            raise ControlError("no fakextquant server announced in {}".format(self.directory))
        try:
            sock.settimeout(self.timeout)
            sock.sendall(wire.encode({"id": 1, "op": "ctl." + cmd, "args": args}))
            line = sock.makefile("rb").readline()
        except OSError as e:
            raise ControlError("fakextquant server in {}: {}".format(self.directory, e))
        finally:
            sock.close()
        if not line:
            raise ControlError("fakextquant server in {} closed the connection".format(self.directory))
        reply = json.loads(line)
        if not reply.get("ok"):
            raise ControlError(reply.get("error") or "failed")
        return reply.get("result")

    def state(self):
        return self.call("state")

    def match(self):
        return self.call("match")

    def price(self, code, price):
        return self.call("price", code=code, price=str(price))

    def suspend(self, code, on=True):
        return self.call("suspend", code=code, on=bool(on))

    def next_day(self):
        return self.call("next_day")

    def disconnect(self):
        return self.call("disconnect")

    def restart_client(self, down_ms=0, reject_reused_session=False):
        return self.call("restart_client", down_ms=down_ms, reject_reused_session=reject_reused_session)

    def manual_order(self, code, side, volume, price):
        return self.call("manual_order", code=code, side=side, volume=int(volume), price=str(price))

    def fault(self, name, value):
        """value: 'on', 'off' or a number (the next N uses; milliseconds for delay)."""
        return self.call("fault", name=name, value=str(value))

    def reset(self):
        return self.call("reset")

    def shutdown(self):
        return self.call("shutdown")
