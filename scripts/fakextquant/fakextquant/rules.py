"""A-share board rules the fake counter enforces (shared/A_SHARE_RULES.md §1.1, §1.3; rules as of 2024-2026).

Every rate here is the fake broker's setting, not a market constant: the real values are dated and
differ per broker. Money is Decimal, rounded half-up to the cent.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0")

MAIN, CHINEXT, STAR, BSE = "MAIN", "CHINEXT", "STAR", "BSE"

# §1.1: daily limit band by board (ST bands are not modelled; give up_limit/down_limit in the fixture).
LIMIT_PCT = {MAIN: Decimal("0.10"), CHINEXT: Decimal("0.20"), STAR: Decimal("0.20"), BSE: Decimal("0.30")}
# §1.1: maximum shares in one limit order.
MAX_ORDER_VOLUME = {MAIN: 1000000, CHINEXT: 300000, STAR: 100000, BSE: 1000000}

# §1.3: commission 0.025 % (min 5 CNY per order), stamp duty 0.05 % on sells, transfer fee 0.001 %.
COMMISSION_RATE = Decimal("0.00025")
COMMISSION_MIN = Decimal("5")
STAMP_DUTY_RATE = Decimal("0.0005")
TRANSFER_FEE_RATE = Decimal("0.00001")


def cents(x):
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


def split_code(code):
    """'600000.SH' -> ('600000', 'SH'); raises ValueError on anything else."""
    parts = str(code).split(".")
    if len(parts) != 2 or len(parts[0]) != 6 or not parts[0].isdigit() or parts[1] not in ("SH", "SZ", "BJ"):
        raise ValueError("not a stock code: {!r}".format(code))
    return parts[0], parts[1]


def board(code):
    digits, exchange = split_code(code)
    if exchange == "BJ":
        return BSE
    if exchange == "SH" and digits[:3] in ("688", "689"):
        return STAR
    if exchange == "SZ" and digits[:3] in ("300", "301"):
        return CHINEXT
    return MAIN


def market_of(code):
    """xtconstant market enum: SH 0, SZ 1, BJ 70."""
    return {"SH": 0, "SZ": 1, "BJ": 70}[split_code(code)[1]]


def limit_prices(code, pre_close, pct=None):
    """§1.1: limit = round_half_up(pre_close × (1 ± pct), 2)."""
    pct = LIMIT_PCT[board(code)] if pct is None else Decimal(pct)
    pre = Decimal(pre_close)
    return cents(pre * (1 + pct)), cents(pre * (1 - pct))


def buy_volume_error(code, volume):
    """§1.1: main/ChiNext buy in multiples of 100; STAR at least 200 then +1; BSE at least 100 then +1."""
    b = board(code)
    if volume > MAX_ORDER_VOLUME[b]:
        return "委托数量超过单笔上限{} (max {} shares per order)".format(MAX_ORDER_VOLUME[b], MAX_ORDER_VOLUME[b])
    if b == STAR:
        return None if volume >= 200 else "科创板买入数量不得少于200股 (STAR buy below 200)"
    if b == BSE:
        return None if volume >= 100 else "北交所买入数量不得少于100股 (BSE buy below 100)"
    return None if volume % 100 == 0 else "买入数量必须为100股的整数倍 (buy not a multiple of 100)"


def sell_volume_error(code, volume, sellable):
    """§1.1: odd lots may only be sold, and the whole odd remainder goes in one order."""
    b = board(code)
    if volume > MAX_ORDER_VOLUME[b]:
        return "委托数量超过单笔上限{} (max {} shares per order)".format(MAX_ORDER_VOLUME[b], MAX_ORDER_VOLUME[b])
    if b in (STAR, BSE):
        lot = 200 if b == STAR else 100
        return None if volume >= lot or volume == sellable else \
            "零股须一次性卖出 (odd lot below {} must sell the whole remainder {})".format(lot, sellable)
    if volume % 100 == 0 or volume % 100 == sellable % 100:
        return None
    return "零股须一次性卖出 (odd part {} must be the whole odd remainder {})".format(volume % 100, sellable % 100)


def price_cage_error(code, is_buy, price, reference):
    """§1.1 price cage for continuous-auction limit orders: buy ≤ max(102 % ref, ref + 10 ticks),
    sell ≥ min(98 % ref, ref − 10 ticks); STAR has no 10-tick term. reference = last price."""
    ref = Decimal(reference)
    star = board(code) == STAR
    if is_buy:
        bound = ref * Decimal("1.02") if star else max(ref * Decimal("1.02"), ref + 10 * CENT)
        if price > bound:
            return "买入价格{}超出价格笼子上限{} (above the price cage)".format(price, cents(bound))
    else:
        bound = ref * Decimal("0.98") if star else min(ref * Decimal("0.98"), ref - 10 * CENT)
        if price < bound:
            return "卖出价格{}低于价格笼子下限{} (below the price cage)".format(price, cents(bound))
    return None


def configure_fees(fees):
    """The account's fee rates for the day, from the fixture's optional "fees" block (strings or numbers):
    commission_rate, min_commission, stamp_duty_rate (sells), transfer_fee_rate. Absent keys keep the defaults."""
    global COMMISSION_RATE, COMMISSION_MIN, STAMP_DUTY_RATE, TRANSFER_FEE_RATE
    if not fees:
        return
    COMMISSION_RATE = Decimal(str(fees.get("commission_rate", COMMISSION_RATE)))
    COMMISSION_MIN = Decimal(str(fees.get("min_commission", COMMISSION_MIN)))
    STAMP_DUTY_RATE = Decimal(str(fees.get("stamp_duty_rate", STAMP_DUTY_RATE)))
    TRANSFER_FEE_RATE = Decimal(str(fees.get("transfer_fee_rate", TRANSFER_FEE_RATE)))


def commission(amount):
    """Commission on an order's cumulative traded amount: max(rate × amount, 5), none before the first fill."""
    return ZERO if amount <= 0 else max(cents(amount * COMMISSION_RATE), COMMISSION_MIN)


def transfer_fee(amount):
    return cents(amount * TRANSFER_FEE_RATE)


def stamp_duty(amount):
    return cents(amount * STAMP_DUTY_RATE)


def fees(amount, is_buy):
    """Total fees on a cumulative amount. Each fill is charged fees(after) − fees(before), so the sum of
    the fills equals the fees on the whole order and the 5 CNY minimum is charged once per order."""
    total = commission(amount) + transfer_fee(amount)
    return total if is_buy else total + stamp_duty(amount)
