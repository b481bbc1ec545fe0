"""Build each legal document's context from the case: intake, creditor profile, assessment, partner.

Pure functions (no I/O, no docxtpl). Every amount and date is taken from the intake or from the
`Claim`, never recomputed here, so a letter says what the rule pack computed and names
the rule that gave it. Totals are exact at the currency's minor unit (`Money.of` refuses rounding).

Conventions:
* only invoices with an outstanding balance are itemised;
* a debt is time-barred when the limitation status is `expired` or `extinguished`: the demand
  letter then makes no threat of proceedings, and interest is no longer said to accrue;
* names (debtor, creditor, partner) are passed through untouched — escaping is the renderer's job.

Nothing here is legal advice.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from decimal import ROUND_CEILING, Decimal

import phonenumbers
import pycountry

from handoff.domain.claim import Claim, InvoiceBalance
from handoff.domain.claim.balances import MovementKind
from handoff.domain.documents import (
    DEBT_PROTOCOL_ENCLOSURES,
    AgencyPlacementContext,
    AttorneyReferralContext,
    ChargeLine,
    ClaimSummary,
    ContactSummary,
    DateText,
    DemandLetterContext,
    DocumentContext,
    DocumentKind,
    EvidenceItem,
    FeeTerms,
    InvoiceLine,
    JurisdictionBlock,
    LabelValue,
    LimitationSummary,
    OutcomeCount,
    PartyBlock,
    PaymentLine,
    Percent,
    ResponsePeriod,
    SettlementAuthority,
    StatementOfAccountContext,
    format_date,
    format_percent,
)
from handoff.domain.errors import ConflictError
from handoff.domain.evidence import Evidence, EvidenceKind, EvidenceStatus
from handoff.domain.jurisdictions.limitation import LimitationStatus
from handoff.domain.jurisdictions.sections import Basis, InterestSection, RuleSource
from handoff.domain.models import (
    Address,
    CaseIntake,
    Channel,
    ContactAttempt,
    ContactOutcome,
    Debtor,
    Direction,
    EntityType,
    LateFee,
)
from handoff.domain.money import Money, format_amount, quantum, zero
from handoff.domain.partners import FixedFee, Partner, PartnerType
from handoff.domain.summary import summarize
from handoff.domain.tenants import PaymentInstructions, TenantProfile

ACCEPTANCE_DAYS = 7  # a partner accepts or declines a placement within this many calendar days
TIME_BARRED = frozenset({LimitationStatus.expired, LimitationStatus.extinguished})
DEBT_PROTOCOL_RULE = "response_period.debt_protocol"

# Assessment enclosure codes → as printed (the Debt Protocol's names come from documents.py).
_ENCLOSURES = {
    "information_sheet": "Information Sheet",
    "reply_form": "Reply Form",
    "financial_statement": "Financial Statement",
    "statement_of_account": "Statement of account",
}
# Legal systems wider than one ISO subdivision: English law is the law of England and Wales.
_LEGAL_SYSTEMS = {"GB-ENG": "England and Wales", "GB-WLS": "England and Wales"}
_COUNTRIES_WITH_ARTICLE = frozenset({"GB", "US", "NL", "PH", "AE", "BS", "GM"})  # "the law of the …"
_CITY_STATE_POSTCODE = frozenset({"US", "CA", "AU"})  # "Austin, TX 78744"
_POSTCODE_OWN_LINE = frozenset({"GB", "IE"})  # "Leeds" / "LS1 1AA"
_EVIDENCE_KINDS = {
    EvidenceKind.invoice: "Invoice",
    EvidenceKind.terms: "Signed terms",
    EvidenceKind.correspondence: "Correspondence",
    EvidenceKind.proof_of_delivery: "Proof of delivery",
    EvidenceKind.contact_log: "Contact log",
    EvidenceKind.other: "Other",
}
_CHANNELS = {
    Channel.email: "by email",
    Channel.phone: "by phone",
    Channel.letter: "by letter",
    Channel.sms: "by SMS",
    Channel.in_person: "in person",
    Channel.portal: "through the portal",
}


class DocumentContextError(ConflictError):
    """The case as it stands cannot give this document (nothing owed, no partner, wrong partner type)."""


# ---------------------------------------------------------------------------------------------------------
# Names, addresses, parties
# ---------------------------------------------------------------------------------------------------------


def jurisdiction_name(code: str) -> str:
    """`GB-ENG` → `England`, `GB-WLS` → `Wales`, `DE` → `Germany` (pycountry, alternative names dropped)."""
    found = pycountry.subdivisions.get(code=code) if "-" in code else pycountry.countries.get(alpha_2=code)
    if found is None:
        return code
    name = getattr(found, "common_name", None) or found.name
    return re.sub(r"\s*\[.*\]$", "", name)


def governing_law_text(code: str | None) -> str:
    """`GB-ENG` → `the law of England and Wales`; `US` → `the law of the United States`."""
    if code is None:
        return "the applicable law (no choice of law in the terms)"
    name = _LEGAL_SYSTEMS.get(code) or jurisdiction_name(code)
    article = "the " if code in _COUNTRIES_WITH_ARTICLE else ""
    return f"the law of {article}{name}"


def _phone(value: str | None) -> str | None:
    if value is None:
        return None
    return phonenumbers.format_number(
        phonenumbers.parse(value, None), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def _locality_lines(address: Address) -> list[str]:
    postal = address.postal_code
    if address.country in _CITY_STATE_POSTCODE and address.subdivision:
        region = address.subdivision.split("-", 1)[1]
        return [" ".join(filter(None, [f"{address.city},", region, postal]))]
    if address.country in _POSTCODE_OWN_LINE:
        return [address.city, *([postal] if postal else [])]
    return [" ".join(filter(None, [postal, address.city]))]


def address_lines(address: Address, *, country: bool = True) -> list[str]:
    """Street lines, locality in the country's usual order, then the country name."""
    lines = [*address.lines, *_locality_lines(address)]
    return [*lines, jurisdiction_name(address.country)] if country else lines


