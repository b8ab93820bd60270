"""xtquant data structures (same class names, constructor arguments and attributes as xtquant's xttype.py).

Pushed and queried objects in the real client are native objects with these attribute names; here they
are instances of these classes. Prices and money are floats, volumes ints, order_id an int, order_sysid
and traded_id strings, order_time / traded_time Unix seconds, as xtquant has them.
"""

from . import xtconstant as _C


class StockAccount(object):
    """A capital account; account_type 'STOCK' (2), 'CREDIT' (3), ..."""

    def __new__(cls, account_id, account_type="STOCK"):
        if not isinstance(account_id, str):
            # xtquant returns an error string here instead of raising; keep that quirk.
            return "资金账号必须为字符串类型"
        return super(StockAccount, cls).__new__(cls)

    def __init__(self, account_id, account_type="STOCK"):
        wanted = account_type.upper()
        for number, name in _C.ACCOUNT_TYPE_DICT.items():
            if name == wanted:
                self.account_type = number
                self.account_id = account_id
                return
        raise Exception("不支持的账号类型：{}！".format(account_type))

    def __repr__(self):
        return "StockAccount({!r}, {})".format(self.account_id, self.account_type)


class _Record(object):
    """repr/eq for tests and logs; xtquant's own objects have neither."""

    def __repr__(self):
        return "{}({})".format(type(self).__name__, ", ".join(
            "{}={!r}".format(k, v) for k, v in sorted(vars(self).items())))


class XtAsset(_Record):
    def __init__(self, account_id, cash, frozen_cash, market_value, total_asset):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.cash = cash
        self.frozen_cash = frozen_cash
        self.market_value = market_value
        self.total_asset = total_asset


class XtOrder(_Record):
    def __init__(self, account_id, stock_code, order_id, order_sysid, order_time, order_type,
                 order_volume, price_type, price, traded_volume, traded_price, order_status,
                 status_msg, strategy_name, order_remark, direction, offset_flag, stock_code1=None):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.stock_code = stock_code
        self.order_id = order_id
        self.order_sysid = order_sysid
        self.order_time = order_time
        self.order_type = order_type
        self.order_volume = order_volume
        self.price_type = price_type
        self.price = price
        self.traded_volume = traded_volume
        self.traded_price = traded_price
        self.order_status = order_status
        self.status_msg = status_msg
        self.strategy_name = strategy_name
        self.order_remark = order_remark
        self.direction = direction
        self.offset_flag = offset_flag
        self.stock_code1 = stock_code if stock_code1 is None else stock_code1


class XtTrade(_Record):
    def __init__(self, account_id, stock_code, order_type, traded_id, traded_time, traded_price,
                 traded_volume, traded_amount, order_id, order_sysid, strategy_name, order_remark,
                 direction, offset_flag, stock_code1=None, commission=0.0):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_type = order_type
        self.stock_code = stock_code
        self.traded_id = traded_id
        self.traded_time = traded_time
        self.traded_price = traded_price
        self.traded_volume = traded_volume
        self.traded_amount = traded_amount
        self.order_id = order_id
        self.order_sysid = order_sysid
        self.strategy_name = strategy_name
        self.order_remark = order_remark
        self.direction = direction
        self.offset_flag = offset_flag
        self.stock_code1 = stock_code if stock_code1 is None else stock_code1
        self.commission = commission


class XtPosition(_Record):
    def __init__(self, account_id, stock_code, volume, can_use_volume, open_price, market_value,
                 frozen_volume, on_road_volume, yesterday_volume, avg_price, direction,
                 stock_code1=None):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.stock_code = stock_code
        self.volume = volume
        self.can_use_volume = can_use_volume
        self.open_price = open_price
        self.market_value = market_value
        self.frozen_volume = frozen_volume
        self.on_road_volume = on_road_volume
        self.yesterday_volume = yesterday_volume
        self.avg_price = avg_price
        self.direction = direction
        self.stock_code1 = stock_code if stock_code1 is None else stock_code1


class XtOrderError(_Record):
    def __init__(self, account_id, order_id, error_id=None, error_msg=None, strategy_name=None,
                 order_remark=None):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_id = order_id
        self.error_id = error_id
        self.error_msg = error_msg
        self.strategy_name = strategy_name
        self.order_remark = order_remark


class XtCancelError(_Record):
    def __init__(self, account_id, order_id, market, order_sysid, error_id=None, error_msg=None):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_id = order_id
        self.market = market
        self.order_sysid = order_sysid
        self.error_id = error_id
        self.error_msg = error_msg


class XtOrderResponse(_Record):
    def __init__(self, account_id, order_id, strategy_name, order_remark, error_msg, seq):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.order_id = order_id
        self.strategy_name = strategy_name
        self.order_remark = order_remark
        self.error_msg = error_msg
        self.seq = seq


class XtCancelOrderResponse(_Record):
    def __init__(self, account_id, cancel_result, order_id, order_sysid, seq, error_msg):
        self.account_type = _C.SECURITY_ACCOUNT
        self.account_id = account_id
        self.cancel_result = cancel_result
        self.order_id = order_id
        self.order_sysid = order_sysid
        self.seq = seq
        self.error_msg = error_msg


class XtAccountStatus(_Record):
    def __init__(self, account_id, account_type, status):
        self.account_type = account_type
        self.account_id = account_id
        self.status = status


class XtAccountInfo(_Record):
    """Row of query_account_infos(); newer xtquant builds carry more fields."""

    def __init__(self, account_id, account_type, login_status, broker_type=2, platform_id=0,
                 account_classification=0):
        self.account_type = account_type
        self.account_id = account_id
        self.broker_type = broker_type
        self.platform_id = platform_id
        self.account_classification = account_classification
        self.login_status = login_status


class XtSmtAppointmentResponse(_Record):
    def __init__(self, seq, success, msg, apply_id):
        self.seq = seq
        self.success = success
        self.msg = msg
        self.apply_id = apply_id
