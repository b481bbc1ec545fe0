"""Realistic document contexts for the template tests and the rendering benchmark (never shipped)."""

from __future__ import annotations

from datetime import date

from handoff.domain.documents import (
    DEBT_PROTOCOL_ENCLOSURES,
    DEBT_PROTOCOL_MIN_DAYS,
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
)
from handoff.domain.money import Money

_GBP = "GBP"
_LETTER_DAY = date(2026, 7, 1)


def _gbp(amount: str) -> Money:
    return Money.of(amount, _GBP)


def _example_creditor() -> PartyBlock:
    return PartyBlock(
        name="Acme Supplies Ltd",
        description="Company no. 09876543 (England and Wales)",
        address_lines=["5 Mill Lane", "York", "YO1 7HH", "United Kingdom"],
        contact_name="Credit Control",
        email="credit@acme.example",
        phone="+44 1904 000000",
    )


def _example_debtor(*, sole_trader: bool = False) -> PartyBlock:
    if sole_trader:
        return PartyBlock(
            name="Rhys Evans t/a Evans Joinery",
            description="Sole trader",
            address_lines=["12 Castle Street", "Cardiff", "CF10 1BS", "United Kingdom"],
            contact_name="Rhys Evans",
            email="rhys@evansjoinery.example",
            phone="+44 29 2000 0000",
        )
    return PartyBlock(
        name="Northwind Trading Ltd",
        description="Company no. 01234567 (England and Wales)",
        address_lines=["1 High Street", "Leeds", "LS1 1AA", "United Kingdom"],
        contact_name="Jane Roe, Accounts Payable",
        email="ap@northwind.example",
        phone="+44 113 200 0000",
    )


def _example_invoices(as_of: date) -> list[InvoiceLine]:
    rows = [
        ("INV-1001", "Consulting, March", date(2026, 3, 2), date(2026, 4, 1), "1250.00", "0.00", "1250.00"),
        ("INV-1017", "Consulting, April", date(2026, 4, 1), date(2026, 5, 1), "2400.00", "400.00", "2000.00"),
        ("INV-1032", "Expenses, April", date(2026, 4, 6), date(2026, 5, 6), "186.40", "0.00", "186.40"),
    ]
    return [
        InvoiceLine(
            number=number,
            description=description,
            issued_on=DateText.of(issued),
            due_on=DateText.of(due),
            amount=_gbp(amount),
            paid=_gbp(paid),
            outstanding=_gbp(outstanding),
            days_past_due=max((as_of - due).days, 0),
        )
        for number, description, issued, due, amount, paid, outstanding in rows
    ]


def _example_interest(*, continues: bool = True) -> ChargeLine:
    return ChargeLine(
        label="Statutory interest",
        amount=_gbp("80.67"),
        basis="11.75% a year, simple (Bank of England base rate of 3.75% plus 8 percentage points), "
        "on each invoice's outstanding amount from its due date to 1 July 2026",
        citation="Late Payment of Commercial Debts (Interest) Act 1998, s.6; "
        "Late Payment of Commercial Debts (Rate of Interest) (No. 3) Order 2002 (SI 2002/1675)",
        continues_to_accrue=continues,
        daily_amount=_gbp("1.11") if continues else None,
    )


def _example_compensation() -> ChargeLine:
    return ChargeLine(
        label="Fixed compensation",
        amount=_gbp("180.00"),
        basis="£70 for each of INV-1001 and INV-1017 (£1,000 to £9,999.99) "
        "and £40 for INV-1032 (under £1,000)",
        citation="Late Payment of Commercial Debts (Interest) Act 1998, s.5A",
        continues_to_accrue=False,
    )


def _example_payment_details() -> list[LabelValue]:
    return [
        LabelValue(label="Account name", value="Acme Supplies Ltd"),
        LabelValue(label="Bank", value="Example Bank plc"),
        LabelValue(label="Sort code", value="12-34-56"),
        LabelValue(label="Account number", value="12345678"),
    ]


