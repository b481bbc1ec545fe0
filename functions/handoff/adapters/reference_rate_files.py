"""The published tables of reference rates, read as their publishers lay them out.

* `boe` — Bank of England database CSV export: `DATE,IUDBEDR`, dates like `18 Dec 2025`.
* `ecb` — ECB Data Portal CSV (`"DATE","TIME PERIOD","… (FM.B.U2.EUR.4F.KR.MRR_FR.LEV)"`) or its
  SDMX-CSV (`KEY,…,TIME_PERIOD,OBS_VALUE,…`); the MRO series lists the days it changed.
* `bundesbank` — Bundesbank time-series CSV (series BBK01.SU0115, Basiszinssatz): header lines
  before the data, `;` separated, German decimal commas, `.` where there is no value.
* `fred` — FRED CSV (`observation_date,DPCREDIT` or the older `DATE,DPCREDIT`), `.` for no value.
* `rba` — RBA statistical table F1 CSV: title lines, then `Series ID` (FIRMMCRTD = Cash Rate Target).
* `ontario` — Ontario's table of prejudgment and postjudgment rates: Year, Quarter, rates in %.
* `florida` — the Florida CFO's quarterly judgment interest rates: the quarter and its annual rate.

Each reader returns the observations it could read and, for every row it could not, the line
number and the reason; a row that says "no value" (`.`, blank) is counted, not refused.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from handoff.domain.reference_rates import Observation

MISSING = {"", ".", "..", "NA", "N/A", "#N/A", "-"}
QUARTERS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1": 1, "2": 2, "3": 3, "4": 4}


class UnreadableTableError(ValueError):
    """The file is not one of the published layouts (or not the series it claims to be)."""


@dataclass(frozen=True)
class Layout:
    name: str
    series: str  # the rule-pack series it feeds
    publisher: str  # the source recorded with each fixing unless the operator names another
    codes: frozenset[str] = frozenset()  # the publisher's series codes it may carry


@dataclass
class ParsedTable:
    layout: Layout
    observations: list[Observation] = field(default_factory=list)
    problems: list[tuple[int, str]] = field(default_factory=list)
    missing: list[int] = field(default_factory=list)  # lines that publish no value

    def read(self, line: int, day: date | None, value: str, reason: str = "") -> None:
        if day is None:
            self.problems.append((line, reason or "no date"))
            return
        text = value.strip().rstrip("%").strip()
        if text in MISSING:
            self.missing.append(line)
            return
        try:
            number = Decimal(text)
        except InvalidOperation:
            self.problems.append((line, f"{value.strip()!r} is not a number"))
            return
        if not number.is_finite():
            self.problems.append((line, f"{value.strip()!r} is not a number"))
            return
        self.observations.append(Observation(line, day, number))


LAYOUTS = {
    layout.name: layout
    for layout in (
        Layout(
            "boe",
            "BOE_BANK_RATE",
            "Bank of England database, series IUDBEDR (Official Bank Rate)",
            frozenset({"IUDBEDR"}),
        ),
        Layout(
            "ecb",
            "ECB_MRO",
            "ECB Data Portal, series FM.B.U2.EUR.4F.KR.MRR_FR.LEV (main refinancing operations)",
            frozenset({"FM.B.U2.EUR.4F.KR.MRR_FR.LEV", "FM.D.U2.EUR.4F.KR.MRR_FR.LEV"}),
        ),
        Layout(
            "bundesbank",
            "DE_BASISZINSSATZ",
            "Deutsche Bundesbank time series BBK01.SU0115 (Basiszinssatz, BGB §247)",
            frozenset({"BBK01.SU0115"}),
        ),
        Layout(
            "fred",
            "FED_DISCOUNT",
            "FRED series DPCREDIT (Federal Reserve primary credit rate)",
            frozenset({"DPCREDIT"}),
        ),
        Layout(
            "rba",
            "RBA_CASH",
            "RBA statistical table F1, series FIRMMCRTD (cash rate target)",
            frozenset({"FIRMMCRTD"}),
        ),
        Layout(
            "ontario",
            "ON_PREJUDGMENT",
            "Ontario Ministry of the Attorney General, prejudgment interest rates",
        ),
        Layout(
            "florida", "FL_CFO_JUDGMENT", "Florida Chief Financial Officer, judgment interest rates (§55.03)"
        ),
    )
}


def _rows(text: str, delimiter: str = ",") -> Iterator[tuple[int, list[str]]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            yield number, next(csv.reader([line], delimiter=delimiter))


def _date(text: str, *formats: str) -> date | None:
    for fmt in formats:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _check_code(layout: Layout, found: str | None) -> None:
    if found is not None and layout.codes and found not in layout.codes:
        raise UnreadableTableError(
            f"this {layout.name} file carries series {found}, not {sorted(layout.codes)[0]}"
        )


def _boe(text: str, table: ParsedTable) -> None:
    column = None
    for line, row in _rows(text):
        if column is None:
            if row and row[0].strip().upper() == "DATE":
                codes = [c.strip().upper() for c in row]
                column = codes.index("IUDBEDR") if "IUDBEDR" in codes else 1
                _check_code(table.layout, codes[column] if column < len(codes) else None)
            continue
        day = _date(row[0], "%d %b %Y", "%d %b %y", "%Y-%m-%d")
        value = row[column] if column < len(row) else ""
        table.read(line, day, value, f"{row[0]!r} is not a date like 18 Dec 2025")
    if column is None:
        raise UnreadableTableError("no DATE,IUDBEDR header: not a Bank of England database export")


def _ecb(text: str, table: ParsedTable) -> None:
    date_col = value_col = key_col = None
    for line, row in _rows(text):
        if date_col is None or value_col is None:
            names = [c.strip() for c in row]
            if "TIME_PERIOD" in names and "OBS_VALUE" in names:  # SDMX-CSV
                date_col, value_col = names.index("TIME_PERIOD"), names.index("OBS_VALUE")
                key_col = names.index("KEY") if "KEY" in names else None
            elif names and names[0].upper() == "DATE" and len(names) >= 3:  # the Data Portal download
                date_col, value_col = 0, 2
                code = re.search(r"\(([A-Z0-9_.]+)\)\s*$", names[2])
                _check_code(table.layout, code.group(1) if code else None)
            continue
        if key_col is not None and key_col < len(row):
            _check_code(table.layout, row[key_col].strip())
        cell = row[date_col] if date_col < len(row) else ""
        value = row[value_col] if value_col < len(row) else ""
        table.read(line, _date(cell, "%Y-%m-%d"), value, f"{cell!r} is not a date like 2025-06-11")
    if date_col is None:
        raise UnreadableTableError("no DATE / TIME_PERIOD header: not an ECB Data Portal file")


_PERIOD = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _bundesbank(text: str, table: ParsedTable) -> None:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if ";" in first else ","
    german = delimiter == ";"
    for line, row in _rows(text, delimiter):
        cell = row[0].strip()
        if line == 1 and len(row) > 1:
            _check_code(table.layout, row[1].strip() or None)
            continue
        looks_like_data = bool(re.match(r"^\d{4}-", cell))
        if not looks_like_data:  # the header lines (unit, dimension, last update) and the footnotes
            continue
        match = _PERIOD.match(cell)
        day = None
        if match:
            try:
                day = date(int(match.group(1)), int(match.group(2)), int(match.group(3) or 1))
            except ValueError:
                day = None
        value = row[1] if len(row) > 1 else ""
        if german:
            value = value.replace(".", "") if value.strip() not in MISSING else value
            value = value.replace(",", ".")
        table.read(line, day, value, f"{cell!r} is not a period like 2024-01")


def _fred(text: str, table: ParsedTable) -> None:
    header = True
    for line, row in _rows(text):
        if header:
            names = [c.strip() for c in row]
            if len(names) < 2 or names[0].lower() not in ("observation_date", "date"):
                raise UnreadableTableError("a FRED file starts with observation_date,<SERIES>")
            _check_code(table.layout, names[1].upper())
            header = False
            continue
        table.read(
            line,
            _date(row[0], "%Y-%m-%d"),
            row[1] if len(row) > 1 else "",
            f"{row[0]!r} is not a date like 2025-12-11",
        )


def _rba(text: str, table: ParsedTable) -> None:
    column = None
    for line, row in _rows(text):
        if column is None:
            if row and row[0].strip() == "Series ID":
                ids = [c.strip() for c in row]
                if "FIRMMCRTD" not in ids:
                    raise UnreadableTableError("this RBA table has no FIRMMCRTD (cash rate target) column")
                column = ids.index("FIRMMCRTD")
            continue
        value = row[column] if column < len(row) else ""
        table.read(
            line, _date(row[0], "%d-%b-%Y", "%d/%m/%Y"), value, f"{row[0]!r} is not a date like 13-Aug-2025"
        )
    if column is None:
        raise UnreadableTableError("no 'Series ID' row: not an RBA statistical table")


def _columns(row: list[str], *wanted: str) -> dict[str, int]:
    found = {}
    for index, name in enumerate(row):
        for key in wanted:
            if key in name.strip().lower() and key not in found:
                found[key] = index
    return found


def _ontario(text: str, table: ParsedTable) -> None:
    columns: dict[str, int] = {}
    for line, row in _rows(text):
        if not columns:
            found = _columns(row, "year", "quarter", "prejudgment")
            if len(found) == 3:
                columns = found
            continue
        cells = {k: row[i].strip() if i < len(row) else "" for k, i in columns.items()}
        word = re.sub(r"(?i)\s*quarter\s*|^q", "", cells["quarter"]).strip().lower()
        quarter = QUARTERS.get(word)
        day = date(int(cells["year"]), quarter * 3 - 2, 1) if quarter and cells["year"].isdigit() else None
        table.read(line, day, cells["prejudgment"], f"no quarter in {cells['year']!r} {cells['quarter']!r}")
    if not columns:
        raise UnreadableTableError("no header with Year, Quarter and Prejudgment columns")


_FIRST_DATE = re.compile(r"([A-Z][a-z]+\.? \d{1,2}, \d{4}|\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})")


def _florida(text: str, table: ParsedTable) -> None:
    columns: dict[str, int] = {}
    for line, row in _rows(text):
        if not columns:
            found = _columns(row, "quarter", "annual")
            if len(found) == 2:
                columns = found
            continue
        period = row[columns["quarter"]] if columns["quarter"] < len(row) else ""
        start = _FIRST_DATE.search(period)
        day = (
            _date(start.group(1).replace(".", ""), "%B %d, %Y", "%b %d, %Y", "%m/%d/%Y", "%Y-%m-%d")
            if start
            else None
        )
        if day is not None and (day.day != 1 or day.month not in (1, 4, 7, 10)):
            table.problems.append((line, f"{period.strip()!r} does not start a calendar quarter"))
            continue
        value = row[columns["annual"]] if columns["annual"] < len(row) else ""
        table.read(line, day, value, f"no quarter start in {period.strip()!r}")
    if not columns:
        raise UnreadableTableError("no header with Quarter and Annual rate columns")


READERS: dict[str, Callable[[str, ParsedTable], None]] = {
    "boe": _boe,
    "ecb": _ecb,
    "bundesbank": _bundesbank,
    "fred": _fred,
    "rba": _rba,
    "ontario": _ontario,
    "florida": _florida,
}


def detect(text: str) -> str:
    """Which published layout the text is in, from the marks each publisher leaves."""
    head = "\n".join(text.splitlines()[:15])
    marks = [
        ("bundesbank", "BBK01."),
        ("ecb", "MRR_FR"),
        ("ecb", "TIME PERIOD"),
        ("ecb", "TIME_PERIOD"),
        ("rba", "Series ID"),
        ("fred", "observation_date"),
        ("fred", "DPCREDIT"),
        ("boe", "IUDBEDR"),
        ("ontario", "Prejudgment"),
        ("florida", "Annual rate"),
    ]
    for name, mark in marks:
        if mark.lower() in head.lower():
            return name
    raise UnreadableTableError("not a layout this importer knows: pass --format (" + ", ".join(READERS) + ")")


def parse_table(text: str, layout: str | None = None) -> ParsedTable:
    """Read a published table; UnreadableTableError when it is not the layout it should be."""
    name = layout or detect(text.lstrip("\ufeff"))
    if name not in READERS:
        raise UnreadableTableError(f"unknown format {name!r}: one of {', '.join(READERS)}")
    table = ParsedTable(LAYOUTS[name])
    READERS[name](text.lstrip("\ufeff"), table)
    return table