def _creditor_party(creditor: TenantProfile) -> PartyBlock:
    registration = creditor.registration_number
    return PartyBlock(
        name=creditor.legal_name,
        description=f"Registration no. {registration}" if registration else None,
        address_lines=address_lines(creditor.address),
        contact_name=creditor.contact.name,
        email=creditor.contact.email,
        phone=_phone(creditor.contact.phone),
    )


def _debtor_description(debtor: Debtor) -> str | None:
    number = debtor.registration_number
    match debtor.entity_type:
        case EntityType.company:
            return f"Company no. {number}" if number else "Company"
        case EntityType.sole_trader:
            return "Sole trader"
        case EntityType.partnership:
            return f"Partnership no. {number}" if number else "Partnership"
        case EntityType.individual:
            return None


def _debtor_party(debtor: Debtor) -> PartyBlock:
    contacts = debtor.contacts
    return PartyBlock(
        name=debtor.legal_name,
        description=_debtor_description(debtor),
        address_lines=address_lines(debtor.address),
        contact_name=next((c.name for c in contacts if c.name), None),
        email=next((str(c.email) for c in contacts if c.email), None),
        phone=_phone(next((c.phone for c in contacts if c.phone), None)),
    )


def _partner_party(partner: Partner) -> PartyBlock:
    return PartyBlock(name=partner.name, address_lines=[], email=str(partner.contact_email))


def _jurisdiction(intake: CaseIntake, assessment: Claim) -> JurisdictionBlock:
    code = assessment.jurisdiction or intake.debtor.address.country
    law = intake.terms.governing_law
    resolved = assessment.law_jurisdiction
    if law is not None and "-" not in law and resolved is not None and resolved.startswith(f"{law}-"):
        law = resolved  # a bare "GB" resolved by the assessment to the debtor's legal system
    return JurisdictionBlock(code=code, name=jurisdiction_name(code), governing_law=governing_law_text(law))


# ---------------------------------------------------------------------------------------------------------
# Invoices and charges
# ---------------------------------------------------------------------------------------------------------


def _outstanding(intake: CaseIntake, assessment: Claim) -> list[InvoiceBalance]:
    unpaid = [invoice for invoice in assessment.invoices if invoice.outstanding > 0]
    if not unpaid:
        raise DocumentContextError(f"nothing is outstanding on case {intake.creditor_reference}")
    return unpaid


