"""Tests of the PTrade hand-off template (scripts/ptrade_strategy.py) against the PTrade simulator (ptrade_sim.py).

Run from the repository root: python3 -m unittest discover -s scripts/tests -v
"""

import ast
import hashlib
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(os.path.dirname(HERE), 'ptrade_strategy.py')
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

from ptrade_sim import Simulator  # noqa: E402

DATE = '20240105'
PRICES = {'600000.SS': 10.0, '000001.SZ': 12.5, '600519.SS': 20.0, '000002.SZ': 8.0, '688001.SS': 30.0,
          '688002.SS': 40.0, '300750.SZ': 15.0}


def canonical(positions):
    return json.dumps(positions, sort_keys=True, separators=(',', ':')).encode('utf-8')


def write_targets(root, positions, version=1, date=DATE, ok=True, tamper=None, unlisted='hold'):
    doc = {'schema': 'ashare.targets/1', 'account': 'GJ-TEST', 'strategy': 's', 'trade_date': date, 'version': version,
           'generated_at': '2024-01-05T08:50:00+08:00', 'mode': 'shares', 'sell_first': True, 'unlisted': unlisted,
           'positions': positions, 'sha256': hashlib.sha256(canonical(positions)).hexdigest()}
    if tamper:
        tamper(doc)
    base = os.path.join(root, 'targets_%s_v%d' % (date, version))
    with open(base + '.json', 'w') as f:
        json.dump(doc, f)
    if ok:
        with open(base + '.ok', 'w') as f:
            f.write(doc['sha256'])
    return doc


def read(root, name):
    with open(os.path.join(root, name)) as f:
        return json.load(f)


class TemplateSyntaxTests(unittest.TestCase):
    """What PTrade's Python 3.5 sandbox takes: no f-strings, no variable annotations, no async, only json and hashlib."""

    def setUp(self):
        with open(TEMPLATE) as f:
            self.tree = ast.parse(f.read(), TEMPLATE)

    def test_python_35_syntax_only(self):
        for node in ast.walk(self.tree):
            self.assertNotIsInstance(node, ast.JoinedStr, 'f-string at line %s' % getattr(node, 'lineno', '?'))
            self.assertNotIsInstance(node, ast.AnnAssign, 'variable annotation at line %s' % getattr(node, 'lineno', '?'))
            self.assertNotIsInstance(node, (ast.AsyncFunctionDef, ast.Await), 'async at line %s' % getattr(node, 'lineno', '?'))
            if isinstance(node, ast.FunctionDef):
                self.assertIsNone(node.returns, 'return annotation on %s' % node.name)
                for arg in node.args.args:
                    self.assertIsNone(arg.annotation, 'argument annotation on %s' % node.name)

    def test_imports_only_json_and_hashlib(self):
        names = set()
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                names.add(node.module)
        self.assertEqual({'json', 'hashlib'}, names)

    def test_the_lifecycle_functions_exist(self):
        defined = {n.name for n in self.tree.body if isinstance(n, ast.FunctionDef)}
        self.assertTrue({'initialize', 'handle_data', 'after_trading_end'} <= defined)


