"""Request and response models of the operator's partner and routing-rules routes.

Optimistic concurrency is in the body: a `PUT` carries the `version` the operator read (from
the `GET` or the previous write). When the stored version differs the write is refused with
409 and nothing changes; read again, reapply the change, retry.
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import ConfigDict, EmailStr, Field, field_validator

from handoff.adapters.partner_store import PartnerRecord
from handoff.adapters.routing_store import RulesRecord
from handoff.domain.base import LazyModel
from handoff.domain.partners import (
    AmountBand,
    DebtType,
    FeeTerms,
    PartnerRequest,
    PartnerStatus,
    PartnerType,
)
from handoff.domain.routing import RoutingRule, RoutingRules

if TYPE_CHECKING:
    from handoff.services.webhook_secrets import IssuedSecret

EXAMPLE_PARTNER: dict[str, Any] = {
    "name": "Pennine Credit Recovery Ltd",
    "type": "agency",
    "jurisdictions": ["GB"],
    "amount_bands": [{"currency": "GBP", "min": "100.00", "max": "25000.00"}],
    "debt_types": ["commercial", "b2b_services", "goods"],
    "capacity": 250,
    "fee_terms": {
        "contingency_percent": "12.5",
        "direct_payment_fee_percent": "5",
        "exclusivity_days": 30,
        "recall_fee": {"kind": "percent", "percent": "5"},
    },
    "priority": 10,
    "status": "active",
    "contact_email": "placements@pennine-recovery.example",
}

EXAMPLE_RULES: dict[str, Any] = {
    "version": 3,
    "rules": [
        {
            "rule_id": "attorney-escalation",
            "description": "Insolvency, prior disputes or above small claims: an attorney",
            "partner_type": "attorney",
            "any_signals": ["insolvency_or_prior_disputes", "above_small_claims", "above_threshold"],
        },
        {
            "rule_id": "agency-gb-small",
            "description": "GB debts under 25,000 GBP: an agency",
            "partner_type": "agency",
            "jurisdictions": ["GB"],
            "amounts": [{"currency": "GBP", "max": "25000.00"}],
        },
        {"rule_id": "agency-default", "description": "Everything else: an agency", "partner_type": "agency"},
    ],
    "attorney_threshold": {"GBP": "10000.00", "EUR": "10000.00"},
    "unanswered_contacts_threshold": 3,
}

Version = Annotated[
    int,
    Field(
        ge=0,
        description="The version you read (GET or the last write). A write is refused with 409 "
        "when the stored version has moved on",
    ),
]


def _listed_once(values: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} {value!r} is listed twice")
        seen.add(value)


class PartnerCreateRequest(PartnerRequest):
    """A collection agency or attorney that cases can be handed to. Amount bands are [min, max)."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_PARTNER]})

    # The domain refuses duplicates for the whole model; these name the failing field.
    @field_validator("jurisdictions")
    @classmethod
    def _jurisdictions_once(cls, values: list[str]) -> list[str]:
        _listed_once(values, "jurisdiction")
        return values

    @field_validator("amount_bands")
    @classmethod
    def _one_band_per_currency(cls, bands: list[AmountBand]) -> list[AmountBand]:
        _listed_once((band.currency for band in bands), "amount band currency")
        return bands

    @field_validator("debt_types")
    @classmethod
    def _debt_types_once(cls, values: list[DebtType]) -> list[DebtType]:
        _listed_once((str(value) for value in values), "debt type")
        return values

    def declaration(self) -> PartnerRequest:
        """The domain's declaration (what the partner takes on), without API-only fields."""
        return PartnerRequest(**{name: getattr(self, name) for name in PartnerRequest.model_fields})


class PartnerReplaceRequest(PartnerCreateRequest):
    """The partner in full, replacing what is stored (status changes too), with the version read."""

    version: Version

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**EXAMPLE_PARTNER, "status": "suspended", "version": 1}]}
    )