def _invoice_lines(intake: CaseIntake, assessment: Claim, on: date) -> list[InvoiceLine]:
    currency = intake.currency
    descriptions = {invoice.number: invoice.description for invoice in intake.invoices}
    return [
        InvoiceLine(
            number=invoice.number,
            description=descriptions.get(invoice.number),
            issued_on=DateText.of(invoice.issued_on),
            due_on=DateText.of(invoice.due_on),
            amount=Money.of(invoice.amount, currency),
            paid=Money.of(invoice.paid + invoice.credited, currency),
            outstanding=Money.of(invoice.outstanding, currency),
            days_past_due=max((on - invoice.due_on).days, 0),
        )
        for invoice in _outstanding(intake, assessment)
    ]


def _sum(amounts: Sequence[Decimal], currency: str) -> Money:
    return Money.of(sum(amounts, zero(currency)), currency)


def _and(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _citation(section: RuleSource) -> str:
    """The rule's primary source (the pack lists it first) and, for pack rules, the rule id."""
    cite = section.citations[0].cite if section.citations else "the terms of the contract"
    if section.rule_jurisdiction and section.rule_id:
        return f"{cite} (Handoff rule {section.rule_jurisdiction}/{section.rule_id})"
    return cite


def _rate_text(section: InterestSection, *, reference: bool = True) -> str:
    """`11.75% a year, simple (reference rate of 3.75% plus 8 percentage points)`."""
    rates = f"{_and([format_percent(r) for r in section.rates_percent])} a year, simple"
    pairs = {(s.rate_percent, s.reference_percent) for i in section.invoices for s in i.segments}
    if not reference or len(pairs) != 1:
        return rates
    rate, base = pairs.pop()
    if base is None:
        return rates
    margin = format_percent(rate - base).removesuffix("%")
    return f"{rates} (reference rate of {format_percent(base)} plus {margin} percentage points)"


def _daily_amount(section: InterestSection) -> Money | None:
    """What accrues per day from now: the last segment's daily amount of each invoice (daily rounding)."""
    dailies = [i.segments[-1].daily_amount for i in section.invoices if i.segments]
    if not dailies or any(d is None for d in dailies):
        return None
    return _sum([d for d in dailies if d is not None], section.currency)


def _interest_line(intake: CaseIntake, assessment: Claim, time_barred: bool) -> ChargeLine | None:
    section = assessment.interest
    if section.basis is Basis.none or not section.invoices or section.total <= 0:
        return None
    due = {invoice.number: invoice.due_on for invoice in intake.invoices}
    day_after = all(i.starts_on == due[i.number] + timedelta(days=1) for i in section.invoices)
    start = "the day after its due date" if day_after else "the day interest starts on it"
    return ChargeLine(
        label="Statutory interest" if section.basis is Basis.statutory else "Contractual interest",
        amount=Money.of(section.total, section.currency),
        basis=f"{_rate_text(section)}, on each invoice's outstanding amount from {start} "
        f"to {format_date(assessment.as_of)}",
        citation=_citation(section),
        continues_to_accrue=not time_barred,
        daily_amount=None if time_barred else _daily_amount(section),
    )


def _per_invoice(rows: Sequence[tuple[str, Decimal]], currency: str) -> str:
    """`£70.00 for INV-1001 and £40.00 for each of INV-1002 and INV-1003`."""
    groups: dict[Decimal, list[str]] = defaultdict(list)
    for number, amount in rows:
        groups[amount].append(number)
    parts = [
        f"{format_amount(amount, currency)} for {'each of ' if len(numbers) > 1 else ''}{_and(numbers)}"
        for amount, numbers in groups.items()
    ]
    return _and(parts)


def _compensation_line(assessment: Claim) -> ChargeLine | None:
    section = assessment.compensation
    if not section.invoices or section.total <= 0:
        return None
    return ChargeLine(
        label="Fixed compensation",
        amount=Money.of(section.total, section.currency),
        basis=_per_invoice([(r.number, r.amount) for r in section.invoices], section.currency),
        citation=_citation(section),
        continues_to_accrue=False,
    )


def _late_fee_basis(fee: LateFee, currency: str, numbers: list[str]) -> str:
    parts = [f"{format_amount(fee.amount, currency)}"] if fee.amount else []
    if fee.percent:
        parts.append(f"{format_percent(fee.percent)} of the outstanding amount")
    return f"{' plus '.join(parts)} for each overdue invoice ({_and(numbers)})"


def _late_fee_lines(intake: CaseIntake, assessment: Claim) -> list[ChargeLine]:
    section, fee = assessment.late_fees, intake.terms.late_fee
    if fee is None or not section.invoices or section.total <= 0:
        return []
    reference = intake.terms.agreement_reference
    numbers = [r.number for r in section.invoices]
    return [
        ChargeLine(
            label="Contractual late fee",
            amount=Money.of(section.total, section.currency),
            basis=_late_fee_basis(fee, section.currency, numbers),
            citation=f"Contract terms {reference}" if reference else "the terms of the contract",
            continues_to_accrue=False,
        )
    ]


def _award_lines(assessment: Claim) -> list[ChargeLine]:
    """Costs and interest a court awarded, still owed: the judgment replaced the claim's own charges."""
    if not assessment.awards:
        return []
    judgments = [a.judgment for a in assessment.awards]
    cite = "; ".join(
        ", ".join(x for x in (f"Judgment of {format_date(j.on)}", j.note, j.reference) if x)
        for j in judgments
    )
    rows = (
        ("Costs awarded by the court", assessment.judgment_costs),
        ("Interest awarded by the court", assessment.judgment_interest),
    )
    return [
        ChargeLine(
            label=label,
            amount=Money.of(amount, assessment.currency),
            basis="as the court awarded, less what has been paid towards it",
            citation=cite,
            continues_to_accrue=False,
        )
        for label, amount in rows
        if amount > 0
    ]


@dataclass(frozen=True)
class _Claim:
    """The amounts every document shares: itemised invoices, charges with their rules, total."""

    invoices: list[InvoiceLine]
    principal: Money
    interest: ChargeLine | None
    compensation: ChargeLine | None
    late_fees: list[ChargeLine]
    total: Money
    time_barred: bool

    @property
    def charges(self) -> list[ChargeLine]:
        return [c for c in (self.interest, self.compensation) if c is not None] + self.late_fees


def is_time_barred(assessment: Claim) -> bool:
    return assessment.limitation.status in TIME_BARRED


def _claim(intake: CaseIntake, assessment: Claim, on: date) -> _Claim:
    currency = intake.currency
    barred = is_time_barred(assessment)
    return _Claim(
        invoices=_invoice_lines(intake, assessment, on),
        principal=Money.of(assessment.principal, currency),
        interest=_interest_line(intake, assessment, barred),
        compensation=_compensation_line(assessment),
        late_fees=_late_fee_lines(intake, assessment) + _award_lines(assessment),
        total=Money.of(assessment.total, currency),
        time_barred=barred,
    )


# ---------------------------------------------------------------------------------------------------------
# Demand letter
# ---------------------------------------------------------------------------------------------------------


def _payment_details(instructions: PaymentInstructions) -> list[LabelValue]:
    rows = [
        ("Account name", instructions.account_name),
        ("Bank", instructions.bank_name),
        ("IBAN", instructions.iban),
        ("BIC", instructions.bic),
        ("Sort code", instructions.sort_code),
        ("Account number", instructions.account_number),
        ("Routing number", instructions.routing_number),
        ("Pay online", instructions.pay_url),
        ("Also quote", instructions.reference_hint),
    ]
    return [LabelValue(label=label, value=value) for label, value in rows if value]


def _dispute_contact(creditor: TenantProfile, debtor_country: str) -> str:
    address = creditor.address
    lines = [*address.lines, " ".join(_locality_lines(address))]
    if address.country != debtor_country:
        lines.append(jurisdiction_name(address.country))
    return f"{creditor.contact.name}, {creditor.legal_name}, {', '.join(lines)}, or {creditor.contact.email}"


def _enclosures(assessment: Claim) -> list[str]:
    return [
        _ENCLOSURES.get(code, code.replace("_", " ").capitalize()) for code in assessment.response.enclosures
    ]


def is_debt_protocol(assessment: Claim) -> bool:
    """The Pre-Action Protocol for Debt Claims applies: the assessment picked its response rule."""
    return assessment.response.rule_id == DEBT_PROTOCOL_RULE


def _check_same_day(what: str, expected: date, given: date) -> None:
    if expected != given:
        raise ValueError(f"the assessment's {what} is {expected}, the document's date is {given}")


def demand_letter(
    case_id: str,
    intake: CaseIntake,
    creditor: TenantProfile,
    assessment: Claim,
    letter_date: date,
) -> DemandLetterContext:
    """Letter before action dated `letter_date`; the assessment's response period must start that day."""
    _check_same_day("response period start", assessment.response.starts_on, letter_date)
    claim = _claim(intake, assessment, letter_date)
    protocol = is_debt_protocol(assessment)
    enclosures = _enclosures(assessment)
    if protocol:  # the protocol's own order, then anything else the rule asks for
        enclosures = [
            *DEBT_PROTOCOL_ENCLOSURES,
            *(e for e in enclosures if e not in DEBT_PROTOCOL_ENCLOSURES),
        ]
    response = assessment.response
    return DemandLetterContext(
        letter_date=DateText.of(letter_date),
        creditor=_creditor_party(creditor),
        debtor=_debtor_party(intake.debtor),
        creditor_reference=intake.creditor_reference,
        agreement_reference=intake.terms.agreement_reference,
        jurisdiction=_jurisdiction(intake, assessment),
        invoices=claim.invoices,
        principal=claim.principal,
        interest=claim.interest,
        compensation=claim.compensation,
        late_fees=claim.late_fees,
        total=claim.total,
        response_deadline=DateText.of(response.deadline),
        response_period=ResponsePeriod.of(response.days, business_days=response.business_days),
        payment_details=_payment_details(creditor.payment_instructions),
        payment_reference=intake.creditor_reference,
        dispute_contact=_dispute_contact(creditor, intake.debtor.address.country),
        debt_protocol=protocol,
        time_barred=claim.time_barred,
        enclosures=enclosures,
        signatory=creditor.contact.name,
    )


# ---------------------------------------------------------------------------------------------------------
# Statement of account
# ---------------------------------------------------------------------------------------------------------


_MOVEMENT_TEXT = {
    MovementKind.paid_undated: "Paid before the case was submitted (date not recorded)",
    MovementKind.credit_note: "Credit note",
}
_PAYMENT_TEXT = {
    "intake": "Payment",
    "direct": "Payment received",
    "collected": "Payment collected on our behalf",
    "confirmed": "Payment received (confirmed)",
}


def _payment_lines(assessment: Claim, invoices: list[InvoiceLine], currency: str) -> list[PaymentLine]:
    """Every payment and credit the claim applied, dated; an undated `paid` says it has no date."""
    shown = {line.number for line in invoices}
    rows = [
        (movement, balance.number)
        for balance in assessment.invoices
        if balance.number in shown
        for movement in balance.movements
    ]
    return [
        PaymentLine(
            received_on=DateText.of(movement.on),
            reference=movement.reference
            or _MOVEMENT_TEXT.get(movement.kind, _PAYMENT_TEXT.get(movement.source or "", "Payment")),
            amount=Money.of(movement.amount, currency),
            allocated_to=number,
        )
        for movement, number in sorted(rows, key=lambda r: r[0].on)
    ]


def statement_of_account(
    case_id: str,
    intake: CaseIntake,
    creditor: TenantProfile,
    assessment: Claim,
    as_of: date,
) -> StatementOfAccountContext:
    """Balance on `as_of` (the assessment's date), with every payment and credit the claim applied."""
    _check_same_day("as_of", assessment.as_of, as_of)
    currency = intake.currency
    claim = _claim(intake, assessment, as_of)
    paid_total = _sum([line.paid.amount for line in claim.invoices], currency)
    lines = _payment_lines(assessment, claim.invoices, currency)
    return StatementOfAccountContext(
        as_of=DateText.of(as_of),
        creditor=_creditor_party(creditor),
        debtor=_debtor_party(intake.debtor),
        creditor_reference=intake.creditor_reference,
        currency=currency,
        invoices=claim.invoices,
        payments=lines,
        invoiced_total=_sum([line.amount.amount for line in claim.invoices], currency),
        paid_total=paid_total,
        principal=claim.principal,
        charges=claim.charges,
        balance=claim.total,
    )


# ---------------------------------------------------------------------------------------------------------
# Placement and referral letters
# ---------------------------------------------------------------------------------------------------------


def _interest_basis(claim: _Claim, assessment: Claim) -> str:
    line = claim.interest
    if line is None:
        reason = assessment.interest.reason
        return f"None claimed{f' ({reason})' if reason else ''}"
    kind = "Statutory" if assessment.interest.basis is Basis.statutory else "Contractual"
    rate = _rate_text(assessment.interest, reference=False)
    cite = assessment.interest.citations[0].cite if assessment.interest.citations else "contract"
    accrual = ""
    if line.continues_to_accrue:
        accrual = (
            f"; continues at {line.daily_amount} a day" if line.daily_amount else "; continues to accrue"
        )
    return f"{kind}, {rate} ({cite}){accrual}"


def _last_payment(assessment: Claim, currency: str) -> str | None:
    last = assessment.last_payment
    if last is None:
        return None
    return f"{format_amount(last.amount, currency)} on {format_date(last.on)}"


def _claim_summary(
    intake: CaseIntake,
    assessment: Claim,
    letter_date: date,
    demand: tuple[date | None, date | None],
) -> ClaimSummary:
    claim = _claim(intake, assessment, letter_date)
    summary = summarize(intake, assessment)
    issued, expired = demand
    return ClaimSummary(
        currency=intake.currency,
        principal=claim.principal,
        interest=Money.of(assessment.interest.total, intake.currency),
        interest_basis=_interest_basis(claim, assessment),
        compensation=Money.of(assessment.compensation.total, intake.currency),
        late_fees=Money.of(assessment.late_fees.total, intake.currency),
        awarded=Money.of(assessment.judgment_costs + assessment.judgment_interest, intake.currency),
        total=claim.total,
        invoice_count=len(claim.invoices),
        oldest_due_date=DateText.of(summary.oldest_due_on or letter_date),
        days_past_due=summary.days_past_due,
        last_payment=_last_payment(assessment, intake.currency),
        demand_issued_on=DateText.of(issued) if issued else None,
        demand_expired_on=DateText.of(expired) if expired else None,
    )


def _evidence_items(evidence: Sequence[Evidence]) -> list[EvidenceItem]:
    """Verified evidence only: nothing else enters the packet."""
    return [
        EvidenceItem(
            file_name=item.path_in_packet,
            kind=_EVIDENCE_KINDS[item.declaration.kind],
            sha256_short=item.declaration.sha256[:12],
        )
        for item in evidence
        if item.status is EvidenceStatus.verified
    ]


def _outcome_label(outcome: ContactOutcome) -> str:
    return outcome.value.replace("_", " ").capitalize()


def _contact_text(contact: ContactAttempt) -> str:
    day = format_date(contact.at.astimezone(UTC).date())
    source = "from the debtor " if contact.direction is Direction.inbound else ""
    return f"{day} {source}{_CHANNELS[contact.channel]}: {_outcome_label(contact.outcome).lower()}"


def _contact_summary(intake: CaseIntake) -> ContactSummary:
    """Outbound attempts (the creditor's own efforts) by outcome; the last contact in either direction."""
    outbound = [c for c in intake.contact_log if c.direction is Direction.outbound]
    order = list(ContactOutcome)
    counts = Counter(c.outcome for c in outbound)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], order.index(item[0])))
    last = max(intake.contact_log, key=lambda c: c.at, default=None)
    return ContactSummary(
        attempts=len(outbound),
        by_outcome=[OutcomeCount(outcome=_outcome_label(o), count=n) for o, n in ranked],
        last_contact=_contact_text(last) if last else None,
    )


