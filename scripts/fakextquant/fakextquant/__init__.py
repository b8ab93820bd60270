"""fakextquant: a fake miniQMT client + broker counter for Linux tests of code written against xtquant.

  python3 -m fakextquant serve --dir DIR --fixtures FILE [...]   the broker, its own process
  python3 -m fakextquant ctl --dir DIR CMD [ARGS]                 drive it (JSON out, exit 0/1)
  PYTHONPATH=scripts/fakextquant python3 your_bridge.py           `import xtquant` finds the shim

See scripts/fakextquant/README.md.
"""
