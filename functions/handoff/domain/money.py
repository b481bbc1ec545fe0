"""Money: ISO 4217 currencies, Decimal amounts at the currency's minor unit, and `Money`, the one
type that carries an amount with its currency (fee terms, small-claims ceilings, letters).

Where a whole model is in one currency (a case, a claim, a ledger), its amounts are plain
`Decimal`s next to one `currency` field; `Money` is for an amount that travels on its own.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Annotated

import iso4217
import pycountry
from pydantic import Field, ValidationInfo, field_validator

from handoff.domain.models import Strict

# Currencies printed with a symbol; every other currency is printed with its ISO code ("CHF 1,250.00").
_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


class CurrencyError(ValueError):
    """Not an ISO 4217 currency code."""


class AmountScaleError(ValueError):
    """An amount carries more decimals than its currency's minor unit allows."""


@cache
def minor_unit(currency: str) -> int:
    """Number of decimals of the currency's minor unit (JPY 0, GBP 2, BHD 3)."""
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


def format_amount(amount: Decimal, currency: str) -> str:
    """`£1,250.00`, `-€40.00`, `JPY 120,000`, `CHF 1,250.00` (thousands separated, currency's decimals)."""
    places = minor_unit(currency)
    digits = f"{abs(amount):,.{places}f}"
    sign = "-" if amount < 0 else ""
    symbol = _SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{currency} {digits}"


class Money(Strict):
    """An amount in an ISO 4217 currency, exact at the currency's minor unit (never rounded)."""

    # The package's one money type. `str(money)` and `money.text` print it (`£1,250.00`, `CHF 1,250.00`),
    # so a letter template writes `{{ total }}`.

    currency: Annotated[str, Field(min_length=3, max_length=3, description="ISO 4217, e.g. GBP")]
    amount: Annotated[
        Decimal, Field(max_digits=18, description="Decimal string at the currency's minor unit")
    ]

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, code: str) -> str:
        try:
            minor_unit(code)
        except CurrencyError as exc:
            raise ValueError(str(exc)) from exc
        return code

    @field_validator("amount")
    @classmethod
    def _scale(cls, amount: Decimal, info: ValidationInfo) -> Decimal | None:
        return at_scale_or_value_error(amount, info.data.get("currency"))

    @classmethod
    def of(cls, amount: Decimal | str | int, currency: str) -> Money:
        """At the currency's minor unit; `AmountScaleError` for an amount that would need rounding."""
        return cls(currency=currency, amount=exact(Decimal(amount), currency))

    @property
    def text(self) -> str:
        return format_amount(self.amount, self.currency)

    def __str__(self) -> str:
        return self.text
