"""A Linux stand-in for Huatai miniQMT's ``xtquant`` trading package (fakextquant).

Put ``scripts/fakextquant`` on ``PYTHONPATH`` and ``from xtquant import xttrader, xttype, xtconstant``
works as it does on the Windows box; the trader talks to a ``python3 -m fakextquant serve`` process
(see scripts/fakextquant/README.md) instead of a running miniQMT client.
"""

__version__ = "fakextquant-1"