def example_demand_letter(*, time_barred: bool = False, debt_protocol: bool = False) -> DemandLetterContext:
    """A letter before action from Acme to Northwind (or, under the Debt Protocol, to a Welsh sole trader)."""
    invoices = _example_invoices(_LETTER_DAY)
    principal = _gbp("3436.40")
    interest = _example_interest(continues=not time_barred)
    compensation = _example_compensation()
    total = _gbp("3697.07")  # 3,436.40 principal + 80.67 interest + 180.00 compensation
    if debt_protocol:
        period = ResponsePeriod.of(DEBT_PROTOCOL_MIN_DAYS, business_days=False)
        deadline = date(2026, 7, 31)
        enclosures = list(DEBT_PROTOCOL_ENCLOSURES)
        jurisdiction = JurisdictionBlock(
            code="GB-WLS", name="Wales", governing_law="the law of England and Wales"
        )
    else:
        period = ResponsePeriod.of(14, business_days=False)
        deadline = date(2026, 7, 15)
        enclosures = ["Statement of account", "Copies of invoices INV-1001, INV-1017 and INV-1032"]
        jurisdiction = JurisdictionBlock(
            code="GB-ENG", name="England", governing_law="the law of England and Wales"
        )
    return DemandLetterContext(
        letter_date=DateText.of(_LETTER_DAY),
        creditor=_example_creditor(),
        debtor=_example_debtor(sole_trader=debt_protocol),
        creditor_reference="ACME-2026-0042",
        agreement_reference="Master Services Agreement MSA-2025-07 dated 14 July 2025",
        jurisdiction=jurisdiction,
        invoices=invoices,
        principal=principal,
        interest=interest,
        compensation=compensation,
        late_fees=[],
        total=total,
        response_deadline=DateText.of(deadline),
        response_period=period,
        payment_details=_example_payment_details(),
        payment_reference="ACME-2026-0042",
        dispute_contact="Credit Control, Acme Supplies Ltd, 5 Mill Lane, York YO1 7HH, "
        "or credit@acme.example",
        debt_protocol=debt_protocol,
        time_barred=time_barred,
        enclosures=enclosures,
        signatory="Priya Shah, Credit Controller",
    )


def _example_claim() -> ClaimSummary:
    return ClaimSummary(
        currency=_GBP,
        principal=_gbp("3436.40"),
        interest=_gbp("80.67"),
        interest_basis="Statutory, 11.75% a year simple (SI 2002/1675); continues at £1.11 a day",
        compensation=_gbp("180.00"),
        late_fees=_gbp("0.00"),
        awarded=_gbp("0.00"),
        total=_gbp("3697.07"),
        invoice_count=3,
        oldest_due_date=DateText.of(date(2026, 4, 1)),
        days_past_due=(date(2026, 7, 20) - date(2026, 4, 1)).days,
        last_payment="£400.00 on 12 May 2026",
        demand_issued_on=DateText.of(_LETTER_DAY),
        demand_expired_on=DateText.of(date(2026, 7, 15)),
    )


