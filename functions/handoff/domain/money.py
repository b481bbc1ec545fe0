"""Money: ISO 4217 currencies and Decimal amounts at the currency's minor unit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache


class CurrencyError(ValueError):
    """Not an ISO 4217 currency code."""


class AmountScaleError(ValueError):
    """An amount carries more decimals than its currency's minor unit allows."""


@cache
def minor_unit(currency: str) -> int:
    """Number of decimals of the currency's minor unit (JPY 0, GBP 2, BHD 3)."""
    import iso4217  # parses its XML table at import: loaded at the first amount, not at cold start
    import pycountry

    if pycountry.currencies.get(alpha_3=currency) is None:
        raise CurrencyError(f"{currency!r} is not an ISO 4217 currency code")
    try:
        exponent = iso4217.Currency(currency).exponent
    except ValueError as exc:
        raise CurrencyError(f"{currency!r} is not an ISO 4217 currency code") from exc
    if exponent is None:
        raise CurrencyError(f"{currency} has no minor unit and cannot carry amounts")
    return int(exponent)


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-minor_unit(currency))


def exact(amount: Decimal, currency: str) -> Decimal:
    """Return the amount at the currency's scale; refuse one that would need rounding."""
    q = quantum(currency)
    scaled = amount.quantize(q)
    if scaled != amount:
        raise AmountScaleError(f"{amount} has more decimals than {currency} allows ({minor_unit(currency)})")
    return scaled


def rounded(amount: Decimal, currency: str) -> Decimal:
    """Round a computed amount (interest, fees) half-up to the currency's minor unit."""
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def zero(currency: str) -> Decimal:
    return Decimal(0).quantize(quantum(currency))


def at_scale_or_value_error(amount: Decimal | None, currency: str | None) -> Decimal | None:
    """`exact` for pydantic validators: a too-precise amount becomes a ValueError naming the currency.

    Left as it is when the amount or the currency is missing (the currency's own error reports it).
    """
    if amount is None or currency is None:
        return amount
    try:
        return exact(amount, currency)
    except AmountScaleError as exc:
        raise ValueError(str(exc)) from exc
