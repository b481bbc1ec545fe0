"""The shipped rule pack loads, carries the FACTS values, and a bad pack never loads."""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from handoff.domain.jurisdictions import RulePackError, load_pack, rule_pack
from handoff.domain.jurisdictions.interest import rate_periods
from handoff.domain.jurisdictions.pack import StatutoryInterestRule, Verification, build_pack

EXPECTED = [
    "GB-ENG", "GB-WLS", "GB-SCT", "IE", "DE", "FR", "NL", "AU-NSW", "AU-VIC", "CA-ON",
    "US-CA", "US-NY", "US-TX", "US-FL", "US-IL", "US-WA", "US-DE", "US-GA", "US-PA", "US-MA",
]  # fmt: skip
DATA = Path(__file__).parents[2] / "functions/handoff/domain/jurisdictions/data"


def test_every_listed_jurisdiction_loads_with_a_version():
    pack = rule_pack()
    assert pack.pack_version == "2026.02.1"
    assert set(EXPECTED) <= set(pack.jurisdictions)
    for code in EXPECTED:
        jurisdiction = pack.jurisdictions[code]
        assert jurisdiction.jurisdiction == code
        assert jurisdiction.versions("limitation"), code
        assert jurisdiction.versions("small_claims"), code


def test_every_rule_is_dated_cited_and_graded():
    for jurisdiction in rule_pack().jurisdictions.values():
        for rule in jurisdiction.rules:
            assert rule.citations and all(c.cite for c in rule.citations)
            assert rule.verification in set(Verification)
            assert rule.effective_to is None or rule.effective_to >= rule.effective_from


def test_rule_pack_is_loaded_once():
    assert rule_pack() is rule_pack()


@pytest.mark.parametrize(
    ("series", "day", "value"),
    [
        ("BOE_BANK_RATE", date(2026, 2, 5), "3.75"),
        ("BOE_BANK_RATE", date(2025, 12, 17), "4.00"),
        ("ECB_MRO", date(2026, 2, 5), "2.15"),
        ("DE_BASISZINSSATZ", date(2026, 1, 1), "1.27"),
        ("FED_DISCOUNT", date(2026, 2, 5), "3.75"),
        ("RBA_CASH", date(2025, 12, 31), "3.60"),
        ("RBA_CASH", date(2026, 2, 5), "3.85"),
    ],
)
def test_reference_series_hold_the_facts_values(series, day, value):
    assert rule_pack().reference_rates[series].value_on(day) == Decimal(value)


@pytest.mark.parametrize(
    ("code", "rate"),
    [
        ("GB-ENG", "11.75"),
        ("GB-SCT", "11.75"),
        ("IE", "10.15"),
        ("DE", "10.27"),
        ("FR", "12.15"),
        ("NL", "10.15"),
        ("AU-NSW", "7.60"),
        ("US-DE", "8.75"),
        ("AU-VIC", "10"),
        ("US-CA", "10"),
        ("US-TX", "6"),
    ],
)
def test_statutory_rates_for_interest_starting_early_2026_match_facts(code, rate):
    pack = rule_pack()
    (rule,) = pack.jurisdictions[code].in_force("statutory_interest", date(2026, 2, 5))
    assert isinstance(rule, StatutoryInterestRule)
    series = pack.reference_rates.get(rule.formula.reference or "")
    start = date(2026, 1, 2) if code != "US-DE" else date(2026, 2, 5)
    (period,) = rate_periods(rule.formula, series, start, start, date(2026, 2, 5))
    assert period.rate_percent == Decimal(rate)


# --- validation failures -----------------------------------------------------------------------


def _documents() -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    header = yaml.safe_load((DATA / "pack.yaml").read_text())
    rates = yaml.safe_load((DATA / "reference_rates.yaml").read_text())
    jurisdictions = [yaml.safe_load(p.read_text()) for p in sorted((DATA / "jurisdictions").glob("*.yaml"))]
    return header, rates, jurisdictions


def _gb_eng(jurisdictions: list[dict[str, Any]]) -> dict[str, Any]:
    return next(j for j in jurisdictions if j["jurisdiction"] == "GB-ENG")


def _rule(jurisdiction: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in jurisdiction["rules"] if r["id"] == rule_id)


def test_unmodified_documents_build():
    assert build_pack(*_documents()).pack_version == "2026.02.1"