def _recall_fee(partner: Partner) -> str:
    fee = partner.fee_terms.recall_fee
    if fee is None:
        return "None"
    if isinstance(fee, FixedFee):
        return f"{format_amount(fee.amount.amount, fee.amount.currency)} if the client withdraws the case"
    return f"{format_percent(fee.percent)} of the balance if the client withdraws the case"


def _fee_terms(partner: Partner) -> FeeTerms:
    terms = partner.fee_terms
    days = terms.exclusivity_days
    direct = "None"
    if terms.direct_payment_fee_percent > 0:
        window = f"within {days} days of placement" if days else "after placement"
        direct = f"{format_percent(terms.direct_payment_fee_percent)} of payments made to the client {window}"
    return FeeTerms(
        contingency=Percent.of(terms.contingency_percent),
        direct_payment_fee=direct,
        recall_fee=_recall_fee(partner),
        exclusivity=f"{days} days from placement" if days else None,
    )


def _settlement_authority(intake: CaseIntake, total: Money) -> SettlementAuthority:
    """The lowest settlement, rounded up so that the partner never settles below the share.

    Without a percentage in the intake the partner has no authority to discount (100%)."""
    percent = intake.settlement_authority_percent
    share = Decimal(100) if percent is None else percent
    minimum = (total.amount * share / 100).quantize(quantum(total.currency), rounding=ROUND_CEILING)
    return SettlementAuthority(percent=Percent.of(share), minimum=Money.of(minimum, total.currency))


