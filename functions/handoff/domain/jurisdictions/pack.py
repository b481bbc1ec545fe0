"""The jurisdiction rule pack: pydantic models of the YAML data and its loader.

Every rule is dated (`effective_from`..`effective_to`, both inclusive, `None` = open),
cites at least one source and says how well it was verified. Reference rates are
separate dated series (`reference_rates.yaml`). Loading validates everything and raises
`RulePackError` listing every problem; a bad pack never loads half-way.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Annotated, Any, Literal, TypeVar

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from handoff.domain.jurisdictions.citations import Citation, PackModel, Verification
from handoff.domain.jurisdictions.rate_series import (
    Coverage,
    PeriodLength,
    RatePoint,
    RateSeries,
    period_bounds,
)
from handoff.domain.models import EntityType

__all__ = [  # the rate series and citation models are part of the pack's public surface
    "Citation",
    "Coverage",
    "PackModel",
    "PeriodLength",
    "RatePoint",
    "RateSeries",
    "Verification",
    "period_bounds",
]

PACK_VERSION_PATTERN = r"^\d{4}\.\d{2}\.\d+$"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MONTH_DAY = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


class RulePackError(ValueError):
    """The rule pack data is invalid; `problems` lists every failure found."""

    def __init__(self, problems: list[str]):
        super().__init__("invalid rule pack: " + "; ".join(problems))
        self.problems = problems


class Rule(PackModel):
    """Fields every rule carries."""

    id: Annotated[str, Field(min_length=1, description="Rule id, unique per jurisdiction and date")]
    effective_from: Annotated[date, Field(description="First day the rule applies")]
    effective_to: Annotated[date | None, Field(description="Last day the rule applies; null = open")] = None
    citations: Annotated[list[Citation], Field(min_length=1, description="At least one source")]
    verification: Annotated[Verification, Field(description="confirmed | secondary | unverified")]
    note: Annotated[str | None, Field(description="Caveats worth showing to a reader")] = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Rule":
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError(
                f"effective_to {self.effective_to} is before effective_from {self.effective_from}"
            )
        return self

    def in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class Fixing(StrEnum):
    """How a reference rate feeds the statutory rate."""

    series = "series"  # follows every change of the series
    at_start = "at_start"  # the value on the day interest starts, for the whole period
    half_year = "half_year"  # each half-year uses the value on its fixing date (piecewise)
    half_year_at_start = "half_year_at_start"  # the fixing before the start, for the whole period


class RoundingMode(StrEnum):
    daily = "daily"  # the daily amount is rounded to the minor unit, then multiplied (GOV.UK)
    exact = "exact"  # the total is rounded once


class InterestFormula(PackModel):
    rate_percent: Annotated[Decimal | None, Field(description="Fixed annual rate, when not a reference")] = (
        None
    )
    reference: Annotated[str | None, Field(description="Reference rate series, e.g. BOE_BANK_RATE")] = None
    margin_pp: Annotated[Decimal, Field(description="Percentage points over the reference")] = Decimal(0)
    fixing: Annotated[Fixing, Field(description="How the reference is sampled")] = Fixing.series
    fixing_dates: Annotated[list[str], Field(description="MM-DD fixing dates for half-year modes")] = []
    day_count: Literal["ACT/365"] = "ACT/365"
    compounding: Literal["simple"] = "simple"

    @field_validator("fixing_dates")
    @classmethod
    def _month_days(cls, values: list[str]) -> list[str]:
        for value in values:
            if not MONTH_DAY.match(value):
                raise ValueError(f"fixing date {value!r} is not MM-DD")
        return values

    @model_validator(mode="after")
    def _one_source(self) -> "InterestFormula":
        if (self.rate_percent is None) == (self.reference is None):
            raise ValueError("give exactly one of rate_percent or reference")
        if self.fixing in (Fixing.half_year, Fixing.half_year_at_start) and not self.fixing_dates:
            raise ValueError(f"fixing {self.fixing} needs fixing_dates")
        return self


class StatutoryInterestRule(Rule):
    kind: Literal["statutory_interest"]
    formula: InterestFormula
    start_days_after_due: Annotated[
        int, Field(ge=1, description="Interest runs from due date + this many days (1 = day after)")
    ] = 1
    nature: Annotated[
        Literal["late_payment_statute", "court_prejudgment", "penalty_rate", "legal_rate"],
        Field(description="What kind of rate this is; a court rate is claimable in proceedings"),
    ] = "late_payment_statute"


class Comparison(StrEnum):
    lt = "lt"
    lte = "lte"


class Tier(PackModel):
    upper: Annotated[Decimal | None, Field(description="Tier bound; null for the last tier")] = None
    op: Annotated[Comparison, Field(description="lt: amount < upper; lte: amount <= upper")] = Comparison.lt
    amount: Annotated[Decimal, Field(ge=0, description="Fixed compensation in the rule's currency")]


class FixedCompensationRule(Rule):
    kind: Literal["fixed_compensation"]
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    tiers: Annotated[list[Tier], Field(min_length=1)]

    @model_validator(mode="after")
    def _tiers_ascending(self) -> "FixedCompensationRule":
        uppers = [t.upper for t in self.tiers]
        if uppers[-1] is not None or any(u is None for u in uppers[:-1]):
            raise ValueError("only the last tier is unbounded, and it must be")
        bounded = [u for u in uppers if u is not None]
        if bounded != sorted(set(bounded)):
            raise ValueError("tier bounds must be strictly ascending")
        return self


class RestartEvent(StrEnum):
    acknowledgement = "acknowledgement"
    part_payment = "part_payment"
    written_promise = "written_promise"
    written_demand = "written_demand"
    judgment = "judgment"


class LimitationStart(StrEnum):
    accrual = "accrual"  # the day after the due date
    year_end = "year_end"  # 31 Dec of the year of accrual (BGB §199)
    discovery = "discovery"  # the day the claim was discovered (ON)


class AncillaryOnBar(StrEnum):
    """What happens to interest and compensation once the principal claim is barred."""

    barred = "barred"  # barred with the principal, however accrued (BGB §217; extinction)
    stop = "stop"  # nothing accrues after the last day of the period


class Suspension(PackModel):
    """A recorded event that stops the clock until it ends, plus a tail (BGB §204(2): six months)."""

    starts_on_event: Annotated[str, Field(description="Legal event kind that starts the suspension")]
    ends_on_event: Annotated[str, Field(description="Legal event kind that ends it")]
    tail_months: Annotated[int, Field(ge=0, le=24, description="Months the suspension lasts after it ends")]
    cite: str


class LimitationRule(Rule):
    kind: Literal["limitation"]
    written_contract_years: Annotated[int, Field(ge=1, le=30)]
    open_account_years: Annotated[
        int, Field(ge=1, le=30, description="Unwritten (oral) contracts and open accounts")
    ]
    goods_years: Annotated[int | None, Field(description="UCC 2-725 period for sales of goods")] = None
    deed_years: Annotated[int | None, Field(description="Contracts made by deed or under seal")] = None
    consumer_years: Annotated[int | None, Field(description="Period against consumers (individuals)")] = None
    period_cites: Annotated[
        dict[str, str],
        Field(description="Statute of each period: written, unwritten, goods, deed, consumer"),
    ] = {}
    on_bar: Annotated[AncillaryOnBar, Field(description="Interest and compensation once barred")] = (
        AncillaryOnBar.stop
    )
    on_bar_cite: Annotated[str | None, Field(description="Source of `on_bar`")] = None
    suspensions: list[Suspension] = []
    starts: LimitationStart = LimitationStart.accrual
    ultimate_years: Annotated[int | None, Field(description="Long-stop from accrual, never restarted")] = None
    restart_on: Annotated[list[RestartEvent], Field(description="Events that start the period anew")] = []
    ack_form: Annotated[
        Literal["written", "any"], Field(description="Whether an acknowledgement must be in writing")
    ] = "written"
    extinguishes: Annotated[bool, Field(description="True where expiry extinguishes the debt (GB-SCT)")] = (
        False
    )


class ResponseWhen(PackModel):
    debtor_types: Annotated[list[EntityType], Field(min_length=1, description="Debtor entity types")]


class ResponsePeriodRule(Rule):
    kind: Literal["response_period"]
    when: Annotated[ResponseWhen | None, Field(description="Debtors the rule applies to; null = all")] = None
    days: Annotated[int, Field(ge=1, le=365)]
    business_days: bool
    enclosures: list[str] = []


class Claimant(StrEnum):
    any = "any"
    natural_person = "natural_person"
    entity = "entity"


class Ceiling(PackModel):
    claimant: Claimant = Claimant.any
    amount: Annotated[Decimal | None, Field(description="Null where the track excludes debt claims")]


class SmallClaimsRule(Rule):
    kind: Literal["small_claims"]
    currency: Annotated[str, Field(min_length=3, max_length=3)]
    ceilings: Annotated[list[Ceiling], Field(min_length=1)]


AnyRule = Annotated[
    StatutoryInterestRule | FixedCompensationRule | LimitationRule | ResponsePeriodRule | SmallClaimsRule,
    Field(discriminator="kind"),
]
RuleKind = Literal[
    "statutory_interest", "fixed_compensation", "limitation", "response_period", "small_claims"
]


R = TypeVar("R", bound=Rule)


class BusinessCalendar(PackModel):
    lib: Literal["holidays==0.109"] = "holidays==0.109"
    country: Annotated[str, Field(min_length=2, max_length=2)]
    subdiv: str | None = None
    categories: list[str] = []


class Jurisdiction(PackModel):
    jurisdiction: Annotated[str, Field(description="ISO 3166-1 or 3166-2 code, e.g. GB-ENG")]
    name: str
    pack_version: Annotated[str, Field(pattern=PACK_VERSION_PATTERN)]
    calendar: BusinessCalendar
    rules: list[AnyRule]
    gaps: Annotated[dict[str, str], Field(description="Why a kind of rule is missing")] = {}

    def versions(self, kind: str) -> list[AnyRule]:
        return sorted((r for r in self.rules if r.kind == kind), key=lambda r: r.effective_from)

    def in_force(self, kind: str, day: date) -> list[AnyRule]:
        return [r for r in self.versions(kind) if r.in_force(day)]

    def of_type(self, rule_type: type[R], day: date | None = None) -> list[R]:
        """Versions of one kind of rule, oldest first; only those in force on `day` if given."""
        found = [r for r in self.rules if isinstance(r, rule_type) and (day is None or r.in_force(day))]
        return sorted(found, key=lambda r: r.effective_from)


class Defaults(PackModel):
    response_days: Annotated[int, Field(ge=1, description="Product default response period")]
    response_business_days: bool
    response_note: str


class RulePack(PackModel):
    pack_version: Annotated[str, Field(pattern=PACK_VERSION_PATTERN, description="e.g. 2026.02.1")]
    facts_as_of: date
    disclaimer: str
    defaults: Defaults
    reference_rates: dict[str, RateSeries]
    jurisdictions: dict[str, Jurisdiction]

    def get(self, code: str | None) -> Jurisdiction | None:
        return None if code is None else self.jurisdictions.get(code)


def _overlaps(a: Rule, b: Rule) -> bool:
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from <= b_end and b.effective_from <= a_end


def _problems_of(pack: RulePack) -> list[str]:
    problems: list[str] = []
    for code, jurisdiction in pack.jurisdictions.items():
        if jurisdiction.pack_version != pack.pack_version:
            problems.append(f"{code}: pack_version {jurisdiction.pack_version} != {pack.pack_version}")
        by_id: dict[str, list[Rule]] = defaultdict(list)
        for rule in jurisdiction.rules:
            by_id[rule.id].append(rule)
            if isinstance(rule, StatutoryInterestRule):
                ref = rule.formula.reference
                if ref is not None and ref not in pack.reference_rates:
                    problems.append(f"{code}: rule {rule.id}: unknown reference series {ref}")
        for rule_id, rules in by_id.items():
            for i, first in enumerate(rules):
                for second in rules[i + 1 :]:
                    if _overlaps(first, second):
                        problems.append(
                            f"{code}: rule {rule_id}: effective ranges overlap "
                            f"({first.effective_from}..{first.effective_to} and "
                            f"{second.effective_from}..{second.effective_to})"
                        )
    return problems


def _format(error: ValidationError, where: str) -> list[str]:
    return [f"{where}: {'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()]


def build_pack(
    header: Mapping[str, Any], rates: Mapping[str, Any], jurisdictions: Iterable[Mapping[str, Any]]
) -> RulePack:
    """Validate parsed documents into a `RulePack`, or raise `RulePackError` listing every problem."""
    problems: list[str] = []
    parsed: dict[str, Jurisdiction] = {}
    for document in jurisdictions:
        where = str(document.get("jurisdiction", "?"))
        try:
            jurisdiction = Jurisdiction.model_validate(document)
        except ValidationError as exc:
            problems.extend(_format(exc, where))
            continue
        if jurisdiction.jurisdiction in parsed:
            problems.append(f"{where}: jurisdiction defined twice")
        parsed[jurisdiction.jurisdiction] = jurisdiction
    series: dict[str, RateSeries] = {}
    for name, body in (rates.get("series") or {}).items():
        try:
            series[name] = RateSeries.model_validate({"name": name, **body})
        except ValidationError as exc:
            problems.extend(_format(exc, f"reference_rates.{name}"))
    try:
        pack = RulePack.model_validate({**header, "reference_rates": series, "jurisdictions": parsed})
    except ValidationError as exc:
        raise RulePackError([*problems, *_format(exc, "pack")]) from exc
    problems.extend(_problems_of(pack))
    if problems:
        raise RulePackError(problems)
    return pack


def _read(node: Traversable) -> Any:
    try:
        return yaml.load(node.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 (safe loader)
    except (yaml.YAMLError, ValueError) as exc:  # PyYAML raises ValueError on dates like 2026-02-30
        raise RulePackError([f"{node.name}: {exc}"]) from exc


def load_pack(directory: Traversable) -> RulePack:
    """Load `pack.yaml`, `reference_rates.yaml` and `jurisdictions/*.yaml` from a directory."""
    jurisdiction_dir = directory / "jurisdictions"
    documents = [
        _read(node)
        for node in sorted(jurisdiction_dir.iterdir(), key=lambda n: n.name)
        if node.name.endswith(".yaml")
    ]
    return build_pack(_read(directory / "pack.yaml"), _read(directory / "reference_rates.yaml"), documents)


@cache
def rule_pack() -> RulePack:
    """The pack shipped with the package, loaded and validated once per process."""
    return load_pack(files("handoff.domain.jurisdictions") / "data")