def test_overlapping_effective_ranges_for_one_rule_id_fail():
    header, rates, jurisdictions = _documents()
    gb = _gb_eng(jurisdictions)
    newer = copy.deepcopy(_rule(gb, "small_claims"))
    newer["effective_from"] = date(2025, 1, 1)  # the existing version is open-ended from 2013
    gb["rules"].append(newer)
    with pytest.raises(RulePackError) as error:
        build_pack(header, rates, jurisdictions)
    assert any("GB-ENG: rule small_claims: effective ranges overlap" in p for p in error.value.problems)


def test_adjacent_effective_ranges_are_fine():
    header, rates, jurisdictions = _documents()
    gb = _gb_eng(jurisdictions)
    current = _rule(gb, "small_claims")
    current["effective_to"] = date(2026, 12, 31)
    newer = copy.deepcopy(current) | {"effective_from": date(2027, 1, 1), "effective_to": None}
    gb["rules"].append(newer)
    pack = build_pack(header, rates, jurisdictions)
    assert len(pack.jurisdictions["GB-ENG"].versions("small_claims")) == 2


@pytest.mark.parametrize("citations", [[], None, "missing"])
def test_a_rule_without_citation_fails(citations):
    header, rates, jurisdictions = _documents()
    rule = _rule(_gb_eng(jurisdictions), "limitation")
    if citations == "missing":
        del rule["citations"]
    else:
        rule["citations"] = citations
    with pytest.raises(RulePackError) as error:
        build_pack(header, rates, jurisdictions)
    assert any("GB-ENG" in p and "citations" in p for p in error.value.problems)


def test_unknown_reference_series_fails():
    header, rates, jurisdictions = _documents()
    _rule(_gb_eng(jurisdictions), "statutory_interest")["formula"]["reference"] = "BOE_BASE_RATE_TYPO"
    with pytest.raises(RulePackError) as error:
        build_pack(header, rates, jurisdictions)
    assert error.value.problems == [
        "GB-ENG: rule statutory_interest: unknown reference series BOE_BASE_RATE_TYPO"
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("effective_from", "2026-02-30"), ("effective_from", "yesterday"), ("effective_to", date(1980, 1, 1))],
)
def test_bad_rule_dates_fail(field, value):
    header, rates, jurisdictions = _documents()
    _rule(_gb_eng(jurisdictions), "limitation")[field] = value
    with pytest.raises(RulePackError) as error:
        build_pack(header, rates, jurisdictions)
    assert any(p.startswith("GB-ENG: rules.") for p in error.value.problems)


def test_bad_rate_series_dates_fail():
    header, rates, jurisdictions = _documents()
    points = rates["series"]["BOE_BANK_RATE"]["points"]
    points[0]["from"] = "2009-13-05"
    points.append({"from": date(2001, 1, 1), "value": "1.00"})
    with pytest.raises(RulePackError) as error:
        build_pack(header, rates, jurisdictions)
    assert any(p.startswith("reference_rates.BOE_BANK_RATE") for p in error.value.problems)


def test_impossible_date_in_a_yaml_file_fails(tmp_path):
    target = tmp_path / "data"
    (target / "jurisdictions").mkdir(parents=True)
    for name in ("pack.yaml", "reference_rates.yaml"):
        (target / name).write_text((DATA / name).read_text())
    text = (DATA / "jurisdictions/GB-ENG.yaml").read_text().replace("2013-04-01", "2013-02-30")
    (target / "jurisdictions/GB-ENG.yaml").write_text(text)
    with pytest.raises(RulePackError, match=r"GB-ENG\.yaml"):
        load_pack(target)


def test_pack_loads_from_a_copied_directory(tmp_path):
    target = tmp_path / "data"
    (target / "jurisdictions").mkdir(parents=True)
    for name in ("pack.yaml", "reference_rates.yaml", "jurisdictions/IE.yaml"):
        (target / name).write_text((DATA / name).read_text())
    assert list(load_pack(target).jurisdictions) == ["IE"]


def test_other_shape_errors_are_reported_together():
    header, rates, jurisdictions = _documents()
    header["pack_version"] = "v1"
    _rule(_gb_eng(jurisdictions), "fixed_compensation")["tiers"] = [{"upper": "10", "amount": "1"}]
    jurisdictions.append(copy.deepcopy(jurisdictions[0]))
    with pytest.raises(RulePackError) as error:
        build_pack(header, rates, jurisdictions)
    text = " | ".join(error.value.problems)
    assert "only the last tier is unbounded" in text
    assert "defined twice" in text
    assert "pack_version" in text
