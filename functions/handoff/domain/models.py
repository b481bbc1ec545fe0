"""The case as the creditor submits it: debtor, invoices, terms, contact log.

Field names are the public contract (DESIGN.md §3). Shape rules that concern one
field live here; rules that span fields (decimals against the currency, the
outstanding balance) live in `domain.intake_rules`, which names the failing path.
"""

import re
import types
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    field_validator,
    model_validator,
)

from handoff.domain.base import LazyModel
from handoff.domain.input_types import DECIMAL_STRING, FREE_TEXT, PLAIN_TEXT

_NUMBERS = (int, float)  # Decimal fields take decimal strings only (`input_types.DECIMAL_STRING`)
_TEMPORAL = (date, datetime)
_UNIX_TIME = re.compile(r"[+-]?\d+(\.\d*)?")


def iso_8601(value: Any) -> Any:
    """Dates and instants arrive as ISO 8601 strings; lax pydantic would read `0` or "0" as Unix time."""
    if isinstance(value, bool | int | float | Decimal) or (
        isinstance(value, str) and _UNIX_TIME.fullmatch(value.strip())
    ):
        raise ValueError("must be an ISO 8601 string, e.g. 2026-05-31 or 2026-06-05T10:00:00Z")
    return value


IsoDate = Annotated[date, BeforeValidator(iso_8601)]


def _scalar_types(annotation: Any) -> tuple[type, ...]:
    """The plain types a field takes at its top level: `int | None` → (int, NoneType)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return tuple(t for arg in get_args(annotation) for t in _scalar_types(arg))
    return (annotation,) if isinstance(annotation, type) else ()


@cache
def _lax_prone_fields(model: type[BaseModel]) -> dict[str, str]:
    """Fields where lax coercion would take a JSON value of the wrong type: booleans, numbers, dates."""
    found = {}
    for name, field in model.model_fields.items():
        key = field.validation_alias if isinstance(field.validation_alias, str) else field.alias or name
        kinds = _scalar_types(field.annotation)
        if str in kinds:
            continue
        if bool in kinds:
            found[key] = "boolean"
        elif any(issubclass(k, _TEMPORAL) for k in kinds):
            found[key] = "temporal"
        elif any(issubclass(k, _NUMBERS) for k in kinds):
            found[key] = "number"
    return found


class Strict(LazyModel):
    """Base of every model that arrives from outside: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _json_types_only(cls, data: Any) -> Any:
        """What the JSON Schema says is accepted: `true` is not a number, `0` not a date, "yes" not true.

        Lax pydantic reads booleans as 0/1, numbers as Unix time and "yes"/1 as true; strict mode
        would also refuse the ISO strings that dates arrive as, so only these coercions are refused.
        """
        if isinstance(data, dict):
            for key, kind in _lax_prone_fields(cls).items():
                value = data.get(key)
                if kind == "number" and isinstance(value, bool):
                    raise ValueError(f"{key} must be a number, not a boolean")
                if kind == "boolean" and value is not None and not isinstance(value, bool):
                    raise ValueError(f"{key} must be true or false")
                if kind == "temporal" and value is not None:
                    try:
                        iso_8601(value)
                    except ValueError as exc:
                        raise ValueError(f"{key} {exc}") from None
        return data

    def __repr__(self) -> str:  # cheap: powertools logs validated models at debug level
        return f"{type(self).__name__}(…)"