def _limitation(assessment: Claim) -> LimitationSummary:
    section = assessment.limitation
    if section.years is None:
        basis = f"Not assessed: {section.reason or 'no limitation rule'}; check the period locally"
    else:
        cite = section.citations[0].cite if section.citations else "rule pack"
        restarted = f", restarted on {format_date(section.restarted_on)}" if section.restarted_on else ""
        basis = f"{section.years} years ({cite}){restarted}"
    if section.status is LimitationStatus.extinguished:
        basis += "; the debt itself is extinguished"
    return LimitationSummary(
        ends_on=DateText.of(section.ends_on) if section.ends_on else None,
        basis=basis.rstrip("."),
        time_barred=is_time_barred(assessment),
    )


def _debtor_notes(intake: CaseIntake, creditor: TenantProfile, assessment: Claim) -> list[str]:
    debtor, flags = intake.debtor, intake.debtor.flags
    notes = [
        *(["The debtor has disputed the debt"] if flags.disputed else []),
        *(["Reported insolvent or bankrupt"] if flags.insolvent else []),
        *(["History of legal disputes"] if flags.prior_legal_disputes else []),
        *(["The claim is time-barred: make no threat of proceedings"] if is_time_barred(assessment) else []),
    ]
    notes += [
        f"Promised to pay on {format_date(c.at.astimezone(UTC).date())}"
        for c in intake.contact_log
        if c.outcome is ContactOutcome.promised_to_pay
    ]
    if debtor.address.country != creditor.address.country:
        notes.append(
            f"Debtor is in another country than the creditor ({jurisdiction_name(debtor.address.country)})"
        )
    elif (debtor.address.subdivision or "") != (creditor.address.subdivision or ""):
        region = jurisdiction_name(debtor.address.subdivision or debtor.address.country)
        notes.append(f"Debtor is in another state or region than the creditor ({region})")
    return notes


