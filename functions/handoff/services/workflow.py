"""The case workflow's steps (run by Step Functions tasks) and the actions that steer it.

Every step is idempotent per case state: Step Functions may retry a task, so a
step that finds its work already done returns the same answer without a second
timeline entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from handoff.domain.case import SYSTEM, Case, Principal
from handoff.domain.claim import LegalEvent, LegalEventKind, Payment, Standing
from handoff.domain.document_kinds import DocumentKind
from handoff.domain.errors import ConflictError, FieldProblem, InvalidRequestError
from handoff.domain.evidence import EvidenceStatus, readiness
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.money import AmountScaleError, exact
from handoff.domain.outcomes import CloseCode
from handoff.observability import logger
from handoff.services.cases import update_case
from handoff.services.documents import DocumentInputs, generate_document
from handoff.services.packets import PacketDeps, assemble
from handoff.services.rate_holds import check_rates_recorded, hold_if_rates_unconfirmed

S = CaseStatus
DEBTOR_RESPONSE = "debtor_response"
PARTNER_ACCEPTANCE = "partner_acceptance"


class PermanentStepError(Exception):
    """A step cannot succeed by retrying (the workflow records the failure at once)."""


class Engine(Protocol):
    def start(self, name: str, payload: dict[str, Any]) -> str: ...

    def succeed(self, token: str, output: dict[str, Any]) -> bool: ...

    def fail(self, token: str, error: str, cause: str) -> bool: ...

    def stop(self, execution_arn: str, cause: str) -> None: ...


class Partners(Protocol):
    def get(self, partner_id: str) -> Any: ...

    def list_all(self) -> list[Any]: ...

    def reserve(self, partner_id: str) -> bool: ...

    def release(self, partner_id: str) -> bool: ...


@dataclass(frozen=True)
class WorkflowDeps:
    packets: PacketDeps
    engine: Engine
    partners: Partners
    routing: Callable[[Case, list[str]], Any]  # (case, excluded partner ids) → RoutingDecision
    eligibility: Callable[[Case, list[Any]], Any]  # (case, evidence) → Eligibility
    seconds_per_day: float
    acceptance_days: int
    max_partner_tries: int

    @property
    def cases(self) -> Any:
        return self.packets.documents.cases


def placement_claim(partner_id: str, case: Case) -> str:
    """Recorded once per placement, so a partner's reports find every case it ever held."""
    return f"placement#{partner_id}|{case.case_id}#v{case.version}"


def _wait_seconds(days: int, seconds_per_day: float) -> int:
    return max(1, math.ceil(days * seconds_per_day))


def start(
    deps: WorkflowDeps, tenant_id: str, case_id: str, actor: str, now: datetime, resume: str | None = None
) -> Case:
    """Start the next run of the case's workflow (named per run, so a retried start is not a second run)."""

    def begin(case: Case) -> None:
        case.workflow.run += 1
        payload: dict[str, Any] = {"tenant_id": tenant_id, "case_id": case_id}
        if resume:
            payload["resume"] = resume
        case.workflow.execution_arn = deps.engine.start(f"{case_id}-run{case.workflow.run}", payload)
        case.record("workflow.started", actor, now, {"run": case.workflow.run, "resume": resume})

    return update_case(deps.cases, tenant_id, case_id, begin)


def start_safely(deps: WorkflowDeps, case: Case, actor: str, now: datetime) -> None:
    """Start a new case's workflow; a failure to start leaves the case submitted, to be released later."""
    try:
        start(deps, case.tenant_id, case.case_id, actor, now)
    except Exception:  # the case is stored either way; its timeline shows no workflow.started
        logger.exception("workflow did not start", extra={"case_id": case.case_id})


# --- steps -------------------------------------------------------------------------------------


