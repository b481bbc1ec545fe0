"""What maintained reference rates cost a request: the claim on the seed vs on seed + recorded fixings.

Run from the repository root:

    .venv/bin/python -m benchmarks.reference_rates            # prints a table, writes the .md
    .venv/bin/python -m benchmarks.reference_rates --no-write

Side by side in one run, interleaved round by round (each round starts with another case),
medians of `--runs` rounds:

* `claim_as_of` of the sample GB case (two invoices) on the shipped seed, and on the seed with
  `--fixings` recorded fixings laid over it (the pack every function uses);
* `with_recorded`: laying those fixings over the seed (once per cache period per function);
* reading them from DynamoDB (`DynamoReferenceRates.all`, one query) on in-process moto, which
  measures our code and moto, not AWS latency;
* `MaintainedRates.pack()` when its copy is fresh (every claim after the first).

The claims and the overlay are timed in interleaved rounds; the DynamoDB read afterwards, on its
own (moto's server work in between would disturb the small timings).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from handoff.domain.claim import claim_as_of
from handoff.domain.jurisdictions.pack import Verification, rule_pack
from handoff.domain.models import CaseIntake
from handoff.domain.reference_rates import RecordedFixing, with_recorded

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "reference_rates.md"
COMMAND = ".venv/bin/python -m benchmarks.reference_rates"
REPEAT = 50  # calls per sample: a sample is their mean, so a single slow call does not decide it
SERIES = ["BOE_BANK_RATE", "ECB_MRO", "FED_DISCOUNT", "RBA_CASH"]  # decision-driven: any day may be a fixing


def fixings(count: int) -> list[RecordedFixing]:
    """`count` fixings spread over the decision-driven series, a week apart (synthetic values)."""
    start = date(2020, 1, 6)
    return [
        RecordedFixing(
            series=SERIES[i % len(SERIES)],
            effective_from=start + timedelta(days=7 * (i // len(SERIES))),
            value=Decimal("1.00") + Decimal(i % 7) / 4,
            source="benchmark: synthetic",
            verification=Verification.unverified,
            recorded_by="operator:bench",
            recorded_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
        for i in range(count)
    ]


class _Recorded:
    """The store port in memory (the DynamoDB read is timed on its own below)."""

    def __init__(self, recorded: list[RecordedFixing]):
        self._recorded = recorded

    def all(self) -> list[RecordedFixing]:
        return self._recorded

    def of_series(self, series: str) -> list[RecordedFixing]:
        return [f for f in self._recorded if f.series == series]

    def get(self, series: str, effective_from: date) -> RecordedFixing | None:
        return next((f for f in self.of_series(series) if f.effective_from == effective_from), None)

    def put(self, fixing: RecordedFixing, replaces: RecordedFixing | None) -> None:
        day = (fixing.series, fixing.effective_from)
        self._recorded = [f for f in self._recorded if (f.series, f.effective_from) != day] + [fixing]


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Milliseconds per call, over `repeat` calls in a row."""
    began = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - began) * 1000 / repeat


def moto_reader(recorded: list[RecordedFixing]) -> tuple[Callable[[], object], Callable[[], None]]:
    import boto3
    from moto import mock_aws

    from handoff.adapters.reference_rate_store import DynamoReferenceRates
    from handoff.adapters.table_schema import create_table_kwargs

    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    mock = mock_aws()
    mock.start()
    client = boto3.client("dynamodb", region_name="eu-west-2")
    client.create_table(**create_table_kwargs("bench"))  # type: ignore[arg-type]
    store = DynamoReferenceRates(client, "bench")
    for fixing in recorded:
        store.put(fixing, None)
    return store.all, mock.stop


def run(runs: int, count: int) -> dict[str, list[float]]:
    from handoff.services.reference_rates import MaintainedRates

    example = json.loads((HERE.parent / "examples" / "cases" / "acme-northwind-gb.json").read_text())
    intake = CaseIntake.model_validate(example)
    recorded = fixings(count)
    seed = rule_pack()
    overlaid = with_recorded(seed, recorded)
    read_all, stop = moto_reader(recorded)
    rates = MaintainedRates(_Recorded(recorded), ttl_seconds=3600)  # read once, in the warm-up
    as_of = date(2026, 12, 2)
    claims: dict[str, Callable[[], object]] = {
        "claim_as_of, seed pack": lambda: claim_as_of(intake, None, as_of, pack=seed),
        f"claim_as_of, seed + {count} recorded fixings": lambda: claim_as_of(
            intake, None, as_of, pack=overlaid
        ),
        f"with_recorded: lay {count} fixings over the seed": lambda: with_recorded(seed, recorded),
        "MaintainedRates.pack(), copy fresh": rates.pack,
    }
    times: dict[str, list[float]] = {name: [] for name in claims}
    try:
        for fn in claims.values():
            fn()  # warm-up: models built, caches filled
        order = list(claims)
        for round_ in range(runs):  # each round starts with another case: no case always goes first
            for name in order[round_ % len(order) :] + order[: round_ % len(order)]:
                times[name].append(timed(claims[name], REPEAT))
        read = f"read {count} fixings from DynamoDB (one query, in-process moto)"
        read_all()
        times[read] = [timed(read_all, 1) for _ in range(runs)]  # apart: moto would disturb the others
    finally:
        stop()
    return times


def report(times: dict[str, list[float]], runs: int, count: int) -> str:
    names = list(times)
    medians = {n: statistics.median(t) for n, t in times.items()}
    ratio = medians[names[1]] / medians[names[0]]
    lines = [
        "# Reference rates: what recorded fixings cost a claim",
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {platform.machine()} ({os.cpu_count()} cores), "
        f"Python {platform.python_version()}; `{COMMAND} --runs {runs} --fixings {count}`.",
        "",
        f"Each sample of the first four rows is the mean of {REPEAT} calls in a row; the DynamoDB read is "
        "timed once per sample, after the others.",
        "",
        "| what | median ms | best | worst |",
        "|---|---|---|---|",
        *(f"| {n} | {medians[n]:.4f} | {min(times[n]):.4f} | {max(times[n]):.4f} |" for n in names),
        "",
        f"**Claim on seed + {count} recorded fixings / on the seed: {ratio:.2f}x** (side by side, medians "
        f"of {runs} interleaved rounds). A function lays the fixings over the seed and reads them once per "
        "cache period (`REFERENCE_RATES_CACHE_SECONDS`, 60 s); every other claim reads its fresh copy.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fixings", type=int, default=200)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    text = report(run(args.runs, args.fixings), args.runs, args.fixings)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)


if __name__ == "__main__":
    main()
