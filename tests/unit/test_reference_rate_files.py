"""The published tables, read in their publishers' layouts (samples in examples/reference-rates/)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from handoff.adapters.reference_rate_files import UnreadableTableError, detect, parse_table
from tests.conftest import EXAMPLES

SAMPLES = EXAMPLES / "reference-rates"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "layout", "series", "count", "first", "last"),
    [
        (
            "boe-bank-rate-IUDBEDR.csv",
            "boe",
            "BOE_BANK_RATE",
            21,
            ("2025-12-01", "4.00"),
            ("2025-12-31", "3.75"),
        ),
        (
            "ecb-mro-FM.B.U2.EUR.4F.KR.MRR_FR.LEV.csv",
            "ecb",
            "ECB_MRO",
            18,
            ("2022-07-27", "0.5"),
            ("2025-06-11", "2.15"),
        ),
        (
            "bundesbank-basiszinssatz-BBK01.SU0115.csv",
            "bundesbank",
            "DE_BASISZINSSATZ",
            20,
            ("2016-07-01", "-0.88"),
            ("2026-01-01", "1.27"),
        ),
        ("fred-DPCREDIT.csv", "fred", "FED_DISCOUNT", 31, ("2025-12-01", "4.00"), ("2025-12-31", "3.75")),
        (
            "rba-f1-cash-rate-target.csv",
            "rba",
            "RBA_CASH",
            20,
            ("2025-08-01", "3.85"),
            ("2025-08-29", "3.60"),
        ),
        (
            "ontario-prejudgment-postjudgment-rates.csv",
            "ontario",
            "ON_PREJUDGMENT",
            3,
            ("1992-10-01", "5.1"),
            ("2026-04-01", "2.5"),
        ),
        (
            "florida-cfo-judgment-interest-rates.csv",
            "florida",
            "FL_CFO_JUDGMENT",
            24,
            ("2011-10-01", "4.75"),
            ("2023-10-01", "8.54"),
        ),
    ],
)
def test_each_sample_is_read_in_its_publishers_layout(
    name: str, layout: str, series: str, count: int, first: tuple[str, str], last: tuple[str, str]
) -> None:
    table = parse_table(sample(name))

    assert (table.layout.name, table.layout.series) == (layout, series)
    assert table.problems == [] and table.missing == []
    assert len(table.observations) == count
    values = [(o.on, o.value) for o in table.observations]
    assert values[0] == (date.fromisoformat(first[0]), Decimal(first[1]))
    assert values[-1] == (date.fromisoformat(last[0]), Decimal(last[1]))


def test_the_bundesbank_layout_reads_german_decimal_commas_and_skips_its_header_and_footnotes() -> None:
    table = parse_table(sample("bundesbank-basiszinssatz-BBK01.SU0115.csv"))
    assert table.observations[0].line == 6  # five header lines: code, title, unit, dimension, last update
    assert {o.value for o in table.observations if o.on.year == 2024} == {Decimal("3.62"), Decimal("3.37")}


def test_unreadable_rows_are_reported_with_their_line_number_and_reason() -> None:
    text = sample("boe-bank-rate-IUDBEDR.csv").splitlines()
    text[3] = "04 Dec 2025,four"  # line 4
    text[5] = "31 Feb 2025,4.00"  # line 6
    text[7] = "10 Dec 2025,"  # line 8: the export publishes no value that day
    table = parse_table("\n".join(text))

    assert table.problems == [
        (4, "'four' is not a number"),
        (6, "'31 Feb 2025' is not a date like 18 Dec 2025"),
    ]
    assert table.missing == [8]
    assert len(table.observations) == 18


def test_fred_marks_days_without_a_value_with_a_dot() -> None:
    text = "observation_date,DPCREDIT\n2025-12-24,4.00\n2025-12-25,.\n2025-12-26,x\n"
    table = parse_table(text)
    assert (table.missing, table.problems) == ([3], [(4, "'x' is not a number")])


def test_the_bundesbank_layout_reports_a_period_it_cannot_read() -> None:
    text = sample("bundesbank-basiszinssatz-BBK01.SU0115.csv").replace("2024-07;3,37;", "2024-13;3,37;")
    table = parse_table(text)
    assert table.problems == [(22, "'2024-13' is not a period like 2024-01")]


def test_the_ontario_table_needs_a_quarter_it_can_name() -> None:
    text = (
        "Year,Quarter,Prejudgment interest rate,Postjudgment interest rate\n2025,Fifth,3.3%,\n2025,Q2,3.0%,\n"
    )
    table = parse_table(text)
    assert table.problems == [(2, "no quarter in '2025' 'Fifth'")]
    assert [(o.on, o.value) for o in table.observations] == [(date(2025, 4, 1), Decimal("3.0"))]


def test_the_florida_table_refuses_a_period_that_is_not_a_calendar_quarter() -> None:
    text = 'Quarter,Annual rate\n"February 1, 2024 - April 30, 2024",9.09%\n'
    assert parse_table(text).problems == [
        (2, "'February 1, 2024 - April 30, 2024' does not start a calendar quarter")
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DATE,IUDBEDR\n", None),
        ("observation_date,DGS10\n2025-12-01,4.1\n", "carries series DGS10, not DPCREDIT"),
        ('"DATE","TIME PERIOD","Deposit facility - Level (FM.B.U2.EUR.4F.KR.DFR.LEV)"\n', "carries series"),
        ("Title,Cash Rate Target\nSeries ID,FIRMMCRID\n", "no FIRMMCRTD"),
        ("date,value\n2025-01-01,1\n", "not a layout this importer knows"),
    ],
)
def test_a_file_of_another_series_or_layout_is_refused(text: str, message: str | None) -> None:
    if message is None:  # a header and no rows: nothing to read, nothing refused
        assert parse_table(text).observations == []
        return
    with pytest.raises(UnreadableTableError, match=message):
        parse_table(text)


def test_the_layout_is_detected_from_the_marks_its_publisher_leaves() -> None:
    assert [detect(sample(p.name)) for p in sorted(SAMPLES.glob("*.csv"))] == [
        "boe",
        "bundesbank",
        "ecb",
        "florida",
        "fred",
        "ontario",
        "rba",
    ]