def check_eligibility(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> dict[str, Any]:
    case = deps.cases.get(tenant_id, case_id)
    evidence = deps.packets.evidence.list_for_case(tenant_id, case_id)
    result = deps.eligibility(case, evidence)
    reasons = [{"code": r.code, "detail": r.text} for r in result.hold_reasons]

    def decide(c: Case) -> None:
        if result.extinguished and c.status in (S.submitted, S.on_hold):
            close_extinguished(c, now, reasons)
            return
        if result.eligible or c.status == S.on_hold:
            c.record(
                "eligibility.checked",
                SYSTEM,
                now,
                {"eligible": result.eligible, "reasons": reasons, "time_barred": result.time_barred},
            )
            return
        c.workflow.hold_reasons = [r["code"] for r in reasons]
        c.transition(S.on_hold, SYSTEM, now, "not eligible for handoff", reasons=reasons)

    update_case(deps.cases, tenant_id, case_id, decide)
    return {"eligible": result.eligible, "reasons": reasons, "time_barred": result.time_barred}


def close_extinguished(case: Case, now: datetime, reasons: list[dict[str, Any]]) -> None:
    """An extinguished debt is not owed: the case closes with close code `time_barred`, never demanded."""
    limitation = case.claim_as_of(now.date()).limitation
    why = {
        "close_code": CloseCode.time_barred,
        "standing": "extinguished",
        "extinguished_on": limitation.ends_on,
        "rule_id": limitation.rule_id,
        "citation": limitation.on_bar_cite,
    }
    case.transition(
        S.uncollectible, SYSTEM, now, "the debt is extinguished: it is not owed", reasons=reasons, **why
    )
    case.transition(S.closed, SYSTEM, now, "closed: the debt is extinguished", **why)


def assemble_packet(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> dict[str, Any]:
    case = deps.cases.get(tenant_id, case_id)
    if case.status != S.submitted:  # a retry after the packet was made
        return {"version": case.workflow.packet_versions, "held": case.status == S.on_hold}
    if hold_if_rates_unconfirmed(deps.cases, tenant_id, case_id, now):  # its statement states interest
        return {"held": True}
    packet = assemble(  # the packet and the transition in one write: a retry records neither twice
        deps.packets,
        tenant_id,
        case_id,
        SYSTEM,
        now,
        also=lambda c, p: c.transition(
            S.packet_ready, SYSTEM, now, "evidence packet assembled", version=p.version, sha256=p.sha256
        ),
    )
    return {"version": packet.version, "sha256": packet.sha256, "held": False}


def issue_demand(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> dict[str, Any]:
    case = deps.cases.get(tenant_id, case_id)
    if case.status == S.on_hold or (
        case.status == S.packet_ready and hold_if_rates_unconfirmed(deps.cases, tenant_id, case_id, now)
    ):
        return {"held": True}  # held, not failed: released once the rate is recorded or confirmed
    if case.status == S.packet_ready:
        document = generate_document(
            deps.packets.documents,
            tenant_id,
            case_id,
            DocumentKind.DEMAND_LETTER,
            DocumentInputs([]),
            SYSTEM,
            now,
        )
        from handoff.services.documents import assessment_for

        deadline = assessment_for(case, now.date()).response.deadline

        def issued(c: Case) -> None:
            # Handoff's own letter is a written demand (it restarts limitation where the law says: BW 3:317)
            demand = LegalEvent(kind=LegalEventKind.written_demand, on=now.date(), source="letter")
            c.record_legal_event(demand, SYSTEM, now)
            c.workflow.demand_issued_on = now.date()
            c.workflow.demand_expires_on = deadline
            c.transition(
                S.demand_issued,
                SYSTEM,
                now,
                "demand letter issued",
                document_id=document.document_id,
                sha256=document.sha256,
                deadline=deadline,
            )

        case = update_case(deps.cases, tenant_id, case_id, issued)
    expires = case.workflow.demand_expires_on or now.date()
    days = (expires - now.date()).days + 1  # the debtor has the whole deadline day
    return {
        "deadline": expires.isoformat(),
        "wait_seconds": _wait_seconds(days, deps.seconds_per_day),
        "held": False,
    }


def wait_for(
    deps: WorkflowDeps, tenant_id: str, case_id: str, waiting_for: str, token: str, now: datetime
) -> dict[str, Any]:
    """Remember the task token, so the action that ends the wait can answer it."""

    def remember(c: Case) -> None:
        c.workflow.waiting_for = waiting_for
        c.workflow.task_token = token
        c.record("workflow.waiting", SYSTEM, now, {"for": waiting_for})

    update_case(deps.cases, tenant_id, case_id, remember)
    return {}


def route(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> dict[str, Any]:
    case = deps.cases.get(tenant_id, case_id)
    if case.status == S.assigned and case.workflow.partner_id:  # a retry after assigning
        return {"assigned": True, "partner_id": case.workflow.partner_id, "held": False}
    if case.status == S.on_hold:  # a retry after holding it
        return {"assigned": False, "partner_id": None, "held": True}
    if hold_if_rates_unconfirmed(deps.cases, tenant_id, case_id, now):  # the referral letter states interest
        return {"assigned": False, "partner_id": None, "held": True}
    excluded = list(case.workflow.declined)
    for _ in range(5):  # a partner may fill up between the decision and the reservation
        decision = deps.routing(case, excluded)
        explanation = decision.model_dump(mode="json")
        partner = decision.partner_id
        if partner is None or deps.partners.reserve(partner):
            break
        excluded.append(partner)
    else:
        partner, explanation = None, {**explanation, "reason": "every candidate filled up while routing"}

    def apply(c: Case) -> None:
        c.workflow.waiting_for = c.workflow.task_token = None
        if c.status != S.routing:
            c.transition(S.routing, SYSTEM, now, "debtor did not pay or reply in time")
        c.record("routing.decided", SYSTEM, now, explanation)
        if partner is None:
            c.transition(
                S.manual_review, SYSTEM, now, "no partner matches", rule_id=explanation.get("rule_id")
            )
            return
        target = deps.partners.get(partner)
        c.workflow.partner_id, c.workflow.partner_type = partner, str(target.type)
        c.workflow.tries += 1
        c.claim(placement_claim(partner, c))
        c.transition(
            S.assigned,
            SYSTEM,
            now,
            f"assigned to {target.type} {partner}",
            partner_id=partner,
            rule_id=explanation.get("rule_id"),
        )

    update_case(deps.cases, tenant_id, case_id, apply)
    return {"assigned": partner is not None, "partner_id": partner, "held": False}


def send_referral(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> dict[str, Any]:
    case = deps.cases.get(tenant_id, case_id)
    if case.workflow.partner_id is None:
        raise PermanentStepError("no partner is assigned")
    partner = deps.partners.get(case.workflow.partner_id)
    kind = (
        DocumentKind.ATTORNEY_REFERRAL if str(partner.type) == "attorney" else DocumentKind.AGENCY_PLACEMENT
    )
    evidence = [
        e
        for e in deps.packets.evidence.list_for_case(tenant_id, case_id)
        if e.status == EvidenceStatus.verified
    ]
    inputs = DocumentInputs(
        evidence, partner, case.workflow.demand_issued_on, case.workflow.demand_expires_on
    )
    document_id = _letter_since_assignment(deps.cases.all_events(tenant_id, case_id), kind)
    if document_id is None:  # not a retry after the letter was written
        document_id = generate_document(
            deps.packets.documents, tenant_id, case_id, kind, inputs, SYSTEM, now
        ).document_id
    return {
        "document_id": document_id,
        "wait_seconds": _wait_seconds(deps.acceptance_days, deps.seconds_per_day),
    }


def _letter_since_assignment(events: list[Any], kind: DocumentKind) -> str | None:
    """The referral letter already written for the current assignment (by an attempt that then failed)."""
    for event in reversed(events):
        if event.type == "case.status_changed" and event.data.get("to") == S.assigned:
            return None
        if event.type == "document.generated" and event.data.get("kind") == kind:
            return str(event.data["document_id"])
    return None


def record_decline(
    deps: WorkflowDeps, tenant_id: str, case_id: str, cause: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The partner declined or did not answer: free its capacity, exclude it, route again or escalate."""
    case = deps.cases.get(tenant_id, case_id)
    partner = case.workflow.partner_id
    if case.status != S.assigned or partner is None:
        return {"exhausted": case.status == S.manual_review}
    deps.partners.release(partner)
    timed_out = cause.get("Error") in ("States.Timeout", "States.HeartbeatTimeout")
    reason = "no answer in time" if timed_out else (case.workflow.decline_reason or "declined")
    exhausted = case.workflow.tries >= deps.max_partner_tries

    def apply(c: Case) -> None:
        c.workflow.declined = [*c.workflow.declined, partner]
        c.workflow.partner_id = c.workflow.partner_type = c.workflow.decline_reason = None
        c.workflow.waiting_for = c.workflow.task_token = None
        c.record("assignment.declined", SYSTEM, now, {"partner_id": partner, "reason": reason})
        if exhausted:
            c.transition(
                S.manual_review, SYSTEM, now, f"{c.workflow.tries} partners declined or did not answer"
            )
        else:
            c.transition(S.routing, SYSTEM, now, "rerouting after a decline")

    update_case(deps.cases, tenant_id, case_id, apply)
    return {"exhausted": exhausted}


def start_recovery(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> dict[str, Any]:
    def apply(c: Case) -> None:
        c.workflow.waiting_for = c.workflow.task_token = None
        if c.status == S.accepted:
            c.transition(
                S.in_recovery, SYSTEM, now, "partner started recovery", partner_id=c.workflow.partner_id
            )

    update_case(deps.cases, tenant_id, case_id, apply)
    return {}


def record_failure(
    deps: WorkflowDeps, tenant_id: str, case_id: str, error: dict[str, Any], now: datetime
) -> dict[str, Any]:
    def apply(c: Case) -> None:
        if c.status == S.failed:
            return
        c.workflow.waiting_for = c.workflow.task_token = None
        c.transition(
            S.failed,
            SYSTEM,
            now,
            "a workflow step failed after its retries",
            error=error.get("Error"),
            cause=str(error.get("Cause", ""))[:2000],
        )

    update_case(deps.cases, tenant_id, case_id, apply)
    return {}


# --- actions that steer a running workflow -------------------------------------------------------


def _answer(
    deps: WorkflowDeps,
    case: Case,
    waiting_for: str,
    outcome: dict[str, Any] | None,
    error: tuple[str, str] | None,
) -> None:
    token = case.workflow.task_token if case.workflow.waiting_for == waiting_for else None
    if token is None:
        return
    if error is not None:
        deps.engine.fail(token, *error)
    elif outcome is not None:
        deps.engine.succeed(token, outcome)


def dispute(deps: WorkflowDeps, caller: Principal, case_id: str, reason: str, now: datetime) -> Case:
    assert caller.tenant_id
    before = deps.cases.get(caller.tenant_id, case_id)

    def hold(c: Case) -> None:
        c.workflow.hold_reasons = ["disputed"]
        waiting = c.workflow.waiting_for
        c.workflow.waiting_for = c.workflow.task_token = None
        c.transition(
            S.on_hold, caller.actor, now, "debtor disputes the debt", dispute=reason, waiting=waiting
        )

    case = update_case(deps.cases, caller.tenant_id, case_id, hold)
    if before.workflow.waiting_for == DEBTOR_RESPONSE:
        _answer(deps, before, DEBTOR_RESPONSE, None, ("Disputed", "the debtor disputes the debt"))
    elif before.workflow.execution_arn:
        deps.engine.stop(before.workflow.execution_arn, "case put on hold: disputed")
    if before.workflow.partner_id and before.status == S.assigned:
        deps.partners.release(before.workflow.partner_id)
    return case


def withdraw(deps: WorkflowDeps, caller: Principal, case_id: str, reason: str, now: datetime) -> Case:
    assert caller.tenant_id
    before = deps.cases.get(caller.tenant_id, case_id)

    def pull(c: Case) -> None:
        c.workflow.waiting_for = c.workflow.task_token = None
        c.transition(
            S.withdrawn,
            caller.actor,
            now,
            "withdrawn by the creditor",
            note=reason,
            partner_id=c.workflow.partner_id,
        )

    case = update_case(deps.cases, caller.tenant_id, case_id, pull)
    if before.workflow.waiting_for:
        _answer(deps, before, before.workflow.waiting_for, None, ("Withdrawn", "withdrawn by the creditor"))
    elif before.workflow.execution_arn:
        deps.engine.stop(before.workflow.execution_arn, "withdrawn by the creditor")
    if before.workflow.partner_id:
        deps.partners.release(before.workflow.partner_id)
    return case


def record_direct_payment(
    deps: WorkflowDeps,
    caller: Principal,
    case_id: str,
    payment: Payment,
    now: datetime,
) -> Case:
    """A payment the debtor made straight to the creditor; paying in full ends the response window.

    Its date restarts limitation where the law says so (a part payment in England and Wales).
    """
    assert caller.tenant_id
    before = deps.cases.get(caller.tenant_id, case_id)
    if before.status in (S.closed, S.withdrawn, S.resolved):
        raise ConflictError(f"a {before.status} case takes no more payments")
    problems = []
    try:
        payment = payment.model_copy(update={"amount": exact(payment.amount, before.intake.currency)})
    except AmountScaleError as exc:
        problems.append(FieldProblem(("amount",), str(exc)))
    if payment.on > now.date():
        problems.append(FieldProblem(("paid_on",), "a payment cannot be dated in the future"))
    if payment.invoice is not None and payment.invoice not in {i.number for i in before.intake.invoices}:
        problems.append(FieldProblem(("invoice",), f"the case has no invoice {payment.invoice}"))
    if problems:
        raise InvalidRequestError(problems)

    def pay(c: Case) -> None:
        c.record_payment(payment, caller.actor, now)
        settled = c.claim_as_of(now.date()).standing is Standing.settled  # nothing left owing
        if settled and c.status in (
            S.submitted,
            S.on_hold,
            S.packet_ready,
            S.demand_issued,
        ):
            c.workflow.waiting_for = c.workflow.task_token = None
            c.transition(S.resolved, caller.actor, now, "paid in full before handoff")

    case = update_case(deps.cases, caller.tenant_id, case_id, pay)
    if case.status == S.resolved and before.status != S.resolved:
        if before.workflow.waiting_for == DEBTOR_RESPONSE:
            _answer(deps, before, DEBTOR_RESPONSE, {"outcome": "paid"}, None)
        elif before.workflow.execution_arn:
            deps.engine.stop(before.workflow.execution_arn, "paid in full")
    return case


def partner_answer(
    deps: WorkflowDeps, caller: Principal, case_id: str, accept: bool, reason: str | None, now: datetime
) -> Case:
    """An assigned partner accepts or declines; only the partner the case is assigned to may answer."""
    assert caller.partner_id
    before = assignment(deps, caller.partner_id, case_id)
    if before.status != S.assigned or before.workflow.waiting_for != PARTNER_ACCEPTANCE:
        raise ConflictError(f"the placement is {before.status}; there is nothing to accept or decline now")
    partner_id = caller.partner_id

    def answer(c: Case) -> None:
        if accept:
            c.transition(
                S.accepted, caller.actor, now, "partner accepted the placement", partner_id=partner_id
            )
        else:
            c.workflow.decline_reason = reason
            c.record("assignment.declining", caller.actor, now, {"partner_id": partner_id, "reason": reason})

    case = update_case(deps.cases, before.tenant_id, case_id, answer)
    if accept:
        _answer(deps, before, PARTNER_ACCEPTANCE, {"accepted": True}, None)
    else:
        # The reason stays on the case (erasable), not in the execution history (kept 90 days, not erasable).
        _answer(deps, before, PARTNER_ACCEPTANCE, None, ("Declined", "the partner declined the placement"))
    return case


def release_hold(deps: WorkflowDeps, tenant_id: str, case_id: str, actor: str, now: datetime) -> Case:
    """A hold is lifted (evidence arrived, dispute resolved): check eligibility again in a new run."""
    update_case(
        deps.cases,
        tenant_id,
        case_id,
        lambda c: c.transition(S.submitted, actor, now, "hold released", previous=c.workflow.hold_reasons),
    )
    return start(deps, tenant_id, case_id, actor, now)


def release_if_ready(deps: WorkflowDeps, tenant_id: str, case_id: str, now: datetime) -> bool:
    """A case held only for missing evidence goes back into the workflow once its evidence is complete."""
    case = deps.cases.get(tenant_id, case_id)
    if case.status != S.on_hold or case.workflow.hold_reasons != ["missing_evidence"]:
        return False
    if not readiness(case.intake, deps.packets.evidence.list_for_case(tenant_id, case_id)).ready:
        return False
    release_hold(deps, tenant_id, case_id, SYSTEM, now)
    return True


def review_queue(deps: WorkflowDeps, limit: int = 100) -> list[Case]:
    return [deps.cases.get(t, c) for t, c in deps.cases.on_index("REVIEW", limit)]


def assign_from_review(deps: WorkflowDeps, case_id: str, partner_id: str, actor: str, now: datetime) -> Case:
    """The operator picks the partner for a case in the review queue; the workflow resumes at the referral."""
    from handoff.domain.errors import NotFoundError

    found = [(t, c) for t, c in deps.cases.on_index("REVIEW", 1000) if c == case_id]
    if not found:
        raise NotFoundError(f"case {case_id} is not in the review queue")
    tenant_id = found[0][0]
    today = now.date()
    check_rates_recorded(deps.cases.get(tenant_id, case_id).claim_as_of(today, letter_date=today), case_id)
    partner = deps.partners.get(partner_id)
    if not deps.partners.reserve(partner_id):
        raise ConflictError(f"partner {partner_id} is suspended or at capacity")

    def assign(c: Case) -> None:
        c.workflow.partner_id, c.workflow.partner_type = partner_id, str(partner.type)
        c.workflow.tries = 1
        c.workflow.declined = [p for p in c.workflow.declined if p != partner_id]
        c.claim(placement_claim(partner_id, c))
        c.transition(
            S.assigned, actor, now, "assigned by an operator from the review queue", partner_id=partner_id
        )

    try:
        update_case(deps.cases, tenant_id, case_id, assign)
    except Exception:
        deps.partners.release(partner_id)
        raise
    return start(deps, tenant_id, case_id, actor, now, resume="assignment")


def assignments(deps: WorkflowDeps, partner_id: str, limit: int = 100) -> list[Case]:
    return [deps.cases.get(t, c) for t, c in deps.cases.on_index(f"PARTNER#{partner_id}", limit)]


def assignment(deps: WorkflowDeps, partner_id: str, case_id: str) -> Case:
    """A case assigned to this partner; any other case is indistinguishable from a missing one."""
    from handoff.domain.errors import NotFoundError

    for tenant_id, assigned in deps.cases.on_index(f"PARTNER#{partner_id}", 10_000):
        if assigned == case_id:
            case = deps.cases.get(tenant_id, case_id)
            if case.workflow.partner_id == partner_id:
                return case
    raise NotFoundError(f"case {case_id} not found")
