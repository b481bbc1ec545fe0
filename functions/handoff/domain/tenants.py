"""Businesses (tenants): the creditor's profile, and identifiers (API keys: `domain.api_keys`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from handoff.domain.input_types import PLAIN_TEXT
from handoff.domain.models import Address, Phone, ShortText, Strict


class PaymentInstructions(Strict):
    """How a debtor pays the creditor; printed in demand letters."""

    account_name: ShortText
    bank_name: Annotated[str, Field(max_length=200), PLAIN_TEXT] | None = None
    iban: (
        Annotated[str, Field(max_length=34, pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$"), PLAIN_TEXT] | None
    ) = None
    bic: Annotated[str, Field(max_length=11, pattern=r"^[A-Z0-9]{8}([A-Z0-9]{3})?$"), PLAIN_TEXT] | None = (
        None
    )
    sort_code: Annotated[str, Field(pattern=r"^\d{2}-?\d{2}-?\d{2}$"), PLAIN_TEXT] | None = None
    account_number: Annotated[str, Field(max_length=34), PLAIN_TEXT] | None = None
    routing_number: Annotated[str, Field(pattern=r"^\d{9}$"), PLAIN_TEXT] | None = None
    pay_url: Annotated[str, Field(max_length=500, pattern=r"^https://"), PLAIN_TEXT] | None = None
    reference_hint: Annotated[
        Annotated[str, Field(max_length=200), PLAIN_TEXT] | None,
        Field(description="What the debtor should quote as the payment reference"),
    ] = None


class BusinessContact(Strict):
    name: ShortText
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"), PLAIN_TEXT]
    phone: Phone | None = None


class TenantProfile(Strict):
    """The creditor: a business that escalates debts through Handoff."""

    legal_name: ShortText
    registration_number: Annotated[str, Field(max_length=50), PLAIN_TEXT] | None = None
    address: Address
    contact: BusinessContact
    payment_instructions: PaymentInstructions
    interest_rounding: Annotated[
        Literal["exact", "daily"],
        Field(
            description="exact (default): simple interest rounded once; daily: the daily amount rounded to "
            "the minor unit, then multiplied by the days (GOV.UK). Applies to cases submitted after a change."
        ),
    ] = "exact"


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    profile: TenantProfile
    created_at: datetime
    retention_days: int | None = None  # days after a case ends before its personal data is erased