def _forwarding_fields(
    case_id: str,
    intake: CaseIntake,
    creditor: TenantProfile,
    assessment: Claim,
    evidence: Sequence[Evidence],
    partner: Partner,
    letter_date: date,
    demand: tuple[date | None, date | None],
) -> dict[str, object]:
    claim = _claim_summary(intake, assessment, letter_date, demand)
    return {
        "letter_date": DateText.of(letter_date),
        "creditor": _creditor_party(creditor),
        "partner": _partner_party(partner),
        "debtor": _debtor_party(intake.debtor),
        "case_id": case_id,
        "creditor_reference": intake.creditor_reference,
        "jurisdiction": _jurisdiction(intake, assessment),
        "claim": claim,
        "evidence": _evidence_items(evidence),
        "contact_summary": _contact_summary(intake),
        "fee_terms": _fee_terms(partner),
        "settlement_authority": _settlement_authority(intake, claim.total),
        "limitation": _limitation(assessment),
        "debtor_notes": _debtor_notes(intake, creditor, assessment),
        "acceptance_deadline": DateText.of(letter_date + timedelta(days=ACCEPTANCE_DAYS)),
        "signatory": creditor.contact.name,
    }


def _require_partner(partner: Partner | None, wanted: PartnerType) -> Partner:
    if partner is None:
        raise DocumentContextError(f"a letter to an {wanted} needs the assigned partner; there is none")
    if partner.type != wanted:
        raise DocumentContextError(f"partner {partner.partner_id} is an {partner.type}, not an {wanted}")
    return partner


