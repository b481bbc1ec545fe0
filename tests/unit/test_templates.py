"""Contract tests of the legal templates: manifest ↔ .docx ↔ context model, rendering, escaping, variants."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from docxtpl import DocxTemplate
from lxml import etree
from pydantic import ValidationError

from handoff.adapters import docx_renderer
from handoff.adapters.docx_renderer import (
    TemplateContextError,
    TemplateRenderError,
    TemplatesDirectoryError,
    UnknownTemplateError,
    context_mapping,
    load_manifest,
    render,
    template_variables,
)
from handoff.domain.documents import (
    CONTEXT_MODELS,
    DEBT_PROTOCOL_ENCLOSURES,
    DemandLetterContext,
    DocumentKind,
    DocumentModel,
    ResponsePeriod,
    format_date,
)
from handoff.domain.money import AmountScaleError, Money, format_amount
from tests.document_examples import example_context, example_demand_letter

REPO = Path(__file__).resolve().parents[2]
MANIFEST = load_manifest(REPO / "templates" / "legal")
SPECS = MANIFEST.templates

# Words that threaten or announce proceedings; none may appear in a letter about a time-barred debt.
THREATS = re.compile(
    r"\b(court|courts|proceedings|legal action|sue|sued|suing|lawsuit|litigation|judgment|"
    r"solicitors?|pre-action|letter before action|letter of claim|enforce\w*)\b",
    re.IGNORECASE,
)


def document_text(content: bytes) -> str:
    """Every paragraph of the body, its tables (nested too), headers and footers, one line each."""
    document = docx.Document(io.BytesIO(content))
    lines: list[str] = []

    def tables(items: list) -> None:
        for table in items:
            for row in table.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
                    tables(cell.tables)

    lines.extend(p.text for p in document.paragraphs)
    tables(document.tables)
    for section in document.sections:
        for part in (section.header, section.footer):
            lines.extend(p.text for p in part.paragraphs)
            tables(part.tables)
    return "\n".join(lines)


def with_debtor_name(context: DocumentModel, name: str) -> DocumentModel:
    """The same context with another debtor name, re-validated."""
    data = context.model_dump()
    data["debtor"]["name"] = name
    return type(context).model_validate(data)


@pytest.fixture(autouse=True)
def _fresh_renderer_cache():
    docx_renderer.clear_cache()
    yield
    docx_renderer.clear_cache()


# --- manifest and contract -------------------------------------------------------------------------------


def test_manifest_lists_one_template_per_document_kind_with_its_context_model():
    by_name = MANIFEST.by_name()
    assert set(by_name) == {kind.value for kind in DocumentKind}
    for kind in DocumentKind:
        spec = by_name[kind.value]
        assert spec.model_class() is CONTEXT_MODELS[kind]
        assert (REPO / "templates" / "legal" / spec.file).is_file()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_template_uses_exactly_the_fields_of_its_context_model(spec):
    used = template_variables(spec.name)
    provided = set(spec.model_class().model_fields)
    assert used - provided == set(), f"{spec.file} uses variables its model does not provide"
    assert provided - used == set(), f"{spec.model_class().__name__} has fields {spec.file} never uses"


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_template_renders_its_example_and_opens_in_python_docx(spec):
    context = example_context(spec.name)

    document = render(spec.name, context)

    assert document.template_name == spec.name
    assert document.template_version == spec.version
    assert document.sha256 == hashlib.sha256(document.content).hexdigest()
    text = document_text(document.content)
    assert "{{" not in text and "{%" not in text
    assert context.creditor_reference in text
    assert context.creditor.name in text
    assert context.debtor.name in text
    total = {
        "demand_letter": "total",
        "statement_of_account": "balance",
        "agency_placement": "claim",
        "attorney_referral": "claim",
    }[spec.name]
    money = getattr(context, total)
    assert str(money.total if total == "claim" else money) in text


def test_demand_letter_shows_total_deadline_period_and_each_invoice():
    context = example_demand_letter()

    text = document_text(render(DocumentKind.DEMAND_LETTER, context).content)

    assert "£3,697.07" in text
    assert "15 July 2026" in text
    assert "14 days" in text
    for invoice in context.invoices:
        assert invoice.number in text and invoice.outstanding.text in text
    assert "Interest continues to accrue at £1.11 a day" in text
    assert "SI 2002/1675" in text and "s.5A" in text
    assert "Sort code" in text and "12-34-56" in text


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_renderer_gives_the_same_package_as_a_plain_docxtpl_render(spec):
    """Part by part (canonical XML), except the core properties, where docxtpl adds empty elements."""
    context = example_context(spec.name)
    plain = DocxTemplate(REPO / "templates" / "legal" / spec.file)
    plain.render(context_mapping(context), autoescape=True)
    buffer = io.BytesIO()
    plain.save(buffer)

    ours = render(spec.name, context)

    theirs_zip, ours_zip = zipfile.ZipFile(buffer), zipfile.ZipFile(io.BytesIO(ours.content))
    assert sorted(ours_zip.namelist()) == sorted(theirs_zip.namelist())
    for name in theirs_zip.namelist():
        if name == "docProps/core.xml":
            continue
        theirs_part, ours_part = theirs_zip.read(name), ours_zip.read(name)
        if name.endswith((".xml", ".rels")):
            theirs_part = etree.tostring(etree.fromstring(theirs_part), method="c14n")
            ours_part = etree.tostring(etree.fromstring(ours_part), method="c14n")
        assert ours_part == theirs_part, name
    assert document_text(ours.content) == document_text(buffer.getvalue())


def test_rendering_is_deterministic():
    context = example_context(DocumentKind.STATEMENT_OF_ACCOUNT)

    first = render(DocumentKind.STATEMENT_OF_ACCOUNT, context)
    docx_renderer.clear_cache()
    second = render(DocumentKind.STATEMENT_OF_ACCOUNT, context)

    assert first.sha256 == second.sha256


# --- escaping --------------------------------------------------------------------------------------------

AWKWARD_NAMES = [
    "A & B <Ltd>",
    "{{ 7*7 }}",
    "{% if true %}X{% endif %}",
    "<b>Fish & Chips</b>",
    'O\'Brien "Quoted" Ltd',
    "شركة الأمل للتجارة",
    "株式会社山田商事",
]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
@pytest.mark.parametrize("name", AWKWARD_NAMES)
def test_values_appear_literally(spec, name):
    context = with_debtor_name(example_context(spec.name), name)

    text = document_text(render(spec.name, context).content)

    assert name in text


def test_creditor_name_is_escaped_in_the_page_header():
    context = example_demand_letter()
    data = context.model_dump()
    data["creditor"]["name"] = "<b>Fish & Chips</b> {{ 7*7 }}"
    context = DemandLetterContext.model_validate(data)

    document = docx.Document(io.BytesIO(render(DocumentKind.DEMAND_LETTER, context).content))

    header = "\n".join(p.text for p in document.sections[0].header.paragraphs)
    assert "<b>Fish & Chips</b> {{ 7*7 }}" in header
    assert "49" not in header


# --- demand letter variants ------------------------------------------------------------------------------


def test_normal_demand_letter_states_the_consequence_of_proceedings():
    text = document_text(render(DocumentKind.DEMAND_LETTER, example_demand_letter()).content)

    assert "Letter before action" in text
    assert re.search(r"\bcourt proceedings\b", text)


@pytest.mark.parametrize("debt_protocol", [False, True], ids=["company", "debt-protocol"])
def test_time_barred_demand_letter_makes_no_threat_of_proceedings(debt_protocol):
    context = example_demand_letter(time_barred=True, debt_protocol=debt_protocol)

    text = document_text(render(DocumentKind.DEMAND_LETTER, context).content)

    assert THREATS.findall(text) == []
    assert "Request for payment" in text
    assert "£3,697.07" in text


def test_debt_protocol_letter_gives_30_days_and_lists_its_enclosures():
    context = example_demand_letter(debt_protocol=True)

    text = document_text(render(DocumentKind.DEMAND_LETTER, context).content)

    assert "Pre-Action Protocol for Debt Claims" in text
    assert "30 days" in text
    assert "31 July 2026" in text
    for enclosure in DEBT_PROTOCOL_ENCLOSURES:
        assert re.search(rf"^{re.escape(enclosure)}$", text, re.MULTILINE), enclosure


def test_company_letter_does_not_mention_the_debt_protocol():
    text = document_text(render(DocumentKind.DEMAND_LETTER, example_demand_letter()).content)

    assert "Protocol" not in text and "Reply Form" not in text


def test_debt_protocol_context_refuses_a_shorter_period_or_missing_enclosures():
    data = example_demand_letter(debt_protocol=True).model_dump()
    short = {**data, "response_period": ResponsePeriod.of(14, business_days=False).model_dump()}
    with pytest.raises(ValidationError, match="30 days"):
        DemandLetterContext.model_validate(short)
    missing = {**data, "enclosures": ["Statement of account"]}
    with pytest.raises(ValidationError, match="Reply Form"):
        DemandLetterContext.model_validate(missing)


# --- renderer behaviour ----------------------------------------------------------------------------------


def test_render_refuses_another_templates_context():
    with pytest.raises(TemplateContextError):
        render(DocumentKind.DEMAND_LETTER, example_context(DocumentKind.STATEMENT_OF_ACCOUNT))


def test_render_refuses_an_unknown_template():
    with pytest.raises(UnknownTemplateError):
        render("summons", example_demand_letter())


def _template_dir_with(tmp_path: Path, paragraph: str) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    document = docx.Document()
    document.add_paragraph(paragraph)
    document.save(str(tmp_path / "demand_letter.docx"))
    (tmp_path / "templates.yaml").write_text(
        "templates:\n"
        "  - name: demand_letter\n"
        "    file: demand_letter.docx\n"
        "    version: 2026-02-05\n"
        "    description: test\n"
        "    context_model: handoff.domain.documents.DemandLetterContext\n",
        encoding="utf-8",
    )
    return tmp_path


def test_templates_dir_env_var_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOFF_TEMPLATES_DIR", str(_template_dir_with(tmp_path, "Total {{ total }}")))

    document = render(DocumentKind.DEMAND_LETTER, example_demand_letter())

    assert document.template_version == "2026-02-05"
    assert document_text(document.content).startswith("Total £3,697.07")


def test_a_wrong_templates_dir_env_var_fails_instead_of_falling_back(tmp_path, monkeypatch):
    monkeypatch.setenv("HANDOFF_TEMPLATES_DIR", str(tmp_path / "nowhere"))

    with pytest.raises(TemplatesDirectoryError):
        render(DocumentKind.DEMAND_LETTER, example_demand_letter())


@pytest.mark.parametrize("paragraph", ["{{ debtor.nickname }}", "{{ interest.daily_amount }}"])
def test_an_undefined_or_none_value_is_an_error_not_a_blank(tmp_path, monkeypatch, paragraph):
    monkeypatch.setenv("HANDOFF_TEMPLATES_DIR", str(_template_dir_with(tmp_path, paragraph)))
    context = example_demand_letter(time_barred=True)  # interest stops accruing: no daily amount

    with pytest.raises(TemplateRenderError):
        render(DocumentKind.DEMAND_LETTER, context)


def test_importing_the_renderer_loads_neither_docxtpl_nor_lxml():
    code = (
        "import sys, handoff.adapters.docx_renderer, handoff.domain.documents; "
        "print(sorted(m for m in ('docxtpl', 'docx', 'lxml', 'jinja2') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_templates_dir_falls_back_to_the_repository(monkeypatch):
    monkeypatch.delenv("HANDOFF_TEMPLATES_DIR", raising=False)

    assert docx_renderer.templates_dir() == REPO / "templates" / "legal"


def test_an_edited_template_is_picked_up_without_a_restart(tmp_path, monkeypatch):
    directory = _template_dir_with(tmp_path / "live", "First {{ total }}")
    edited = _template_dir_with(tmp_path / "edited", "Second version {{ total }}")
    monkeypatch.setenv("HANDOFF_TEMPLATES_DIR", str(directory))
    render(DocumentKind.DEMAND_LETTER, example_demand_letter())

    shutil.copyfile(edited / "demand_letter.docx", directory / "demand_letter.docx")
    text = document_text(render(DocumentKind.DEMAND_LETTER, example_demand_letter()).content)

    assert text.startswith("Second version £3,697.07")


# --- formatting ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("1250", "GBP", "£1,250.00"),
        ("-40", "EUR", "-€40.00"),
        ("1234567.5", "USD", "$1,234,567.50"),
        ("120000", "JPY", "JPY 120,000"),
        ("1250.5", "CHF", "CHF 1,250.50"),
        ("12.345", "BHD", "BHD 12.345"),
    ],
)
def test_amounts_are_formatted_at_the_currencys_minor_unit(amount, currency, text):
    assert format_amount(Decimal(amount), currency) == text


def test_money_is_kept_at_the_minor_unit_and_never_silently_rounded():
    assert Money.of("1250", "GBP").amount == Decimal("1250.00")
    with pytest.raises(AmountScaleError):
        Money.of("10.005", "GBP")


def test_dates_are_formatted_day_month_year():
    from datetime import date

    assert format_date(date(2026, 4, 1)) == "1 April 2026"
