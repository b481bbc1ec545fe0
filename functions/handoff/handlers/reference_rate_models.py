"""Request and response models of the reference-rate routes and of rate confirmations."""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import ConfigDict, Field

from handoff.domain.base import LazyModel
from handoff.domain.claim import ClaimWarning, RateConfirmation
from handoff.domain.input_types import DECIMAL_STRING, FREE_TEXT, PLAIN_TEXT
from handoff.domain.jurisdictions.pack import (
    Citation,
    Coverage,
    PeriodLength,
    RatePoint,
    RateSeries,
    Verification,
)
from handoff.domain.lifecycle import CaseStatus
from handoff.domain.models import Strict
from handoff.domain.reference_rates import FixingRevision, RecordedFixing

if TYPE_CHECKING:  # only the mappers take these: the use cases load in the routes that call them
    from handoff.services.rate_confirmations import Confirmed
    from handoff.services.reference_rates import FixingInput, Recorded


class FixingRequest(Strict):
    """A fixing as its publisher gave it: the value, where it was read, how well it was checked."""

    value: Annotated[
        Decimal,
        Field(
            gt=-1000,
            lt=1000,
            decimal_places=6,
            description='Percent per year as a decimal string, e.g. "3.75" (at most 6 decimals)',
        ),
        DECIMAL_STRING,
    ]
    source: Annotated[
        str,
        Field(min_length=3, max_length=500, description="URL or publication the value was read from"),
        PLAIN_TEXT,
    ]
    verification: Annotated[
        Verification,
        Field(description="confirmed (read from the publisher), secondary (a report of it), unverified"),
    ] = Verification.confirmed
    through: Annotated[
        date | None,
        Field(description="Last day the value is known to hold, when a span was read (e.g. a daily table)"),
    ] = None
    note: Annotated[Annotated[str, FREE_TEXT] | None, Field(max_length=500)] = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "value": "3.75",
                    "source": "https://www.bankofengland.co.uk/boeapps/database/Bank-Rate.asp",
                    "verification": "confirmed",
                }
            ]
        }
    )

    def input(self) -> "FixingInput":
        from handoff.services.reference_rates import FixingInput

        return FixingInput(
            value=self.value,
            source=self.source,
            verification=self.verification,
            through=self.through,
            note=self.note,
        )


class FixingResponse(LazyModel):
    series: str
    effective_from: date
    value: Decimal
    through: date | None
    source: str
    verification: Verification
    note: str | None
    recorded_by: Annotated[str, Field(description="The operator key that recorded it")]
    recorded_at: datetime
    revisions: Annotated[list[FixingRevision], Field(description="Earlier values of this fixing")]
    changed: Annotated[bool, Field(description="False when the same fixing was recorded again")]
    released_cases: Annotated[
        int, Field(description="Cases held for an unrecorded rate that this fixing released")
    ]
    recorded_through: Annotated[date, Field(description="The series is recorded through this day now")]

    @classmethod
    def of(cls, recorded: "Recorded", recorded_through: date) -> "FixingResponse":
        fixing: RecordedFixing = recorded.fixing
        return cls(
            **fixing.model_dump(exclude={"revisions"}),
            revisions=fixing.revisions,
            changed=recorded.changed,
            released_cases=recorded.released,
            recorded_through=recorded_through,
        )


class SeriesPoint(LazyModel):
    effective_from: date
    value: Decimal
    through: date | None
    origin: Annotated[str, Field(description="seed (shipped with its citation) or recorded (by an operator)")]
    verification: Verification
    source: str | None
    note: str | None
    recorded_by: str | None
    recorded_at: datetime | None

    @classmethod
    def of(cls, point: RatePoint) -> "SeriesPoint":
        return cls(
            effective_from=point.from_,
            value=point.value,
            through=point.through,
            origin="recorded" if point.recorded_by else "seed",
            verification=point.verification,
            source=point.source,
            note=point.note,
            recorded_by=point.recorded_by,
            recorded_at=point.recorded_at,
        )


class SeriesSummary(LazyModel):
    series: str
    description: str
    holds_for: PeriodLength | None
    coverage: Coverage
    recorded_through: Annotated[
        date, Field(description="Latest recorded day; later days are stale (the last value is assumed)")
    ]
    latest: SeriesPoint

    @classmethod
    def of(cls, series: RateSeries) -> "SeriesSummary":
        return cls(
            series=series.name,
            description=series.description,
            holds_for=series.holds_for,
            coverage=series.coverage,
            recorded_through=series.known_through,
            latest=SeriesPoint.of(series.points[-1]),
        )


class SeriesResponse(SeriesSummary):
    citations: list[Citation]
    fixings: Annotated[list[SeriesPoint], Field(description="Every value, oldest first, seed and recorded")]
    revisions: Annotated[
        dict[str, list[FixingRevision]],
        Field(description="Earlier values of recorded fixings, by effective_from"),
    ]

    @classmethod
    def view(cls, series: RateSeries, recorded: list[RecordedFixing]) -> "SeriesResponse":
        return cls(
            **SeriesSummary.of(series).model_dump(),
            citations=series.citations,
            fixings=[SeriesPoint.of(p) for p in series.points],
            revisions={str(f.effective_from): f.revisions for f in recorded if f.revisions},
        )


class SeriesListResponse(LazyModel):
    items: list[SeriesSummary]


class RateConfirmationRequest(Strict):
    """Confirm, for this case, the value assumed for unrecorded days of a series (a stale_rate warning)."""

    series: Annotated[
        str,
        Field(min_length=1, max_length=40, description="Reference series of the stale_rate warning"),
        PLAIN_TEXT,
    ]
    period_from: Annotated[
        date | None, Field(description="First unrecorded day to confirm (default: every one of the series)")
    ] = None
    period_to: Annotated[
        date | None, Field(description="Last unrecorded day to confirm, today at the latest")
    ] = None
    note: Annotated[Annotated[str, FREE_TEXT] | None, Field(max_length=1000)] = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"series": "BOE_BANK_RATE", "note": "Finance accepts 3.75% until the fixing is out"}]
        }
    )


class RateConfirmationResponse(LazyModel):
    case_id: str
    status: CaseStatus
    confirmed: Annotated[list[RateConfirmation], Field(description="What this request confirmed")]
    warnings: Annotated[list[ClaimWarning], Field(description="The claim's warnings today, after it")]

    @classmethod
    def of(cls, confirmed: "Confirmed") -> "RateConfirmationResponse":
        return cls(
            case_id=confirmed.case.case_id,
            status=confirmed.case.status,
            confirmed=confirmed.confirmations,
            warnings=confirmed.claim.warnings,
        )
