"""`python -m handoff.local rates import FILE`: record a central bank's or court's published table.

Reads the file in its publisher's layout (`adapters.reference_rate_files`), turns runs of equal
values into fixings, and records them:

* `--api URL` — through a running API (`make serve`, or a deployed stage) with the operator key
  in `HANDOFF_OPERATOR_KEY`: the same validation as `PUT /v1/reference-rates/...`, and the cases
  held for those rates are released;
* `--table NAME` — straight into a deployed table (AWS credentials and region from the
  environment, `--endpoint-url` for a local one); held cases are released by the next fixing
  recorded through the API or by `POST /v1/cases/{id}/release`;
* `--dry-run` — only says what it would record.

A row that cannot be read is reported with its line number and reason, and nothing is recorded
unless `--accept-partial` says to record the rows that could be read.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from handoff.adapters.reference_rate_files import LAYOUTS, READERS, UnreadableTableError, parse_table
from handoff.domain.clock import utcnow
from handoff.domain.errors import InvalidRequestError
from handoff.domain.jurisdictions.pack import Verification, rule_pack
from handoff.domain.reference_rates import FixingDraft, drafts_from, fixing_problems


def add_parser(commands: Any) -> None:
    rates = commands.add_parser("rates", help="maintain reference rates").add_subparsers(
        dest="rates", required=True
    )
    parser = rates.add_parser(
        "import", help="record a published table of rates (see --help)", description=__doc__
    )
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("file", type=Path)
    parser.add_argument("--series", help="the rule-pack series (default: the one the file's layout feeds)")
    parser.add_argument(
        "--format", choices=sorted(READERS), help="the publisher's layout (default: detected)"
    )
    parser.add_argument("--source", help="recorded with each fixing (default: the publisher and series code)")
    parser.add_argument("--verification", choices=[v.value for v in Verification], default="confirmed")
    parser.add_argument("--through", type=date.fromisoformat, help="the last value holds through this day")
    parser.add_argument("--accept-partial", action="store_true", help="record the readable rows anyway")
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--api", help="base URL of a running Handoff API (operator key: HANDOFF_OPERATOR_KEY)"
    )
    target.add_argument("--table", help="the DynamoDB table of a deployed stack")
    target.add_argument("--dry-run", action="store_true", help="only say what would be recorded")
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (with --table), e.g. a local one")
    parser.add_argument("--recorded-by", default=f"cli:{getpass.getuser()}", help="with --table: who records")


def _span(draft: FixingDraft) -> str:
    return f"{draft.effective_from}..{draft.through}" if draft.through else str(draft.effective_from)


def run_import(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        table = parse_table(args.file.read_text(encoding="utf-8-sig"), args.format)
    except (UnreadableTableError, OSError, UnicodeDecodeError) as exc:
        print(f"{args.file}: {exc}", file=out)
        return 2
    layout = table.layout
    series = args.series or layout.series
    if series != layout.series:
        print(f"{args.file}: a {layout.name} table feeds {layout.series}, not {series}", file=out)
        return 2
    drafts, contradictions = drafts_from(table.observations, rule_pack(), series)
    refused = sorted([*table.problems, *contradictions])
    if args.through and drafts:
        last = drafts[-1]
        drafts[-1] = FixingDraft(last.effective_from, last.value, args.through, last.lines)
    print(
        f"{args.file.name}: {LAYOUTS[layout.name].publisher}; {len(table.observations)} values read, "
        f"{len(table.missing)} rows with no value, {len(refused)} refused",
        file=out,
    )
    for line, reason in refused:
        print(f"  line {line}: {reason}", file=out)
    if refused and not args.accept_partial:
        print("nothing recorded: fix those rows, or pass --accept-partial to record the others", file=out)
        return 1
    source = args.source or LAYOUTS[layout.name].publisher + f" ({args.file.name})"
    verification = Verification(args.verification)
    if args.dry_run:
        return _dry_run(series, drafts, out)
    if args.api:
        return _through_api(args.api, series, drafts, source, verification, out)
    return _into_table(args, series, drafts, source, verification, out)


def _dry_run(series: str, drafts: list[FixingDraft], out: TextIO) -> int:
    failed = 0
    for draft in drafts:
        problems = fixing_problems(
            rule_pack(), series, draft.effective_from, draft.value, draft.through, utcnow().date()
        )
        verdict = "; ".join(p.message for p in problems) or "would be recorded"
        failed += bool(problems)
        lines = f"lines {draft.lines[0]}-{draft.lines[1]}"
        print(f"  {series} {_span(draft):<24} {draft.value:>7}%  {lines}: {verdict}", file=out)
    return 1 if failed else 0


def _through_api(
    base_url: str,
    series: str,
    drafts: list[FixingDraft],
    source: str,
    verification: Verification,
    out: TextIO,
) -> int:
    from handoff.local.client import ApiError, HandoffClient

    key = os.environ.get("HANDOFF_OPERATOR_KEY")
    if not key:
        print("HANDOFF_OPERATOR_KEY is not set: the API records fixings for operators only", file=out)
        return 2
    client = HandoffClient(base_url.rstrip("/"), key)
    through = None
    for draft in drafts:
        body: dict[str, Any] = {"value": str(draft.value), "source": source, "verification": verification}
        if draft.through:
            body["through"] = draft.through.isoformat()
        try:
            answer = client.request("PUT", f"/v1/reference-rates/{series}/{draft.effective_from}", json=body)
        except ApiError as error:
            print(
                f"  {series} {_span(draft)}: refused, {error.status} {error.problem.get('detail')}", file=out
            )
            return 1
        through = answer["recorded_through"]
        state = "recorded" if answer["changed"] else "unchanged"
        print(f"  {series} {_span(draft):<24} {draft.value:>7}%  {state}", file=out)
    print(f"{series} is recorded through {through}", file=out)
    return 0


def _into_table(
    args: argparse.Namespace,
    series: str,
    drafts: list[FixingDraft],
    source: str,
    verification: Verification,
    out: TextIO,
) -> int:
    import boto3

    from handoff.adapters.reference_rate_store import DynamoReferenceRates
    from handoff.services.reference_rates import MaintainedRates, import_fixings

    client = boto3.client("dynamodb", endpoint_url=args.endpoint_url)
    rates = MaintainedRates(DynamoReferenceRates(client, args.table), ttl_seconds=0)
    try:
        recorded = import_fixings(rates, series, drafts, source, verification, args.recorded_by, utcnow())
    except InvalidRequestError as exc:
        for problem in exc.problems:
            print(f"  {problem.loc[0]}: {problem.message}", file=out)
        print("nothing recorded", file=out)
        return 1
    for draft, result in zip(drafts, recorded, strict=True):
        state = "recorded" if result.changed else "unchanged"
        print(f"  {series} {_span(draft):<24} {draft.value:>7}%  {state}", file=out)
    print(f"{series} is recorded through {rates.pack().reference_rates[series].known_through}", file=out)
    return 0
