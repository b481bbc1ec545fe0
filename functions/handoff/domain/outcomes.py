"""What partners report back (DESIGN.md §7): inbound webhook events, one model per type.

Bodies follow the Standard Webhooks shape `{"type": ..., "timestamp": ..., "data": {...}}`.
Amounts are decimal strings in the case's currency, exact at its minor unit (checked against
the case when the event is recorded). Close codes are the ones in common use (DESIGN.md §3).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, TypeAdapter

from handoff.domain.input_types import DECIMAL_STRING, PLAIN_TEXT
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import CurrencyCode, Note, ShortText, Strict

CaseId = Annotated[
    str, Field(pattern=r"^case_[0-9a-f]{20}$", description="The case the event is about"), PLAIN_TEXT
]
PositiveAmount = Annotated[
    Decimal,
    Field(gt=0, max_digits=18, description="Decimal string in the case currency (exact)"),
    DECIMAL_STRING,
]
NonNegativeAmount = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, description="Decimal string in the case currency (exact)"),
    DECIMAL_STRING,
]
Reference = Annotated[
    str, Field(min_length=1, max_length=128, description="The partner's own reference"), PLAIN_TEXT
]


class CloseCode(StrEnum):
    paid_in_full = "paid_in_full"
    partially_paid = "partially_paid"
    settled = "settled"
    insolvent = "insolvent"
    untraceable = "untraceable"
    time_barred = "time_barred"
    disputed = "disputed"
    withdrawn = "withdrawn"
    uncollectible = "uncollectible"


CLOSE_OUTCOME: dict[CloseCode, CaseStatus] = {
    CloseCode.paid_in_full: CaseStatus.recovered,
    CloseCode.partially_paid: CaseStatus.recovered,
    CloseCode.settled: CaseStatus.settled,
    CloseCode.insolvent: CaseStatus.uncollectible,
    CloseCode.untraceable: CaseStatus.uncollectible,
    CloseCode.time_barred: CaseStatus.uncollectible,
    CloseCode.disputed: CaseStatus.uncollectible,
    CloseCode.withdrawn: CaseStatus.withdrawn,
    CloseCode.uncollectible: CaseStatus.uncollectible,
}
"""The outcome status a close code passes through on its way to `closed`."""


class PaymentCollectedData(Strict):
    case_id: CaseId
    amount: PositiveAmount
    currency: CurrencyCode
    collected_on: Annotated[date, Field(description="When the debtor paid the partner")]
    reference: Reference | None = None


class Instalment(Strict):
    due_on: date
    amount: PositiveAmount


class SettlementAgreedData(Strict):
    case_id: CaseId
    amount: Annotated[PositiveAmount, Field(description="What the creditor accepts in full settlement")]
    currency: CurrencyCode
    instalments: Annotated[list[Instalment], Field(max_length=120, description="Empty: paid in one sum")] = []


class JudgmentObtainedData(Strict):
    case_id: CaseId
    court: ShortText
    docket: Annotated[str, Field(min_length=1, max_length=64, description="Court case number"), PLAIN_TEXT]
    amount: Annotated[NonNegativeAmount, Field(description="Principal awarded")]
    interest: Annotated[NonNegativeAmount, Field(description="Interest awarded, added to what is owed")]
    costs: Annotated[NonNegativeAmount, Field(description="Costs awarded, added to what is owed")]
    currency: CurrencyCode
    date: Annotated[date, Field(description="Date of the judgment")]


class CaseClosedData(Strict):
    case_id: CaseId
    close_code: CloseCode
    note: Note | None = None


class StatusUpdatedData(Strict):
    case_id: CaseId
    code: Annotated[
        str, Field(min_length=1, max_length=64, description="The partner's status code"), PLAIN_TEXT
    ]
    note: Note


class _Event(Strict):
    timestamp: Annotated[datetime, Field(description="When the event happened (ISO 8601)")]


class PaymentCollected(_Event):
    """The partner collected money from the debtor."""

    type: Literal["payment.collected"]
    data: PaymentCollectedData


class SettlementAgreed(_Event):
    """The debtor agreed a settlement, paid at once or in instalments."""

    type: Literal["settlement.agreed"]
    data: SettlementAgreedData


class JudgmentObtained(_Event):
    """A court gave judgment for the creditor."""

    type: Literal["judgment.obtained"]
    data: JudgmentObtainedData


class CaseClosed(_Event):
    """The partner closed its file."""

    type: Literal["case.closed"]
    data: CaseClosedData


class StatusUpdated(_Event):
    """A progress note with the partner's status code."""

    type: Literal["status.updated"]
    data: StatusUpdatedData


OutcomeEvent = Annotated[
    PaymentCollected | SettlementAgreed | JudgmentObtained | CaseClosed | StatusUpdated,
    Field(discriminator="type"),
]
OUTCOME_EVENTS: dict[str, type[_Event]] = {
    "payment.collected": PaymentCollected,
    "settlement.agreed": SettlementAgreed,
    "judgment.obtained": JudgmentObtained,
    "case.closed": CaseClosed,
    "status.updated": StatusUpdated,
}
# built at its first use (the partner webhooks function), not by every function that imports this module
outcome_event = TypeAdapter[OutcomeEvent](OutcomeEvent, config=ConfigDict(defer_build=True))