def _country(code: str) -> str:
    import pycountry  # its databases load at first use anyway; the package itself at the first check

    if pycountry.countries.get(alpha_2=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code")
    return code


def _subdivision(code: str) -> str:
    import pycountry

    if pycountry.subdivisions.get(code=code) is None:
        raise ValueError(f"{code!r} is not an ISO 3166-2 subdivision code")
    return code


def _e164(value: str) -> str:
    import phonenumbers  # ~15 ms: loaded where a phone number is validated, not wherever the models are

    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("phone must be in E.164 form, e.g. +441132000000") from exc
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if formatted != value or not phonenumbers.is_valid_number(number):
        raise ValueError("phone must be a valid number in E.164 form, e.g. +441132000000")
    return value


def _currency(code: str) -> str:
    from handoff.domain.money import CurrencyError, minor_unit

    try:
        minor_unit(code)
    except CurrencyError as exc:
        raise ValueError(str(exc)) from exc
    return code


CountryCode = Annotated[
    str,
    Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2"),
    AfterValidator(_country),
    PLAIN_TEXT,
]
SubdivisionCode = Annotated[
    str,
    Field(max_length=6, description="ISO 3166-2, e.g. GB-ENG, US-CA"),
    AfterValidator(_subdivision),
    PLAIN_TEXT,
]
JurisdictionCode = Annotated[
    str,
    Field(max_length=6, description="ISO 3166-1 country or ISO 3166-2 subdivision, e.g. GB-ENG"),
    PLAIN_TEXT,
]
CurrencyCode = Annotated[
    str,
    Field(min_length=3, max_length=3, description="ISO 4217, e.g. GBP"),
    AfterValidator(_currency),
    PLAIN_TEXT,
]
Phone = Annotated[
    str,
    Field(
        max_length=20,
        description="E.164, e.g. +441132000000",
        json_schema_extra={"pattern": r"^\+[1-9][0-9]{1,14}$"},  # the shape; the number must also exist
    ),
    AfterValidator(_e164),
    PLAIN_TEXT,
]
Amount = Annotated[
    Decimal,
    Field(
        ge=0,
        max_digits=18,
        description="Decimal string in the case currency, at most its minor unit (a JSON number is refused)",
    ),
    DECIMAL_STRING,
]
PercentValue = Annotated[Decimal, Field(ge=0, le=100), DECIMAL_STRING]
ShortText = Annotated[str, Field(min_length=1, max_length=200), PLAIN_TEXT]
Note = Annotated[str, Field(max_length=2000, description="Free text: tab and line breaks allowed"), FREE_TEXT]


class EntityType(StrEnum):
    company = "company"
    sole_trader = "sole_trader"
    partnership = "partnership"
    individual = "individual"


class Address(Strict):
    lines: Annotated[list[ShortText], Field(min_length=1, max_length=4, description="Street lines")]
    city: ShortText
    postal_code: Annotated[str, Field(max_length=20), PLAIN_TEXT] | None = None
    country: CountryCode
    subdivision: Annotated[SubdivisionCode | None, Field(description="ISO 3166-2 within `country`")] = None


class Contact(Strict):
    name: Annotated[str, Field(max_length=200), PLAIN_TEXT] | None = None
    email: EmailStr | None = None
    phone: Phone | None = None


class DebtorFlags(Strict):
    disputed: bool = False
    insolvent: Annotated[bool, Field(description="Insolvent or bankrupt")] = False
    prior_legal_disputes: bool = False


class Debtor(Strict):
    legal_name: ShortText
    entity_type: EntityType
    registration_number: Annotated[str, Field(max_length=50), PLAIN_TEXT] | None = None
    address: Address
    contacts: Annotated[list[Contact], Field(max_length=20)] = []
    flags: DebtorFlags = DebtorFlags()


class InvoicePayment(Strict):
    """A payment the debtor made on the invoice before the case was submitted, with its date."""

    on: Annotated[date, Field(description="Day the payment was received")]
    amount: Annotated[Amount, Field(gt=0)]


class Invoice(Strict):
    number: Annotated[str, Field(min_length=1, max_length=64), PLAIN_TEXT]
    issued_on: date
    due_on: date
    amount: Amount
    paid: Annotated[
        Amount,
        Field(
            description="Paid before submission without dates (treated as paid by the due date); "
            "give `payments` instead when the dates are known"
        ),
    ] = Decimal(0)
    payments: Annotated[
        list[InvoicePayment],
        Field(max_length=200, description="Dated payments on this invoice before submission"),
    ] = []
    description: Annotated[str, Field(max_length=500), FREE_TEXT] | None = None


class CreditNote(Strict):
    """A credit the creditor issued against an invoice (a return, a discount, a correction)."""

    number: Annotated[str, Field(min_length=1, max_length=64), PLAIN_TEXT]
    issued_on: date
    amount: Annotated[Amount, Field(gt=0)]
    invoice: Annotated[
        str, Field(min_length=1, max_length=64, description="Number of the invoice credited"), PLAIN_TEXT
    ]


class InterestKind(StrEnum):
    statutory = "statutory"
    contractual = "contractual"
    none = "none"


class RateBasis(StrEnum):
    per_annum = "per_annum"
    per_month = "per_month"


class Compounding(StrEnum):
    simple = "simple"
    monthly = "monthly"
    annually = "annually"


class InterestTerms(Strict):
    kind: InterestKind = InterestKind.statutory
    rate_percent: Annotated[
        PercentValue | None,
        Field(description="Contract rate for `contractual`, per `period` (1.5 per_month = 18% a year)"),
    ] = None
    period: Annotated[RateBasis, Field(description="per_annum | per_month: what `rate_percent` is per")] = (
        RateBasis.per_annum
    )
    compounding: Annotated[
        Compounding, Field(description="simple | monthly | annually, as the contract states it")
    ] = Compounding.simple


class LateFee(Strict):
    amount: Annotated[Amount | None, Field(description="Fixed fee per invoice")] = None
    percent: Annotated[PercentValue | None, Field(description="Percent of the overdue amount")] = None


class ContractSubject(StrEnum):
    goods = "goods"
    services = "services"
    mixed = "mixed"


class ContractForm(StrEnum):
    written = "written"
    oral = "oral"
    deed = "deed"


class Terms(Strict):
    payment_days: Annotated[int, Field(ge=0, le=365)] = 30
    subject: Annotated[
        ContractSubject | None,
        Field(description="goods | services | mixed: picks the limitation period (UCC 2-725 for goods)"),
    ] = None
    form: Annotated[
        ContractForm | None,
        Field(description="written | oral | deed: picks the limitation period; unknown → the shorter"),
    ] = None
    interest: InterestTerms = InterestTerms()
    late_fee: LateFee | None = None
    governing_law: JurisdictionCode | None = None
    agreement_reference: Annotated[str, Field(max_length=100), PLAIN_TEXT] | None = None


class Channel(StrEnum):
    email = "email"
    phone = "phone"
    letter = "letter"
    sms = "sms"
    in_person = "in_person"
    portal = "portal"


class Direction(StrEnum):
    outbound = "outbound"
    inbound = "inbound"


class ContactOutcome(StrEnum):
    no_answer = "no_answer"
    promised_to_pay = "promised_to_pay"
    partial_payment = "partial_payment"
    disputed = "disputed"
    refused = "refused"
    acknowledged = "acknowledged"


class ContactAttempt(Strict):
    at: Annotated[datetime, Field(description="Instant with offset, e.g. 2026-06-05T10:00:00Z")]
    channel: Channel
    direction: Direction = Direction.outbound
    outcome: ContactOutcome
    note: Note | None = None

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("instant must carry a UTC offset, e.g. 2026-06-05T10:00:00Z")
        return value


class CaseIntake(Strict):
    """Everything the creditor tells us about one unpaid debt."""

    creditor_reference: Annotated[
        str, Field(min_length=1, max_length=64, description="Creditor's own ref"), PLAIN_TEXT
    ]
    debtor: Debtor
    currency: CurrencyCode
    invoices: Annotated[list[Invoice], Field(min_length=1, max_length=500)]
    credit_notes: Annotated[
        list[CreditNote], Field(max_length=500, description="Credits against invoices")
    ] = []
    terms: Terms = Terms()
    contact_log: Annotated[list[ContactAttempt], Field(max_length=1000)] = []
    settlement_authority_percent: Annotated[
        PercentValue | None, Field(description="Lowest share of the balance a partner may accept")
    ] = None
