"""Partners: the collection agencies and attorneys a case can be handed to (DESIGN.md §4).

A partner declares what it takes on: its type, the jurisdictions it serves, an amount band
per currency, the debt types it handles, its capacity and its fee terms. Routing
(`domain.routing`) reads these declarations; nothing here decides anything.

Conventions, chosen once and tested at their edges:

* **Jurisdiction patterns.** `*` serves everywhere. A country code (`GB`, `US`) serves the
  country *and every subdivision in it* (`GB` serves `GB-ENG`). `US-*` serves any subdivision
  of the US but not a debtor known only as `US` (nor `USA`). An exact subdivision (`US-CA`)
  serves only itself. Codes are upper-case ISO 3166-1 alpha-2 / ISO 3166-2; patterns are
  upper-cased and validated on input.
* **Amount bands are half-open, `[min, max)`:** `min` inclusive, `max` exclusive, so adjacent
  bands (0 to 10000, 10000 to 50000) chain without overlap or gap. `max` may be omitted (no upper
  limit). One band per currency; amounts are exact at the currency's minor unit.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Self

import pycountry
from pydantic import (
    AfterValidator,
    BeforeValidator,
    EmailStr,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from handoff.domain.models import CurrencyCode, ShortText, Strict
from handoff.domain.money import Money, at_scale_or_value_error


class PartnerType(StrEnum):
    agency = "agency"
    attorney = "attorney"


class PartnerStatus(StrEnum):
    active = "active"
    suspended = "suspended"


class DebtType(StrEnum):
    """What the debt arises from; partners say which kinds they take."""

    commercial = "commercial"  # general trade credit between businesses
    b2b_services = "b2b_services"
    goods = "goods"
    construction = "construction"
    rent = "rent"


ANY_JURISDICTION = "*"


def jurisdiction_matches(pattern: str, code: str) -> bool:
    """Whether a partner's jurisdiction `pattern` covers a debtor located at `code`.

    `*` covers everything; `US-*` covers `US-CA` but not `US` or `USA`; `GB` covers `GB` and
    `GB-ENG`; `US-CA` covers only `US-CA`. Both arguments are upper-case ISO codes.
    """
    if pattern == ANY_JURISDICTION:
        return True
    if pattern.endswith("-*"):  # "US-*": a subdivision of that country, never the country itself
        prefix = pattern[:-1]
        return len(code) > len(prefix) and code.startswith(prefix)
    if len(pattern) == 2:  # a country covers its subdivisions
        return code == pattern or (code.startswith(pattern) and code[2:3] == "-")
    return code == pattern


def patterns_covering(code: str) -> frozenset[str]:
    """Every pattern that `jurisdiction_matches` accepts for `code`: one set test per partner.

    `US-TX` is covered by `*`, `US`, `US-*` and `US-TX`; `US` only by `*` and `US`.
    """
    country, dash, _ = code.partition("-")
    if not dash:
        return frozenset({ANY_JURISDICTION, code})
    return frozenset({ANY_JURISDICTION, country, f"{country}-*", code})


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _jurisdiction_pattern(pattern: str) -> str:
    if pattern == ANY_JURISDICTION:
        return pattern
    country = pattern[:-2] if pattern.endswith("-*") else pattern.split("-", 1)[0]
    if len(country) != 2 or pycountry.countries.get(alpha_2=country) is None:
        raise ValueError(f"{pattern!r}: {country!r} is not an ISO 3166-1 alpha-2 country code")
    if "-" in pattern and not pattern.endswith("-*") and pycountry.subdivisions.get(code=pattern) is None:
        raise ValueError(f"{pattern!r} is not an ISO 3166-2 subdivision code")
    return pattern


JurisdictionPattern = Annotated[
    str,
    BeforeValidator(_upper),
    Field(
        min_length=1,
        max_length=6,
        pattern=r"^(\*|[A-Z]{2}(-(\*|[A-Z0-9]{1,3}))?)$",
        description="`*` (anywhere), a country (`GB`, also covers its subdivisions), "
        "`US-*` (any US subdivision) or an exact subdivision (`US-CA`)",
        # the before-validator hides `pattern` from the input schema; input may be lower case
        json_schema_extra={"pattern": r"^(\*|[A-Za-z]{2}(-(\*|[A-Za-z0-9]{1,3}))?)$"},
    ),
    AfterValidator(_jurisdiction_pattern),
]
"""A validated, upper-case jurisdiction pattern."""

Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=7, decimal_places=4)]
PartnerId = Annotated[
    str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", description="Partner identifier")
]


_at_scale = at_scale_or_value_error


class AmountBand(Strict):
    """The amounts a partner takes in one currency: `min <= amount < max` (max exclusive)."""

    currency: CurrencyCode
    min: Annotated[
        Decimal, Field(ge=0, max_digits=18, description="Smallest principal taken (inclusive)")
    ] = Decimal(0)
    max: Annotated[
        Decimal | None,
        Field(gt=0, max_digits=18, description="Principal must be below this (exclusive); null = no limit"),
    ] = None

    @field_validator("min", "max")
    @classmethod
    def _scale(cls, amount: Decimal | None, info: ValidationInfo) -> Decimal | None:
        return _at_scale(amount, info.data.get("currency"))

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.max is not None and self.max <= self.min:
            raise ValueError(f"max {self.max} must be above min {self.min} (the band is [min, max))")
        return self

    def contains(self, amount: Decimal) -> bool:
        return self.min <= amount and (self.max is None or amount < self.max)

    def __str__(self) -> str:
        upper = "no max" if self.max is None else f"{self.max} exclusive"
        return f"{self.currency} [{self.min}, {upper})"


class FixedFee(Strict):
    kind: Annotated[Literal["fixed"], Field(description="A flat amount")] = "fixed"
    amount: Annotated[Money, Field(description="Flat fee")]

    @field_validator("amount")
    @classmethod
    def _not_negative(cls, amount: Money) -> Money:
        if amount.amount < 0:
            raise ValueError("a fee is not negative")
        return amount


class PercentFee(Strict):
    kind: Annotated[Literal["percent"], Field(description="A share of the balance")] = "percent"
    percent: Annotated[Percent, Field(description="Percent of the balance at the time of the event")]


RecallFee = Annotated[FixedFee | PercentFee, Field(discriminator="kind")]


class FeeTerms(Strict):
    """What the partner charges (YGC-style placement terms)."""

    contingency_percent: Annotated[Percent, Field(description="Share of amounts the partner collects")]
    direct_payment_fee_percent: Annotated[
        Percent,
        Field(description="Fee on payments made straight to the creditor during the exclusivity period"),
    ] = Decimal(0)
    exclusivity_days: Annotated[
        int, Field(ge=0, le=3650, description="Days after placement in which direct payments carry the fee")
    ] = 0
    recall_fee: Annotated[
        RecallFee | None, Field(description="Charged when the creditor withdraws (recalls) the case")
    ] = None


def _unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)


class _PartnerFields(Strict):
    name: Annotated[ShortText, Field(description="Trading or firm name")]
    type: Annotated[PartnerType, Field(description="agency or attorney")]
    jurisdictions: Annotated[
        list[JurisdictionPattern],
        Field(min_length=1, max_length=500, description="Where the partner serves debtors"),
    ]
    amount_bands: Annotated[
        list[AmountBand],
        Field(min_length=1, max_length=50, description="One band per currency; [min, max), max exclusive"),
    ]
    debt_types: Annotated[list[DebtType], Field(min_length=1, description="Kinds of debt the partner takes")]
    capacity: Annotated[int, Field(ge=0, le=1_000_000, description="Most open cases the partner takes")]
    fee_terms: FeeTerms
    priority: Annotated[int, Field(ge=0, le=10_000, description="Lower is preferred")] = 100
    status: Annotated[PartnerStatus, Field(description="Suspended partners receive no cases")] = (
        PartnerStatus.active
    )
    contact_email: Annotated[EmailStr, Field(description="Where placement notices go")]

    @model_validator(mode="after")
    def _no_duplicates(self) -> Self:
        _unique(self.jurisdictions, "jurisdiction")
        _unique([band.currency for band in self.amount_bands], "amount band currency")
        _unique([str(t) for t in self.debt_types], "debt type")
        return self

    def band_for(self, currency: str) -> AmountBand | None:
        for band in self.amount_bands:
            if band.currency == currency:
                return band
        return None


class PartnerRequest(_PartnerFields):
    """Create a partner, or replace one in full (the operator API's POST and PUT body)."""

    def to_partner(self, partner_id: str, open_cases: int = 0) -> Partner:
        return Partner(partner_id=partner_id, open_cases=open_cases, **dict(self))


class Partner(_PartnerFields):
    """A partner as routing sees it: its declaration plus its current load."""

    partner_id: PartnerId
    open_cases: Annotated[
        int, Field(ge=0, description="Open cases assigned now (may exceed a capacity that was lowered)")
    ] = 0

    @property
    def free_capacity(self) -> int:
        return max(self.capacity - self.open_cases, 0)
