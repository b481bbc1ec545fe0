"""Businesses (tenants): the creditor's profile, and identifiers (API keys: `domain.api_keys`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import Field

from handoff.domain.models import Address, Phone, ShortText, Strict


class PaymentInstructions(Strict):
    """How a debtor pays the creditor; printed in demand letters."""

    account_name: ShortText
    bank_name: Annotated[str | None, Field(max_length=200)] = None
    iban: Annotated[str | None, Field(max_length=34, pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")] = None
    bic: Annotated[str | None, Field(max_length=11, pattern=r"^[A-Z0-9]{8}([A-Z0-9]{3})?$")] = None
    sort_code: Annotated[str | None, Field(pattern=r"^\d{2}-?\d{2}-?\d{2}$")] = None
    account_number: Annotated[str | None, Field(max_length=34)] = None
    routing_number: Annotated[str | None, Field(pattern=r"^\d{9}$")] = None
    pay_url: Annotated[str | None, Field(max_length=500, pattern=r"^https://")] = None
    reference_hint: Annotated[
        str | None, Field(max_length=200, description="What the debtor should quote as the payment reference")
    ] = None


class BusinessContact(Strict):
    name: ShortText
    email: Annotated[str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    phone: Phone | None = None


class TenantProfile(Strict):
    """The creditor: a business that escalates debts through Handoff."""

    legal_name: ShortText
    registration_number: Annotated[str | None, Field(max_length=50)] = None
    address: Address
    contact: BusinessContact
    payment_instructions: PaymentInstructions


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    profile: TenantProfile
    created_at: datetime