class PartnerResponse(LazyModel):
    partner_id: str
    version: Annotated[int, Field(description="Send it back with a PUT; changes with every operator edit")]
    name: str
    type: PartnerType
    status: Annotated[PartnerStatus, Field(description="Suspended partners receive no cases")]
    jurisdictions: Annotated[list[str], Field(description="Jurisdiction patterns served")]
    amount_bands: Annotated[list[AmountBand], Field(description="One band per currency; [min, max)")]
    debt_types: list[DebtType]
    capacity: Annotated[int, Field(description="Most open cases the partner takes")]
    open_cases: Annotated[int, Field(description="Open cases assigned now")]
    free_capacity: Annotated[int, Field(description="capacity - open_cases, never below 0")]
    priority: Annotated[int, Field(description="Lower is preferred")]
    fee_terms: FeeTerms
    contact_email: EmailStr
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: PartnerRecord) -> "PartnerResponse":
        p = record.partner
        return cls(
            partner_id=p.partner_id,
            version=record.version,
            name=p.name,
            type=p.type,
            status=p.status,
            jurisdictions=list(p.jurisdictions),
            amount_bands=list(p.amount_bands),
            debt_types=list(p.debt_types),
            capacity=p.capacity,
            open_cases=p.open_cases,
            free_capacity=p.free_capacity,
            priority=p.priority,
            fee_terms=p.fee_terms,
            contact_email=p.contact_email,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class PartnerListResponse(LazyModel):
    items: Annotated[list[PartnerResponse], Field(description="Every partner, by partner_id")]


class RoutingRulesRequest(RoutingRules):
    """The whole routing table, replacing the current one, with the version read (0: the default)."""

    version: Version

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_RULES]})

    @field_validator("rules")
    @classmethod
    def _rule_ids_once(cls, rules: list[RoutingRule]) -> list[RoutingRule]:
        _listed_once((rule.rule_id for rule in rules), "rule_id")
        return rules

    def to_rules(self) -> RoutingRules:
        return RoutingRules(
            rules=self.rules,
            attorney_threshold=self.attorney_threshold,
            unanswered_contacts_threshold=self.unanswered_contacts_threshold,
        )


class RoutingRulesResponse(LazyModel):
    version: Annotated[
        int, Field(description="Routing decisions name it; send it back with a PUT (0: the built-in default)")
    ]
    default: Annotated[bool, Field(description="True while no operator has stored rules")]
    rules: Annotated[list[RoutingRule], Field(description="Evaluated in order; the first that matches wins")]
    attorney_threshold: Annotated[
        dict[str, Decimal], Field(description="Per currency: a principal above this raises `above_threshold`")
    ]
    unanswered_contacts_threshold: int
    updated_at: datetime | None = None
    updated_by: Annotated[str | None, Field(description="Key id of the operator who stored this version")] = (
        None
    )

    @classmethod
    def of(cls, record: RulesRecord) -> "RoutingRulesResponse":
        return cls(
            version=record.version,
            default=record.version == 0,
            rules=list(record.rules.rules),
            attorney_threshold=dict(record.rules.attorney_threshold),
            unanswered_contacts_threshold=record.rules.unanswered_contacts_threshold,
            updated_at=record.updated_at,
            updated_by=record.updated_by,
        )


class WebhookSecretResponse(LazyModel):
    secret_id: Annotated[str, Field(description="Which secret this is (whs_0001, …)")]
    secret: Annotated[
        str, Field(description="Standard Webhooks secret (`whsec_` + base64); shown once, store it now")
    ]
    created_at: datetime
    retired_secret_id: Annotated[
        str | None, Field(description="The oldest secret, retired because two were active")
    ] = None

    @classmethod
    def of(cls, issued: "IssuedSecret") -> "WebhookSecretResponse":
        return cls(
            secret_id=issued.secret_id,
            secret=issued.secret,
            created_at=issued.created_at,
            retired_secret_id=issued.retired_secret_id,
        )
