"""CLI: ``python3 -m fakextquant serve ...`` and ``python3 -m fakextquant ctl --dir DIR CMD [ARGS]``."""

import argparse
import json
import sys

from .control import Client, ControlError


def on_off(text):
    if text.lower() not in ("on", "off"):
        raise argparse.ArgumentTypeError("on or off")
    return text.lower() == "on"


def parser():
    p = argparse.ArgumentParser(prog="python3 -m fakextquant")
    sub = p.add_subparsers(dest="command")
    sub.required = True

    s = sub.add_parser("serve", help="run the fake miniQMT client + broker counter")
    s.add_argument("--dir", required=True, help="plays userdata_mini: XtQuantTrader(path=DIR) finds the server here")
    s.add_argument("--fixtures", required=True, help="JSON: trade_date, symbols, optional positions")
    s.add_argument("--account", default="8886660001")
    s.add_argument("--cash", default="1000000")
    s.add_argument("--match-every-ms", type=int, default=0, help="background matching tick; 0: only ctl match")
    s.add_argument("--save-every-ms", type=int, default=0,
                   help="0: rewrite the state file after every change (default); N: at most every N ms (benchmarks)")
    s.add_argument("--partial-fills", type=int, default=1, help="trades per order (one per tick)")
    s.add_argument("--trade-date", default=None, help="YYYY-MM-DD; default the fixture's trade_date")
    g = s.add_mutually_exclusive_group()
    g.add_argument("--enforce-session", dest="enforce_session", action="store_true",
                   help="reject orders outside 09:15-11:30 / 13:00-15:00 Beijing time")
    g.add_argument("--ignore-session", dest="enforce_session", action="store_false", help="(default)")
    s.set_defaults(enforce_session=False)

    c = sub.add_parser("ctl", help="drive a running server; prints JSON")
    c.add_argument("--dir", required=True)
    cs = c.add_subparsers(dest="cmd")
    cs.required = True
    for name in ("state", "match", "next-day", "disconnect", "reset", "shutdown"):
        cs.add_parser(name)
    x = cs.add_parser("price")
    x.add_argument("code")
    x.add_argument("price")
    x = cs.add_parser("suspend")
    x.add_argument("code")
    x.add_argument("on", type=on_off)
    x = cs.add_parser("restart-client")
    x.add_argument("--down-ms", type=int, default=0)
    x.add_argument("--reject-reused-session", action="store_true")
    x = cs.add_parser("manual-order")
    x.add_argument("code")
    x.add_argument("side", type=str.upper, choices=("BUY", "SELL"))
    x.add_argument("volume", type=int)
    x.add_argument("price")
    x = cs.add_parser("fault")
    x.add_argument("name")
    x.add_argument("value", help="on | off | N (next N uses; milliseconds for delay)")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "serve":
        from .server import serve
        return serve(args)
    client = Client(args.dir)
    try:
        if args.cmd == "price":
            out = client.price(args.code, args.price)
        elif args.cmd == "suspend":
            out = client.suspend(args.code, args.on)
        elif args.cmd == "restart-client":
            out = client.restart_client(args.down_ms, args.reject_reused_session)
        elif args.cmd == "manual-order":
            out = client.manual_order(args.code, args.side, args.volume, args.price)
        elif args.cmd == "fault":
            out = client.fault(args.name, args.value)
        else:
            out = client.call(args.cmd.replace("-", "_"))
    except ControlError as e:
        print("fakextquant ctl {}: {}".format(args.cmd, e), file=sys.stderr)
        return 1
    print(json.dumps(out, indent=1, sort_keys=True, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