class TemplateAgainstSimulatorTests(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix='ptrade-research-')

    def tearDown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def sim(self, positions, cash=1000000, fill_ratio=None, open_orders=0):
        return Simulator(self.root, DATE, cash, positions, PRICES, fill_ratio, open_orders)

    def test_trades_the_differences_sells_first_t1_and_lots(self):
        write_targets(self.root, [
            {'code': '600000.SS', 'target': 0},        # held 1000, all sellable: sell 1000
            {'code': '000001.SZ', 'target': 0},        # held 500, 300 sellable (200 bought yesterday... today): sell 300
            {'code': '600519.SS', 'target': 500},      # held 300: buy 200
            {'code': '000002.SZ', 'target': 250},      # new: buy 200 (lot), 50 skipped
            {'code': '688001.SS', 'target': 450},      # STAR: buy 450 (200 then 1-share steps)
            {'code': '688002.SS', 'target': 150},      # STAR: below 200, nothing
            {'code': '300750.SZ', 'target': 1050},     # held 1050: unchanged
        ])
        sim = self.sim({'600000.SS': [1000, 1000], '000001.SZ': [500, 300], '600519.SS': [300, 300], '300750.SZ': [1050, 1050]})
        sim.run_day(TEMPLATE)

        self.assertEqual([], sim.refused)
        sides = ['sell' if o.amount < 0 else 'buy' for o in sim.orders]
        self.assertEqual(['sell', 'sell', 'buy', 'buy', 'buy'], sides, 'sells first')
        got = dict((o.security, o.amount) for o in sim.orders)
        self.assertEqual({'600000.SS': -1000, '000001.SZ': -300, '600519.SS': 200, '000002.SZ': 200, '688001.SS': 450}, got)
        acct = sim.account()['positions']
        self.assertEqual({'000001.SZ': [200, 0], '000002.SZ': [200, 0], '300750.SZ': [1050, 1050], '600519.SS': [500, 300],
                          '688001.SS': [450, 0]}, acct)

        ack = read(self.root, 'ack_%s_v1.json' % DATE)
        self.assertEqual(('applied', 1, 'ashare.ack/1'), (ack['status'], ack['version'], ack['schema']))
        self.assertEqual(5, len(ack['orders']))
        skipped = dict((s['code'], s['shares']) for s in ack['skipped'])
        self.assertEqual({'000001.SZ': 200, '000002.SZ': 50, '688002.SS': 150}, skipped)
        fills = read(self.root, 'fills_%s_v1.json' % DATE)
        self.assertEqual(ack['sha256'], fills['sha256'])
        self.assertEqual(5, len(fills['fills']))
        self.assertEqual({'sell', 'buy'}, {f['side'] for f in fills['fills']})
        self.assertEqual(1000, [f for f in fills['fills'] if f['code'] == '600000.SS'][0]['amount'])

    def test_a_checksum_mismatch_is_refused_and_nothing_traded(self):
        write_targets(self.root, [{'code': '600000.SS', 'target': 100}],
                      tamper=lambda d: d['positions'].append({'code': '000001.SZ', 'target': 100}))
        sim = self.sim({}).run_day(TEMPLATE)
        self.assertEqual([], sim.orders)
        ack = read(self.root, 'ack_%s_v1.json' % DATE)
        self.assertEqual('refused', ack['status'])
        self.assertIn('checksum mismatch', ack['reason'])
        self.assertTrue(any(level == 'ERROR' and 'checksum mismatch' in msg for level, msg in sim.log.lines))
        self.assertFalse(os.path.exists(os.path.join(self.root, 'fills_%s_v1.json' % DATE)))

    def test_wrong_date_or_version_is_refused(self):
        write_targets(self.root, [{'code': '600000.SS', 'target': 100}], tamper=lambda d: d.update(version=7))
        sim = self.sim({}).run_day(TEMPLATE)
        self.assertEqual([], sim.orders)
        self.assertIn('does not match the file name', read(self.root, 'ack_%s_v1.json' % DATE)['reason'])

    def test_newest_version_with_its_marker_wins_and_is_applied_once(self):
        write_targets(self.root, [{'code': '600000.SS', 'target': 100}], version=1)
        write_targets(self.root, [{'code': '600000.SS', 'target': 300}], version=2)
        write_targets(self.root, [{'code': '600000.SS', 'target': 900}], version=3, ok=False)   # still uploading
        sim = self.sim({}).run_day(TEMPLATE)
        self.assertEqual([('600000.SS', 300)], [(o.security, o.amount) for o in sim.orders])
        self.assertEqual(2, read(self.root, 'ack_%s_v2.json' % DATE)['version'])
        # A restart the same day (initialize again): the applied version is not traded again.
        again = self.sim({'600000.SS': [300, 0]}).run_day(TEMPLATE)
        self.assertEqual([], again.orders)

    def test_open_orders_postpone_the_rebalance(self):
        write_targets(self.root, [{'code': '600000.SS', 'target': 100}])
        sim = self.sim({}, open_orders=1).run_day(TEMPLATE)
        self.assertEqual([], sim.orders)
        self.assertFalse(os.path.exists(os.path.join(self.root, 'ack_%s_v1.json' % DATE)))

    def test_partial_fills_are_reported_as_filled(self):
        write_targets(self.root, [{'code': '600000.SS', 'target': 1000}])
        sim = self.sim({}, fill_ratio={'600000.SS': 0.5}).run_day(TEMPLATE)
        fills = read(self.root, 'fills_%s_v1.json' % DATE)['fills']
        self.assertEqual([500], [f['amount'] for f in fills])
        self.assertEqual({'600000.SS': [500, 0]}, sim.account()['positions'])

    def test_the_simulator_refuses_what_a_counter_refuses(self):
        sim = self.sim({'600000.SS': [500, 200]})
        sim.context.blotter.current_dt = __import__('datetime').datetime(2024, 1, 5, 9, 35)
        self.assertIsNone(sim.order('600000.SS', -300))      # T+1
        self.assertIsNone(sim.order('000001.SZ', 150))       # not a lot
        self.assertIsNone(sim.order('688001.SS', 100))       # STAR below 200
        self.assertIsNotNone(sim.order('688001.SS', 201))
        self.assertIsNone(sim.order('600000.SS', -150))      # odd lot, not the whole position
        self.assertEqual(5, len(sim.refused) + len(sim.orders))


if __name__ == '__main__':
    unittest.main()
