"""Document contexts built from the example cases, rendered with the real templates and read back."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from handoff.adapters.docx_renderer import render
from handoff.domain.claim import Claim as LegalAssessment
from handoff.domain.claim import claim_as_of
from handoff.domain.document_contexts import (
    DocumentContextError,
    build_context,
    demand_letter,
    governing_law_text,
    jurisdiction_name,
    statement_of_account,
)
from handoff.domain.documents import (
    DEBT_PROTOCOL_ENCLOSURES,
    AgencyPlacementContext,
    AttorneyReferralContext,
    DemandLetterContext,
    DocumentKind,
    DocumentModel,
    StatementOfAccountContext,
)
from handoff.domain.evidence import Evidence, EvidenceDeclaration, EvidenceStatus
from handoff.domain.models import CaseIntake
from handoff.domain.money import Money, minor_unit
from handoff.domain.partners import Partner
from handoff.domain.tenants import TenantProfile
from tests.conftest import load_example
from tests.unit.test_templates import THREATS, document_text

TODAY = date(2026, 8, 3)
CASE_ID = "case_019a3f2c5e7d4b10aa00"
EXAMPLES = {
    "acme-northwind-gb": "acme",
    "acme-sole-trader-wales": "acme",
    "globex-initech-ca": "globex",
    "globex-muller-de": "globex",
}


# --- given ---------------------------------------------------------------------------------------


def case(name: str = "acme-northwind-gb", edit: Callable[[dict[str, Any]], None] | None = None) -> CaseIntake:
    payload = copy.deepcopy(load_example(f"cases/{name}.json"))
    if edit:
        edit(payload)
    return CaseIntake.model_validate(payload)


def tenant(name: str = "acme") -> TenantProfile:
    return TenantProfile.model_validate(load_example(f"tenants/{name}.json"))


def partner(kind: str = "agency", currency: str = "GBP") -> Partner:
    return Partner.model_validate(
        {
            "partner_id": f"ptn_{kind}",
            "name": "Hart & Cole LLP" if kind == "attorney" else "Ledger Recovery Services Ltd",
            "type": kind,
            "jurisdictions": ["*"],
            "amount_bands": [{"currency": currency}],
            "debt_types": ["commercial"],
            "capacity": 10,
            "fee_terms": {
                "contingency_percent": "15",
                "direct_payment_fee_percent": "10",
                "exclusivity_days": 90,
                "recall_fee": {"kind": "percent", "percent": "5"},
            },
            "contact_email": "placements@partner.example",
        }
    )


def evidence(kind: str, filename: str, status: EvidenceStatus = EvidenceStatus.verified) -> Evidence:
    declaration = EvidenceDeclaration(
        kind=kind,
        filename=filename,
        content_type="application/pdf",
        size=1024,
        sha256="3f9a1c0d2b7e" + "0" * 52,
        invoice_number="INV-1001" if kind == "invoice" else None,
    )
    return Evidence(
        evidence_id="ev_1",
        tenant_id="ten_1",
        case_id=CASE_ID,
        declaration=declaration,
        status=status,
        created_at=datetime(2026, 7, 1, tzinfo=UTC),
        key="k",
    )


def assessed(intake: CaseIntake, on: date = TODAY) -> LegalAssessment:
    return claim_as_of(intake, None, on, letter_date=on)


def build(kind: DocumentKind, intake: CaseIntake, creditor: TenantProfile, **extra: Any) -> DocumentModel:
    inputs: dict[str, Any] = {
        "case_id": CASE_ID,
        "intake": intake,
        "creditor": creditor,
        "assessment": assessed(intake),
        "today": TODAY,
        "evidence": [evidence("invoice", "INV-1001.pdf")],
        "partner": partner("attorney" if kind == DocumentKind.ATTORNEY_REFERRAL else "agency"),
        "demand_issued_on": date(2026, 7, 1),
        "demand_expired_on": date(2026, 7, 15),
    }
    return build_context(kind, **(inputs | extra))


def rendered_text(kind: DocumentKind, context: DocumentModel) -> str:
    return document_text(render(kind, context).content)


def total_of(context: DocumentModel) -> Any:
    match context:
        case DemandLetterContext():
            return context.total
        case StatementOfAccountContext():
            return context.balance
        case AgencyPlacementContext() | AttorneyReferralContext():
            return context.claim.total
    raise AssertionError(type(context))


def old_due_dates(payload: dict[str, Any]) -> None:
    for invoice in payload["invoices"]:
        invoice["issued_on"] = "2015-01-05"
        invoice["due_on"] = "2015-02-04"


# --- every example, every document -----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(DocumentKind))
@pytest.mark.parametrize("name", list(EXAMPLES))
def test_each_example_renders_with_its_total_and_reference(name: str, kind: DocumentKind) -> None:
    # Given an example case and its creditor; When its document is built and rendered
    intake, creditor = case(name), tenant(EXAMPLES[name])
    context = build(kind, intake, creditor)
    text = rendered_text(kind, context)

    # Then the text carries the total, the creditor's reference and the date that matters
    assert str(total_of(context)) in text
    assert intake.creditor_reference in text
    if isinstance(context, DemandLetterContext):
        assert str(context.response_deadline) in text
    if isinstance(context, AgencyPlacementContext | AttorneyReferralContext):
        assert str(context.acceptance_deadline) in text


def test_northwind_demand_letter_prints_total_deadline_rules_and_payment_details() -> None:
    intake = case()
    context = build(DocumentKind.DEMAND_LETTER, intake, tenant())
    assert isinstance(context, DemandLetterContext)
    text = rendered_text(DocumentKind.DEMAND_LETTER, context)

    # 1,250.00 + 16,000.00 principal; interest and compensation from the GB-ENG rules on 3 August 2026
    assert context.principal.amount == Decimal("17250.00")
    assert context.total.text == "£17,615.72"
    assert context.response_deadline.value == date(2026, 8, 17)  # 14 calendar days (PD-PAC)
    assert context.response_period.text == "14 days"
    assert "Please pay £17,615.72 by 17 August 2026" in text
    assert "Our reference: ACME-2026-0042" in text
    assert context.jurisdiction.name == "England"
    assert context.jurisdiction.governing_law == "the law of England and Wales"
    assert not context.debt_protocol and not context.time_barred
    assert [(row.label, row.value) for row in context.payment_details][:4] == [
        ("Account name", "Acme Supplies Ltd"),
        ("Bank", "Example Bank plc"),
        ("Sort code", "12-34-56"),
        ("Account number", "12345678"),
    ]
    assert context.dispute_contact == (
        "Credit Control, Acme Supplies Ltd, 5 Mill Lane, York YO1 7HH, or credit@acme.example"
    )
    assert context.debtor.phone == "+44 113 200 0000"


def test_interest_and_compensation_name_their_rule_and_interest_keeps_accruing() -> None:
    context = build(DocumentKind.DEMAND_LETTER, case(), tenant())
    assert isinstance(context, DemandLetterContext)
    interest, compensation = context.interest, context.compensation
    assert interest is not None and compensation is not None

    assert interest.label == "Statutory interest"
    assert "Late Payment of Commercial Debts (Interest) Act 1998" in interest.citation
    assert "GB-ENG/statutory_interest" in interest.citation
    assert interest.basis.startswith(
        "11.75% a year, simple (reference rate of 3.75% plus 8 percentage points)"
    )
    assert interest.continues_to_accrue
    assert interest.daily_amount is not None and interest.daily_amount.text == "£5.55"  # 0.40 + 5.15
    assert compensation.amount.amount == Decimal("170.00")
    assert compensation.basis == "£70.00 for INV-1001 and £100.00 for INV-1017"
    assert "s.5A" in compensation.citation and "GB-ENG/fixed_compensation" in compensation.citation
    assert not compensation.continues_to_accrue

    text = rendered_text(DocumentKind.DEMAND_LETTER, context)
    assert "Interest continues to accrue at £5.55 a day until payment." in text


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_totals_add_up_to_the_minor_unit(name: str) -> None:
    intake, creditor = case(name), tenant(EXAMPLES[name])
    letter = build(DocumentKind.DEMAND_LETTER, intake, creditor)
    statement = build(DocumentKind.STATEMENT_OF_ACCOUNT, intake, creditor)
    placement = build(DocumentKind.AGENCY_PLACEMENT, intake, creditor)
    assert isinstance(letter, DemandLetterContext)
    assert isinstance(statement, StatementOfAccountContext)
    assert isinstance(placement, AgencyPlacementContext)

    charges = [c for c in (letter.interest, letter.compensation, *letter.late_fees) if c is not None]
    assert letter.principal.amount == sum(line.outstanding.amount for line in letter.invoices)
    assert letter.total.amount == letter.principal.amount + sum(c.amount.amount for c in charges)
    assert statement.balance.amount == statement.principal.amount + sum(
        c.amount.amount for c in statement.charges
    )
    claim = placement.claim
    assert claim.total.amount == (
        claim.principal.amount + claim.interest.amount + claim.compensation.amount + claim.late_fees.amount
    )
    assert letter.total == statement.balance == claim.total
    assert letter.total.amount.as_tuple().exponent == -minor_unit(intake.currency)
    assert statement.invoiced_total.amount - statement.paid_total.amount == statement.principal.amount


def test_contractual_interest_and_late_fee_come_from_the_contract() -> None:
    context = build(DocumentKind.DEMAND_LETTER, case("globex-initech-ca"), tenant("globex"))
    assert isinstance(context, DemandLetterContext)
    assert context.interest is not None and context.interest.label == "Contractual interest"
    assert context.interest.citation == "Contract terms GLX-SVC-2024-19"
    assert context.interest.continues_to_accrue and context.interest.daily_amount == Money.of("0.23", "USD")
    assert context.compensation is None  # the contractual late fee replaces it
    [fee] = context.late_fees
    assert fee.amount.text == "$50.00"
    assert fee.basis == "$25.00 for each overdue invoice (G-5501 and G-5577)"
    assert (
        context.jurisdiction.code == "US-TX" and context.jurisdiction.governing_law == "the law of California"
    )
    assert context.debtor.address_lines[-2:] == ["Austin, TX 78744", "United States"]


# --- variants ------------------------------------------------------------------------------------


def test_time_barred_debt_gets_no_threat_of_proceedings() -> None:
    # Given invoices that fell due in 2015 (6-year limitation in England ended in 2021)
    intake = case(edit=old_due_dates)
    context = build(DocumentKind.DEMAND_LETTER, intake, tenant())
    assert isinstance(context, DemandLetterContext)

    # Then the letter is a request for payment: no proceedings, and interest is not said to accrue
    assert context.time_barred
    assert context.interest is not None and not context.interest.continues_to_accrue
    text = rendered_text(DocumentKind.DEMAND_LETTER, context)
    assert "Request for payment" in text
    assert THREATS.findall(text) == []
    assert str(context.total) in text

    placement = build(DocumentKind.AGENCY_PLACEMENT, intake, tenant())
    assert isinstance(placement, AgencyPlacementContext) and placement.limitation.time_barred
    referral = build(DocumentKind.ATTORNEY_REFERRAL, intake, tenant())
    assert isinstance(referral, AttorneyReferralContext)
    assert any("time-barred" in step for step in referral.instructions)


def test_sole_trader_in_wales_gets_the_debt_protocol_letter() -> None:
    context = build(DocumentKind.DEMAND_LETTER, case("acme-sole-trader-wales"), tenant())
    assert isinstance(context, DemandLetterContext)

    assert context.debt_protocol
    assert context.response_period.days == 30 and not context.response_period.business_days
    assert context.response_deadline.value == date(2026, 9, 2)
    assert context.enclosures == list(DEBT_PROTOCOL_ENCLOSURES)
    assert context.jurisdiction.name == "Wales"  # pycountry's "Wales [Cymru GB-CYM]", alternative dropped
    assert context.jurisdiction.governing_law == "the law of England and Wales"
    text = rendered_text(DocumentKind.DEMAND_LETTER, context)
    assert "Pre-Action Protocol for Debt Claims" in text
    assert "Letter of claim" in text and "Information Sheet" in text and "2 September 2026" in text


def japanese_debtor(payload: dict[str, Any]) -> None:
    payload["debtor"]["address"] = {
        "lines": ["1-1 Marunouchi"],
        "city": "Chiyoda-ku, Tokyo",
        "postal_code": "100-0005",
        "country": "JP",
        "subdivision": "JP-13",
    }
    payload["debtor"]["contacts"] = [{"name": "Keiri", "email": "keiri@example.jp"}]
    payload["currency"] = "JPY"
    payload["invoices"] = [
        {"number": "JP-1", "issued_on": "2026-05-01", "due_on": "2026-05-31", "amount": "125000"}
    ]
    payload["terms"]["governing_law"] = "JP"


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_debtor_without_a_statutory_rule_still_gets_every_document(kind: DocumentKind) -> None:
    # Given a debtor in Japan, which the rule pack does not cover
    intake = case(edit=japanese_debtor)
    context = build(kind, intake, tenant())

    # Then there is no interest or compensation line and the total is the principal
    assert total_of(context).text == "JPY 125,000"
    if isinstance(context, DemandLetterContext):
        assert context.interest is None and context.compensation is None
        assert context.response_period.text == "10 business days"  # the product default
        assert context.jurisdiction.name == "Japan"
        assert context.jurisdiction.governing_law == "the law of Japan"
    text = rendered_text(kind, context)
    assert "JPY 125,000" in text


@pytest.mark.parametrize("name", ["A & B <Ltd>", "{{ 7*7 }}", "{% if x %}Ltd{% endif %}"])
def test_names_come_through_literally(name: str) -> None:
    def rename(payload: dict[str, Any]) -> None:
        payload["debtor"]["legal_name"] = name

    intake = case(edit=rename)
    creditor = tenant().model_copy(update={"legal_name": name})
    for kind in DocumentKind:
        context = build(kind, intake, creditor)
        assert context.debtor.name == name  # type: ignore[attr-defined]
        text = rendered_text(kind, context)
        assert name in text
        assert "49" not in text.replace(str(total_of(context)), "")


# --- rules of itemisation, payments, partners ----------------------------------------------------


def test_only_invoices_with_an_outstanding_balance_are_itemised() -> None:
    def add_paid_invoice(payload: dict[str, Any]) -> None:
        payload["invoices"].append(
            {
                "number": "INV-0999",
                "issued_on": "2026-04-01",
                "due_on": "2026-05-01",
                "amount": "500.00",
                "paid": "500.00",
            }
        )

    intake, creditor = case(edit=add_paid_invoice), tenant()
    for kind in (DocumentKind.DEMAND_LETTER, DocumentKind.STATEMENT_OF_ACCOUNT):
        context = build(kind, intake, creditor)
        assert [line.number for line in context.invoices] == ["INV-1001", "INV-1017"]  # type: ignore[attr-defined]


def test_statement_lists_the_claims_dated_payments_or_says_when_dates_are_unknown() -> None:
    def dated(payload: dict[str, Any]) -> None:
        invoice = next(i for i in payload["invoices"] if i["number"] == "INV-1017")
        invoice["paid"] = "0.00"
        invoice["payments"] = [
            {"on": "2026-07-20", "amount": "400.00"},
            {"on": "2026-07-10", "amount": "2000.00"},
        ]

    intake = case(edit=dated)
    statement = statement_of_account(CASE_ID, intake, tenant(), assessed(intake), TODAY)
    assert [(p.received_on.value.isoformat(), p.amount.text) for p in statement.payments] == [
        ("2026-07-10", "£2,000.00"),
        ("2026-07-20", "£400.00"),
    ]
    assert statement.paid_total.text == "£2,400.00"

    undated = statement_of_account(CASE_ID, case(), tenant(), assessed(case()), TODAY)
    [line] = undated.payments
    assert (line.allocated_to, line.amount.text) == ("INV-1017", "£2,400.00")
    assert "not recorded" in line.reference
    assert "No payments have been received" not in rendered_text(DocumentKind.STATEMENT_OF_ACCOUNT, undated)


def test_placement_carries_evidence_fees_authority_and_history() -> None:
    items = [
        evidence("invoice", "INV-1001.pdf"),
        evidence("terms", "MSA.pdf", EvidenceStatus.pending_upload),
    ]
    context = build(DocumentKind.AGENCY_PLACEMENT, case(), tenant(), evidence=items)
    assert isinstance(context, AgencyPlacementContext)

    [item] = context.evidence  # only verified evidence enters the packet
    assert item.file_name == "evidence/invoice/ev_1-INV-1001.pdf"
    assert (item.kind, item.sha256_short) == ("Invoice", "3f9a1c0d2b7e")
    assert context.fee_terms.contingency.text == "15%"
    assert (
        context.fee_terms.direct_payment_fee
        == "10% of payments made to the client within 90 days of placement"
    )
    assert context.fee_terms.recall_fee == "5% of the balance if the client withdraws the case"
    # 80% of £17,615.72 = £14,092.58: rounded up, never below the share
    assert context.settlement_authority.minimum.text == "£14,092.58"
    assert context.contact_summary.attempts == 3
    assert [(r.outcome, r.count) for r in context.contact_summary.by_outcome] == [
        ("No answer", 2),
        ("Promised to pay", 1),
    ]
    assert context.contact_summary.last_contact == "15 July 2026 by letter: no answer"
    assert context.claim.demand_issued_on is not None and context.claim.demand_issued_on.text == "1 July 2026"
    assert context.acceptance_deadline.value == date(2026, 8, 10)
    assert context.limitation.ends_on is not None and not context.limitation.time_barred
    assert "Promised to pay on 19 June 2026" in context.debtor_notes


def test_partner_letters_need_the_right_partner() -> None:
    intake, creditor = case(), tenant()
    with pytest.raises(DocumentContextError, match="no"):
        build(DocumentKind.AGENCY_PLACEMENT, intake, creditor, partner=None)
    with pytest.raises(DocumentContextError, match="not an attorney"):
        build(DocumentKind.ATTORNEY_REFERRAL, intake, creditor, partner=partner("agency"))


def test_dates_must_match_the_assessment_and_something_must_be_owed() -> None:
    intake = case()
    with pytest.raises(ValueError, match="response period start"):
        demand_letter(CASE_ID, intake, tenant(), assessed(intake), date(2026, 8, 4))

    def all_paid(payload: dict[str, Any]) -> None:
        for invoice in payload["invoices"]:
            invoice["paid"] = invoice["amount"]

    paid = case(edit=all_paid)
    with pytest.raises(DocumentContextError, match="nothing is outstanding"):
        demand_letter(CASE_ID, paid, tenant(), assessed(paid), TODAY)


@pytest.mark.parametrize(
    ("code", "name", "law"),
    [
        ("GB-ENG", "England", "the law of England and Wales"),
        ("GB-SCT", "Scotland", "the law of Scotland"),
        ("US-CA", "California", "the law of California"),
        ("DE", "Germany", "the law of Germany"),
        ("US", "United States", "the law of the United States"),
    ],
)
def test_jurisdiction_names(code: str, name: str, law: str) -> None:
    assert jurisdiction_name(code) == name
    assert governing_law_text(code) == law


def test_bare_country_governing_law_prints_the_debtors_legal_system() -> None:
    def bare_gb(payload: dict[str, Any]) -> None:
        payload["terms"]["governing_law"] = "GB"

    context = build(DocumentKind.DEMAND_LETTER, case(edit=bare_gb), tenant())
    assert context.jurisdiction.governing_law == "the law of England and Wales"  # type: ignore[attr-defined]
