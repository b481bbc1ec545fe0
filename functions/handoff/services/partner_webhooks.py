"""Partners' signed outcome webhooks (DESIGN.md §7): their secrets, verification, recording.

Verification is the `standardwebhooks` library's (HMAC-SHA256 over id, timestamp and body; a
5-minute timestamp tolerance), tried against each active secret of the partner. Anything that
does not verify raises `UnauthenticatedWebhookError` before the body is even parsed.

Each verified event is one `update_case`: it claims `webhook#<partner>#<webhook-id>` and
records a `ledger.<type>` event (plus the status transition the event implies) in the same
transaction, so a redelivered webhook is recorded once and concurrent ones never lose a write.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from handoff.domain.case import Case
from handoff.domain.claim import LegalEvent, LegalEventKind, Payment, PaymentSource
from handoff.domain.errors import FieldProblem, InvalidRequestError, NotFoundError, UnauthenticatedError
from handoff.domain.lifecycle import CaseStatus, can_transition
from handoff.domain.money import AmountScaleError, exact
from handoff.domain.outcomes import (
    CLOSE_OUTCOME,
    CaseClosed,
    JudgmentObtained,
    OutcomeEvent,
    PaymentCollected,
    SettlementAgreed,
    outcome_event,
)
from handoff.services.assignments import Cases, assigned_case
from handoff.services.cases import update_case
from handoff.services.ports import DuplicateClaimError
from handoff.services.webhook_secrets import SecretSealer, SecretStore

S = CaseStatus
RECEIVING = frozenset({S.assigned, S.accepted, S.in_recovery, S.settled, S.judgment})
"""Where a case takes outcomes from its partner (the statuses in which the partner sees it)."""


class UnauthenticatedWebhookError(UnauthenticatedError):
    """Unknown partner, no active secret, a bad signature or a stale timestamp: 401, nothing recorded."""


def authenticate(
    store: SecretStore, box: SecretSealer, partner_id: str, body: str, headers: dict[str, str]
) -> str:
    """The verified `webhook-id`; `UnauthenticatedWebhookError` unless an active secret signed it."""
    for stored in store.active(partner_id):
        secret = box.open(stored.sealed, {"partner_id": partner_id})
        try:
            Webhook(secret).verify(body, headers, json_parse=False)
        except (WebhookVerificationError, ValueError):  # ValueError: a malformed signature header
            continue
        lowered = {k.lower(): v for k, v in headers.items()}
        return lowered["webhook-id"]
    raise UnauthenticatedWebhookError("the webhook is not signed with a valid secret of this partner")


def parse_event(body: str) -> OutcomeEvent:
    """The event, or InvalidRequestError naming each failing field (only ever after authentication)."""
    try:
        return outcome_event.validate_json(body)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            if error["type"] in ("json_invalid", "json_type"):
                raise InvalidRequestError([FieldProblem((), "the body must be a JSON object")]) from exc
            problems.append(FieldProblem(tuple(error["loc"]), error["msg"]))
        raise InvalidRequestError(problems) from exc


def _exact(value: Decimal, currency: str, loc: tuple[str, ...]) -> Decimal:
    try:
        return exact(value, currency)
    except AmountScaleError as exc:
        raise InvalidRequestError([FieldProblem(loc, str(exc))]) from exc


def _check_money(event: OutcomeEvent, case: Case) -> None:
    """The event's currency is the case's; every amount is exact at its minor unit."""
    currency = case.intake.currency
    data = event.data
    stated = getattr(data, "currency", currency)
    if stated != currency:
        raise InvalidRequestError(
            [FieldProblem(("data", "currency"), f"the case is in {currency}, not {stated}")]
        )
    for name in ("amount", "interest", "costs"):
        value = getattr(data, name, None)
        if isinstance(value, Decimal):
            _exact(value, currency, ("data", name))
    if isinstance(event, SettlementAgreed):
        for index, instalment in enumerate(event.data.instalments):
            _exact(instalment.amount, currency, ("data", "instalments", str(index), "amount"))


def _check_dates(event: OutcomeEvent, now: datetime) -> None:
    """A collection or judgment is not dated after the partner's today (UTC's, plus one day of zones)."""
    latest = now.date() + timedelta(days=1)
    for name in ("collected_on", "date"):
        value = getattr(event.data, name, None)
        if isinstance(value, date) and value > latest:
            raise InvalidRequestError([FieldProblem(("data", name), f"{value} is in the future")])


def _move(case: Case, target: CaseStatus, actor: str, now: datetime, reason: str, **data: Any) -> None:
    if case.status != target:
        case.transition(target, actor, now, reason, **data)


def _record(case: Case, event: OutcomeEvent, actor: str, now: datetime, data: dict[str, Any]) -> None:
    """The `ledger.<type>` event; money and dates that change the claim are recorded on it too.

    A collection is a `Payment` of the claim (it pays, and restarts limitation where the law says);
    a settlement acknowledges the debt; a judgment merges the claim, with what the court awarded.
    """
    kind = f"ledger.{event.type}"
    if isinstance(event, PaymentCollected):
        paid = event.data
        payment = Payment(
            on=paid.collected_on, amount=paid.amount, source=PaymentSource.collected, reference=paid.reference
        )
        case.record_payment(payment, actor, now, event_type=kind, details=data)
    elif isinstance(event, SettlementAgreed):
        agreed = LegalEvent(
            kind=LegalEventKind.settlement,
            on=event.timestamp.date(),
            written=False,  # the webhook does not say the debtor signed it
            source="partner",
            amount=event.data.amount,
        )
        case.record_legal_event(agreed, actor, now, event_type=kind, details=data)
    elif isinstance(event, JudgmentObtained):
        award = event.data
        judgment = LegalEvent(
            kind=LegalEventKind.judgment,
            on=award.date,
            source="partner",
            note=award.court,
            reference=award.docket,
            amount=award.amount,
            interest=award.interest,
            costs=award.costs,
        )
        case.record_legal_event(judgment, actor, now, event_type=kind, details=data)
    else:
        case.record(kind, actor, now, data)


def apply_event(
    case: Case, event: OutcomeEvent, partner_id: str, webhook_id: str, actor: str, now: datetime
) -> None:
    """Claim the webhook id, record the event and the transition it implies (or refuse: 409)."""
    if case.workflow.partner_id != partner_id or case.status not in RECEIVING:
        raise NotFoundError(f"case {case.case_id} not found")  # withdrawn or reassigned meanwhile
    case.claim(f"webhook#{partner_id}#{webhook_id}")  # in the same write: a redelivery records nothing
    data = {**event.data.model_dump(mode="json"), "partner_id": partner_id, "webhook_id": webhook_id}
    data["occurred_at"] = event.timestamp.isoformat()
    _record(case, event, actor, now, data)
    if isinstance(event, SettlementAgreed):
        _move(case, S.settled, actor, now, "partner reports a settlement", partner_id=partner_id)
    elif isinstance(event, JudgmentObtained):
        _move(case, S.judgment, actor, now, "partner reports a judgment", partner_id=partner_id)
    elif isinstance(event, CaseClosed):
        outcome = CLOSE_OUTCOME[event.data.close_code]
        if case.status != outcome and can_transition(case.status, outcome):
            case.transition(
                outcome, actor, now, f"partner closed: {event.data.close_code}", partner_id=partner_id
            )
        case.transition(
            S.closed,
            actor,
            now,
            "partner closed its file",
            close_code=event.data.close_code,
            partner_id=partner_id,
        )


@dataclass(frozen=True)
class Receipt:
    case_id: str
    duplicate: bool
    status: CaseStatus | None = None


def record_outcome(
    cases: Cases,
    claimed: Callable[[str], bool],
    release_partner: Callable[[str], object],
    partner_id: str,
    webhook_id: str,
    event: OutcomeEvent,
    now: datetime,
) -> Receipt:
    """Record one verified event once; a webhook id seen before is a duplicate (nothing written)."""
    if claimed(f"webhook#{partner_id}#{webhook_id}"):  # e.g. a closure redelivered after the case closed
        return Receipt(event.data.case_id, duplicate=True)
    before = assigned_case(cases, partner_id, event.data.case_id)
    _check_money(event, before)
    _check_dates(event, now)
    actor = f"{before.workflow.partner_type or 'partner'}:{partner_id}:webhook"
    try:
        case = update_case(
            cases,  # type: ignore[arg-type]  # a CaseRepository; only get/save are used
            before.tenant_id,
            before.case_id,
            lambda c: apply_event(c, event, partner_id, webhook_id, actor, now),
        )
    except DuplicateClaimError:
        return Receipt(before.case_id, duplicate=True)
    if case.status == S.closed:
        release_partner(partner_id)  # the partner's capacity is free again
    return Receipt(case.case_id, duplicate=False, status=case.status)