def _forwarding_fields(partner: PartyBlock) -> dict[str, object]:
    return {
        "letter_date": DateText.of(date(2026, 7, 20)),
        "creditor": _example_creditor(),
        "partner": partner,
        "debtor": _example_debtor(),
        "case_id": "case_019a3f2c5e7d4b10",
        "creditor_reference": "ACME-2026-0042",
        "jurisdiction": JurisdictionBlock(
            code="GB-ENG", name="England", governing_law="the law of England and Wales"
        ),
        "claim": _example_claim(),
        "evidence": [
            EvidenceItem(file_name="INV-1001.pdf", kind="Invoice", sha256_short="3f9a1c0d2b7e"),
            EvidenceItem(file_name="INV-1017.pdf", kind="Invoice", sha256_short="a41be90c77d2"),
            EvidenceItem(file_name="INV-1032.pdf", kind="Invoice", sha256_short="0c5d8e2f91aa"),
            EvidenceItem(
                file_name="MSA-2025-07-signed.pdf", kind="Signed terms", sha256_short="9be41d07c3f5"
            ),
            EvidenceItem(file_name="contact_log.csv", kind="Contact log", sha256_short="5e20a7b6d418"),
            EvidenceItem(
                file_name="demand_letter.docx", kind="Letter before action", sha256_short="d7c3019e4ab2"
            ),
        ],
        "contact_summary": ContactSummary(
            attempts=5,
            by_outcome=[
                OutcomeCount(outcome="No answer", count=3),
                OutcomeCount(outcome="Promised to pay", count=1),
                OutcomeCount(outcome="Partial payment", count=1),
            ],
            last_contact="8 July 2026 by phone: no answer",
        ),
        "fee_terms": FeeTerms(
            contingency=Percent.of("15"),
            direct_payment_fee="Full commission on payments made to the client within 30 days of placement",
            recall_fee="£75.00 flat if the client withdraws the case before the debtor is contacted; "
            "full commission on the balance afterwards",
            exclusivity="90 days from acceptance",
        ),
        "settlement_authority": SettlementAuthority(percent=Percent.of("80"), minimum=_gbp("2957.66")),
        "limitation": LimitationSummary(
            ends_on=DateText.of(date(2032, 4, 1)),
            basis="6 years from the earliest due date (Limitation Act 1980, s.5)",
            time_barred=False,
        ),
        "debtor_notes": ["Promised to pay on 2 June 2026 and did not", "No dispute raised"],
        "acceptance_deadline": DateText.of(date(2026, 7, 27)),
        "signatory": "Priya Shah, Credit Controller",
    }


def example_agency_placement() -> AgencyPlacementContext:
    partner = PartyBlock(
        name="Ledger Recovery Services Ltd",
        description="Company no. 07654321 (England and Wales)",
        address_lines=["Floor 3, 20 Park Row", "Leeds", "LS1 5JF", "United Kingdom"],
        contact_name="New Placements Team",
        email="placements@ledger-recovery.example",
        phone="+44 113 496 0000",
    )
    return AgencyPlacementContext.model_validate(_forwarding_fields(partner))


def example_attorney_referral() -> AttorneyReferralContext:
    partner = PartyBlock(
        name="Hart & Cole LLP",
        description="Solicitors, authorised and regulated by the Solicitors Regulation Authority",
        address_lines=["2 Albion Place", "Leeds", "LS1 6JL", "United Kingdom"],
        contact_name="Debt Recovery Department",
        email="recoveries@hartcole.example",
        phone="+44 113 496 1000",
    )
    return AttorneyReferralContext.model_validate(
        {
            **_forwarding_fields(partner),
            "instructions": [
                "Review the claim and the evidence and confirm whether you accept the instruction.",
                "Send a letter of claim on your letterhead if you consider it needed.",
                "Report your recommended next step and an estimate of costs before incurring them.",
            ],
            "costs_authority": _gbp("455.00"),
        }
    )


def example_statement_of_account() -> StatementOfAccountContext:
    as_of = _LETTER_DAY
    invoices = _example_invoices(as_of)
    return StatementOfAccountContext(
        as_of=DateText.of(as_of),
        creditor=_example_creditor(),
        debtor=_example_debtor(),
        creditor_reference="ACME-2026-0042",
        currency=_GBP,
        invoices=invoices,
        payments=[
            PaymentLine(
                received_on=DateText.of(date(2026, 5, 12)),
                reference="Bank transfer NORTHWIND 1017",
                amount=_gbp("400.00"),
                allocated_to="INV-1017",
            )
        ],
        invoiced_total=_gbp("3836.40"),
        paid_total=_gbp("400.00"),
        principal=_gbp("3436.40"),
        charges=[_example_interest(), _example_compensation()],
        balance=_gbp("3697.07"),
    )


def example_context(kind: DocumentKind | str) -> DocumentContext:
    """A realistic, valid context for the template of that kind."""
    match DocumentKind(kind):
        case DocumentKind.DEMAND_LETTER:
            return example_demand_letter()
        case DocumentKind.STATEMENT_OF_ACCOUNT:
            return example_statement_of_account()
        case DocumentKind.AGENCY_PLACEMENT:
            return example_agency_placement()
        case DocumentKind.ATTORNEY_REFERRAL:
            return example_attorney_referral()