def agency_placement(
    case_id: str,
    intake: CaseIntake,
    creditor: TenantProfile,
    assessment: Claim,
    evidence: Sequence[Evidence],
    partner: Partner,
    letter_date: date,
    demand_issued_on: date | None,
    demand_expired_on: date | None,
) -> AgencyPlacementContext:
    agency = _require_partner(partner, PartnerType.agency)
    demand = (demand_issued_on, demand_expired_on)
    fields = _forwarding_fields(case_id, intake, creditor, assessment, evidence, agency, letter_date, demand)
    return AgencyPlacementContext.model_validate(fields)


def _instructions(assessment: Claim, intake: CaseIntake) -> list[str]:
    steps = ["Review the claim and the evidence and confirm whether you accept the instruction."]
    if is_time_barred(assessment):
        steps.append("The claim appears time-barred: advise us before any step, and threaten no proceedings.")
    elif intake.debtor.flags.insolvent:
        steps.append("The debtor is reported insolvent: advise us on proving in the insolvency.")
    else:
        steps.append("Send a letter of claim on your letterhead if you consider it needed.")
    steps.append("Report your recommended next step and an estimate of costs before incurring them.")
    return steps


def attorney_referral(
    case_id: str,
    intake: CaseIntake,
    creditor: TenantProfile,
    assessment: Claim,
    evidence: Sequence[Evidence],
    partner: Partner,
    letter_date: date,
    demand_issued_on: date | None,
    demand_expired_on: date | None,
    costs_authority: Decimal | None = None,
) -> AttorneyReferralContext:
    """Referral to a law firm; `costs_authority` (disbursements allowed unasked) defaults to nothing."""
    firm = _require_partner(partner, PartnerType.attorney)
    demand = (demand_issued_on, demand_expired_on)
    fields = _forwarding_fields(case_id, intake, creditor, assessment, evidence, firm, letter_date, demand)
    costs = costs_authority if costs_authority is not None else zero(intake.currency)
    return AttorneyReferralContext.model_validate(
        {
            **fields,
            "instructions": _instructions(assessment, intake),
            "costs_authority": Money.of(costs, intake.currency),
        }
    )


# ---------------------------------------------------------------------------------------------------------
# Dispatch
# ---------------------------------------------------------------------------------------------------------


def build_context(
    kind: DocumentKind | str,
    *,
    case_id: str,
    intake: CaseIntake,
    creditor: TenantProfile,
    assessment: Claim,
    today: date,
    evidence: Sequence[Evidence] = (),
    partner: Partner | None = None,
    demand_issued_on: date | None = None,
    demand_expired_on: date | None = None,
) -> DocumentContext:
    """The context of `kind` dated `today` (letter date, or the statement's as-of date)."""
    match DocumentKind(kind):
        case DocumentKind.DEMAND_LETTER:
            return demand_letter(case_id, intake, creditor, assessment, today)
        case DocumentKind.STATEMENT_OF_ACCOUNT:
            return statement_of_account(case_id, intake, creditor, assessment, today)
        case DocumentKind.AGENCY_PLACEMENT:
            agency = _require_partner(partner, PartnerType.agency)
            return agency_placement(
                case_id, intake, creditor, assessment, evidence, agency, today,
                demand_issued_on, demand_expired_on,
            )  # fmt: skip
        case DocumentKind.ATTORNEY_REFERRAL:
            firm = _require_partner(partner, PartnerType.attorney)
            return attorney_referral(
                case_id, intake, creditor, assessment, evidence, firm, today,
                demand_issued_on, demand_expired_on,
            )  # fmt: skip


__all__ = [
    "ACCEPTANCE_DAYS",
    "DocumentContextError",
    "address_lines",
    "agency_placement",
    "attorney_referral",
    "build_context",
    "demand_letter",
    "governing_law_text",
    "is_debt_protocol",
    "is_time_barred",
    "jurisdiction_name",
    "statement_of_account",
]
