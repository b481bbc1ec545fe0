"""The main path of a case, end to end over HTTP on the local runtime: what one case costs.

    .venv/bin/python -m benchmarks.workflow [--cases 20] [--runs 3] [--concurrency 10]
                                            [--seconds-per-day 0.25] [--no-write]

One local stack (moto in server mode in this process, the HTTP gateway, every Lambda handler
in-process, moto's Step Functions interpreter running `infra/statemachine/case_workflow.asl.json`).
The operator onboards one business and one agency (Golden Gate Collections, US-CA, up to
10,000 USD) and each case is the sample `globex-hooli-ca` debt (3,400 USD, US-CA) with its own
creditor reference. Per case the driver does what the business and the agency would do:

1. `POST /v1/cases` — intake; the first workflow run holds the case for missing evidence;
2. `POST /v1/cases/{id}/evidence` and a presigned POST straight to S3, for the invoice, the
   signed terms and the proof of delivery (the complete evidence); the verifier (S3 → SQS →
   Lambda) checks the bytes and releases the case into a second run;
3. the demand is issued and the debtor's response window runs out (compressed time:
   `HANDOFF_SECONDS_PER_DAY`), the case is routed to the agency and the referral sent;
4. the agency accepts (`POST /v1/assignments/{id}/accept`): the case is in recovery.

The driver watches progress with a separate "observer" business key (GET case, GET events);
invocations and AWS requests caused by the observer are counted apart and left out of the
per-case figures. What is measured, per phase:

* Lambda invocations by function: every call through `handoff.local.aws.invoke_local`
  (wrapped here; the gateway, the SQS event source and the Step Functions hook all go through
  it) and each handler's own wall time (the handler wrapped in the local registry: no wait
  for the local per-function lock, as on Lambda where another environment would take it);
* AWS requests by service and operation: `botocore.client.BaseClient._make_api_call` is
  wrapped in this process, attributed to the function running on the calling thread; DynamoDB
  read and write units are estimated from item sizes (see `_ddb_units`); S3 bytes are counted;
* state transitions: the `*StateEntered` events in `get_execution_history` of every execution
  of the case (executions are named `<case_id>-run<n>`);
* cases per minute: cases / wall time of a run, all cases of the run in flight
  (`--concurrency`), on this machine's two cores with compressed days.

A warm-up case (cold imports) and a sequential pass (one case at a time, for per-invocation
durations without contention) come first; then `--runs` runs of `--cases` cases; per-case
figures are medians over runs. Results go to `benchmarks/workflow.md`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import platform
import secrets
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).with_name("workflow.md")
COMMAND = ".venv/bin/python -m benchmarks.workflow"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
CASE_EXAMPLE = "cases/globex-hooli-ca.json"
TENANT_EXAMPLE = "tenants/globex.json"
AGENCY_EXAMPLE = "partners/golden-gate-collections.json"
GOAL_TRANSITIONS = 25
ACCEPTANCE_DAYS = "60"  # the most the settings allow: the agency answers within seconds here
POLL_S = 0.25
CASE_TIMEOUT_S = 300.0

# --- measuring ---------------------------------------------------------------------------------


@dataclass
class Tally:
    """What one phase (warm-up, sequential, run 1, ...) caused, split main path / observer."""

    invocations: Counter[tuple[bool, str]] = field(default_factory=Counter)
    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    requests: Counter[tuple[bool, str, str, str]] = field(default_factory=Counter)
    ddb_units: defaultdict[tuple[bool, str], float] = field(default_factory=lambda: defaultdict(float))
    s3_bytes: Counter[tuple[bool, str]] = field(default_factory=Counter)
    case_item_bytes: list[int] = field(default_factory=list)  # each case item written


class Meter:
    """Counts invocations and AWS requests of the phase in progress, thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.local = threading.local()
        self.phases: dict[str, Tally] = {}
        self.phase = "setup"
        self.observer_tokens: set[str] = set()

    def start(self, phase: str) -> Tally:
        with self.lock:
            self.phase = phase
            self.phases[phase] = Tally()
            return self.phases[phase]

    def tally(self) -> Tally:
        return self.phases.setdefault(self.phase, Tally())

    def caller(self) -> tuple[str, bool]:
        current: tuple[str, bool] | None = getattr(self.local, "caller", None)
        return current or ("-", False)

    def is_observer(self, event: dict[str, Any]) -> bool:
        token = event.get("authorizationToken") or (event.get("headers") or {}).get("Authorization")
        return token in self.observer_tokens

    def invocation(self, name: str, observer: bool) -> None:
        with self.lock:
            self.tally().invocations[(observer, name)] += 1

    def duration(self, name: str, observer: bool, seconds: float) -> None:
        if observer:
            return
        with self.lock:
            self.tally().durations[name].append(seconds)

    def request(self, service: str, operation: str, params: dict[str, Any], result: Any) -> None:
        function, observer = self.caller()
        with self.lock:
            tally = self.tally()
            tally.requests[(observer, service, operation, function)] += 1
            if service == "dynamodb":
                if operation == "TransactWriteItems" and not observer:
                    for entry in params.get("TransactItems", []):
                        item = (entry.get("Put") or {}).get("Item") or {}
                        if item.get("type") == {"S": "case"}:
                            tally.case_item_bytes.append(_item_bytes(item))
                for kind, units in _ddb_units(operation, params, result).items():
                    tally.ddb_units[(observer, kind)] += units
            elif service == "s3":
                tally.s3_bytes[(observer, operation)] += _s3_bytes(operation, params, result)


METER = Meter()


def _value_bytes(value: dict[str, Any]) -> int:
    """Size of one attribute value by DynamoDB's published rules (numbers approximated)."""
    kind, inner = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(inner.encode() if isinstance(inner, str) else inner)
    if kind == "N":
        return len(str(inner).lstrip("-").replace(".", "")) // 2 + 2
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _value_bytes(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_value_bytes(v) + 1 for v in inner)
    if kind in ("SS", "BS"):
        return sum(len(v.encode() if isinstance(v, str) else v) for v in inner)
    if kind == "NS":
        return sum(len(v) // 2 + 2 for v in inner)
    return 0


def _item_bytes(item: dict[str, Any] | None) -> int:
    """DynamoDB item size: attribute names plus values."""
    return sum(len(name.encode()) + _value_bytes(value) for name, value in (item or {}).items())


def _write_units(item: dict[str, Any] | None, transactional: bool) -> float:
    """WRU of writing `item`: 1 per started KiB (2 in a transaction), plus 1 per KiB for each GSI
    whose key the item carries (the index's copy; a changed index key also deletes the old copy,
    not counted)."""
    kib = max(1, math.ceil(_item_bytes(item) / 1024))
    indexes = sum(1 for key in ("gsi1pk", "gsi2pk") if key in (item or {}))
    return kib * (2 if transactional else 1) + kib * indexes


def _ddb_units(operation: str, params: dict[str, Any], result: Any) -> dict[str, float]:
    """On-demand request units of one call, estimated from the item sizes seen by the client.

    Writes: see `_write_units`; an UpdateItem or DeleteItem counts its returned item if any, else
    1 WRU. Reads: 1 RRU per started 4 KiB strongly consistent, half that eventually consistent
    (GSI queries always are); transactional reads are not used.
    """
    result = result if isinstance(result, dict) else {}
    consistent = 1.0 if params.get("ConsistentRead") else 0.5
    if operation == "PutItem":
        return {"WRU": _write_units(params.get("Item"), transactional=False)}
    if operation in ("UpdateItem", "DeleteItem"):
        return {"WRU": _write_units(result.get("Attributes"), transactional=False)}
    if operation == "TransactWriteItems":
        units = 0.0
        for entry in params.get("TransactItems", []):
            put = entry.get("Put")
            units += _write_units(put["Item"], transactional=True) if put else 2
        return {"WRU": units}
    if operation == "GetItem":
        return {"RRU": consistent * max(1, math.ceil(_item_bytes(result.get("Item")) / 4096))}
    if operation in ("Query", "Scan"):
        size = sum(_item_bytes(item) for item in result.get("Items", []))
        return {"RRU": consistent * max(1, math.ceil(size / 4096))}
    if operation == "BatchGetItem":
        items = [i for found in result.get("Responses", {}).values() for i in found]
        return {"RRU": sum(consistent * max(1, math.ceil(_item_bytes(i) / 4096)) for i in items)}
    if operation == "BatchWriteItem":
        puts = [w.get("PutRequest") for ws in params.get("RequestItems", {}).values() for w in ws]
        return {"WRU": sum(_write_units(p["Item"], transactional=False) if p else 1 for p in puts)}
    return {}


def _s3_bytes(operation: str, params: dict[str, Any], result: Any) -> int:
    if operation in ("PutObject", "UploadPart"):
        body = params.get("Body", b"")
        return len(body) if isinstance(body, bytes | bytearray | str) else 0
    if operation in ("GetObject", "HeadObject") and isinstance(result, dict):
        return int(result.get("ContentLength") or 0) if operation == "GetObject" else 0
    return 0


def instrument() -> None:
    """Wrap invoke_local (counts), every handler (durations) and botocore (AWS requests)."""
    from botocore.client import BaseClient

    from handoff.local import aws, event_sources, gateway

    original_invoke = aws.invoke_local

    def counted_invoke(name: str, event: dict[str, Any]) -> Any:
        observer = METER.is_observer(event)
        previous = getattr(METER.local, "caller", None)
        METER.local.caller = (name, observer)
        try:
            return original_invoke(name, event)
        finally:
            METER.local.caller = previous
            METER.invocation(name, observer)

    # gateway and event_sources imported the name: replace it where it is looked up
    for module in (aws, gateway, event_sources):
        module.invoke_local = counted_invoke  # type: ignore[attr-defined]

    def timed(name: str, handler: Callable[[dict[str, Any], Any], Any]) -> Callable[..., Any]:
        def run(event: dict[str, Any], context: Any) -> Any:
            start = time.perf_counter()
            try:
                return handler(event, context)
            finally:
                METER.duration(name, METER.caller()[1], time.perf_counter() - start)

        return run

    original_handler_of = aws.handler_of
    wrapped: dict[str, Callable[..., Any]] = {}

    def timed_handler_of(name: str) -> Callable[..., Any]:
        """Looked up by invoke_local at each call: wrap each handler once, when first invoked."""
        if name not in wrapped:
            wrapped[name] = timed(name, original_handler_of(name))
        return wrapped[name]

    aws.handler_of = timed_handler_of

    original_call = BaseClient._make_api_call  # type: ignore[attr-defined]

    def counted_call(self: Any, operation: str, params: dict[str, Any]) -> Any:
        result = None
        try:
            result = original_call(self, operation, params)
            return result
        finally:
            METER.request(self.meta.service_model.service_name, operation, params, result)

    BaseClient._make_api_call = counted_call  # type: ignore[attr-defined]


# --- driving -------------------------------------------------------------------------------------


def example(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / path).read_text())
    return loaded


@dataclass
class Actors:
    business: Any  # HandoffClient
    observer: Any
    partners: dict[str, Any]  # partner_id → HandoffClient
    files: list[tuple[str, str, bytes, str | None]]


@dataclass
class CaseResult:
    case_id: str
    seconds: float
    partner_id: str
    error: str = ""


class LeftMainPathError(Exception):
    """The case left the main path (e.g. the acceptance window ran out on a loaded machine)."""


def new_tenant(operator: Any) -> tuple[Any, Any]:
    """A business of its own for each phase, so the watcher's lists hold only that phase's cases."""
    tenant = operator.create_tenant(example(TENANT_EXAMPLE))
    business = operator.as_key(operator.issue_key("business", tenant_id=tenant["tenant_id"]))
    observer = operator.as_key(operator.issue_key("business", tenant_id=tenant["tenant_id"]))
    METER.observer_tokens.add(f"Bearer {observer.key}")
    return business, observer


def onboard(operator: Any) -> Actors:
    from handoff.local.sample_files import sample_pdf

    business, observer = new_tenant(operator)
    agency = {**example(AGENCY_EXAMPLE), "capacity": 100_000}
    partner = operator.request("POST", "/v1/partners", json=agency)
    partner_key = operator.issue_key(partner["type"], partner_id=partner["partner_id"])
    case = example(CASE_EXAMPLE)
    files: list[tuple[str, str, bytes, str | None]] = [
        ("invoice", f"{i['number']}.pdf", sample_pdf(f"Invoice {i['number']}"), i["number"])
        for i in case["invoices"]
    ]
    files += [
        ("terms", "signed-terms.pdf", sample_pdf("Signed terms of business"), None),
        ("proof_of_delivery", "delivery-note.pdf", sample_pdf("Proof of delivery"), None),
    ]
    return Actors(business, observer, {partner["partner_id"]: operator.as_key(partner_key)}, files)


WATCHED = ("on_hold", "assigned", "in_recovery", "manual_review")


class Watcher:
    """One thread follows every case with the observer key: `GET /v1/cases?status=...` per watched
    status, every POLL_S, whatever the number of cases in flight (per-case polling would queue
    behind the API functions, which take turns locally, and starve the cases it watches)."""

    def __init__(self, observer: Any) -> None:
        self.observer = observer
        self.statuses: dict[str, str] = {}
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True, name="bench-watcher")

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        while not self.stopping.is_set():
            seen: dict[str, str] = {}
            for status in WATCHED:
                cursor = None
                while True:
                    query = f"/v1/cases?status={status}&limit=100" + (f"&cursor={cursor}" if cursor else "")
                    page = self.observer.request("GET", query)
                    seen.update({item["case_id"]: status for item in page["items"]})
                    cursor = page.get("next_cursor")
                    if not cursor:
                        break
            with self.changed:
                self.statuses.update(seen)
                self.changed.notify_all()
            self.stopping.wait(POLL_S)

    def wait(self, case_id: str, wanted: str, deadline: float) -> None:
        with self.changed:
            while (status := self.statuses.get(case_id)) != wanted:
                if status == "manual_review":
                    raise LeftMainPathError(f"{case_id} went to manual review")
                if time.monotonic() > deadline:
                    raise LeftMainPathError(f"{case_id}: gave up waiting for {wanted} (last seen {status})")
                self.changed.wait(timeout=1)


def drive_case(actors: Actors, watcher: Watcher, reference: str) -> CaseResult:
    """One case along the main path; a case that leaves it is reported, not fatal."""
    start = time.monotonic()
    try:
        return _drive_case(actors, watcher, reference)
    except LeftMainPathError as exc:
        print(f"  {reference}: {exc}", flush=True)
        return CaseResult("", time.monotonic() - start, "", str(exc))


def _drive_case(actors: Actors, watcher: Watcher, reference: str) -> CaseResult:
    import requests

    from handoff.local.client import ApiError

    start = time.monotonic()
    deadline = start + CASE_TIMEOUT_S
    payload = {**example(CASE_EXAMPLE), "creditor_reference": reference}
    case_id = actors.business.submit_case(payload, idempotency_key=reference)["case_id"]
    watcher.wait(case_id, "on_hold", deadline)
    for kind, filename, content, invoice in actors.files:
        declaration: dict[str, Any] = {
            "kind": kind,
            "filename": filename,
            "size": len(content),
            "content_type": "application/pdf",
            "sha256": hashlib.sha256(content).hexdigest(),
        }
        if invoice:
            declaration["invoice_number"] = invoice
        ticket = actors.business.request("POST", f"/v1/cases/{case_id}/evidence", json=declaration)["upload"]
        requests.post(
            ticket["url"], data=ticket["fields"], files={"file": (filename, content)}, timeout=30
        ).raise_for_status()
    watcher.wait(case_id, "assigned", deadline)
    partner_id, partner = next(iter(actors.partners.items()))

    def waiting_for_partner() -> bool:  # the observer reads the timeline: the task token is stored
        events = actors.observer.request("GET", f"/v1/cases/{case_id}/events?limit=100")["items"]
        last = events[-1]
        return bool(last["type"] == "workflow.waiting" and last["data"]["for"] == "partner_acceptance")

    while not waiting_for_partner():
        if time.monotonic() > deadline:
            raise LeftMainPathError(f"{case_id}: gave up waiting for the acceptance wait")
        time.sleep(POLL_S / 2)
    try:
        partner.request("POST", f"/v1/assignments/{case_id}/accept")
    except ApiError as exc:  # e.g. the acceptance window ran out on a loaded machine
        raise LeftMainPathError(f"{case_id}: accept refused: {exc}") from exc
    watcher.wait(case_id, "in_recovery", deadline)
    return CaseResult(case_id, time.monotonic() - start, partner_id)


def run_cases(actors: Actors, label: str, count: int, concurrency: int) -> tuple[float, list[CaseResult]]:
    start = time.monotonic()
    references = [f"BENCH-{label}-{index:04d}" for index in range(count)]
    with Watcher(actors.observer) as watcher, ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        results = list(pool.map(lambda ref: drive_case(actors, watcher, ref), references))
    return time.monotonic() - start, results


# --- state transitions ---------------------------------------------------------------------------


@dataclass
class Transitions:
    per_case: list[int]
    executions: list[int]
    states: list[str]  # the states one case entered, in order (the first case of the phase)
    statuses: Counter[str]


def transitions(state_machine_arn: str, case_ids: list[str]) -> Transitions:
    import boto3

    sfn: Any = boto3.client("stepfunctions")
    executions: dict[str, list[dict[str, Any]]] = defaultdict(list)
    wanted = set(case_ids)
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=state_machine_arn):
        for execution in page["executions"]:
            case_id = execution["name"].rsplit("-run", 1)[0]
            if case_id in wanted:
                executions[case_id].append(execution)
    per_case, counts, statuses = [], [], Counter[str]()
    states: list[str] = []
    for index, case_id in enumerate(case_ids):
        entered = []
        runs = sorted(executions[case_id], key=lambda e: int(e["name"].rsplit("-run", 1)[1]))
        for execution in runs:
            statuses[execution["status"]] += 1
            for page in sfn.get_paginator("get_execution_history").paginate(
                executionArn=execution["executionArn"]
            ):
                for event in page["events"]:
                    if event["type"].endswith("StateEntered"):
                        entered.append(event["stateEnteredEventDetails"]["name"])
            entered.append("|")
        per_case.append(len(entered) - len(runs))
        counts.append(len(runs))
        if index == 0:
            states = entered
    return Transitions(per_case, counts, states, statuses)


# --- reporting -----------------------------------------------------------------------------------


@dataclass
class Phase:
    label: str
    cases: int
    seconds: float
    results: list[CaseResult]
    tally: Tally
    transitions: Transitions
    failed: list[CaseResult] = field(default_factory=list)

    def per_case(self, counter: Counter[Any], key: Any) -> float:
        return counter[key] / self.cases


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def invocation_table(runs: list[Phase], sequential: Phase) -> tuple[str, dict[str, float]]:
    from handoff import catalog

    names = [f.name for f in catalog.FUNCTIONS]
    lines = [
        "| function | memory MB | invocations per case (median of runs) | median ms (sequential) "
        "| p95 ms (sequential) | median ms (runs) | p95 ms (runs) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    per_case: dict[str, float] = {}
    for name in names:
        counts = [run.per_case(run.tally.invocations, (False, name)) for run in runs]
        loaded = [d for run in runs for d in run.tally.durations.get(name, [])]
        quiet = sequential.tally.durations.get(name, [])
        if not any(counts) and not quiet:
            continue
        per_case[name] = _median(counts)
        lines.append(
            f"| {name} | {catalog.function(name).memory_mb} | {per_case[name]:.2f} "
            f"| {_median(quiet) * 1e3:.1f} | {percentile(quiet, 0.95) * 1e3:.1f} "
            f"| {_median(loaded) * 1e3:.1f} | {percentile(loaded, 0.95) * 1e3:.1f} |"
        )
    lines.append(f"| **all** | | **{sum(per_case.values()):.2f}** | | | | |")
    return "\n".join(lines), per_case


def request_table(runs: list[Phase]) -> str:
    keys = sorted({(service, op) for run in runs for (obs, service, op, _) in run.tally.requests if not obs})
    lines = ["| service | operation | requests per case (median of runs) | made by |", "|---|---|---:|---|"]
    for service, operation in keys:
        counts = []
        callers: Counter[str] = Counter()
        for run in runs:
            total = 0
            for (obs, svc, op, function), n in run.tally.requests.items():
                if not obs and svc == service and op == operation:
                    total += n
                    callers[function] += n
            counts.append(total / run.cases)
        by = ", ".join(
            f"{'(event source / interpreter)' if f == '-' else f} {n / sum(callers.values()):.0%}"
            for f, n in callers.most_common(4)
        )
        lines.append(f"| {service} | {operation} | {_median(counts):.2f} | {by} |")
    return "\n".join(lines)


def summary(runs: list[Phase]) -> dict[str, float]:
    """Headline figures per case, medians over runs (also read by benchmarks.run)."""

    def per_run(fn: Callable[[Phase], float]) -> float:
        return _median([fn(run) for run in runs])

    def requests(run: Phase, service: str, operations: tuple[str, ...] = ()) -> float:
        return (
            sum(
                n
                for (obs, svc, op, _), n in run.tally.requests.items()
                if not obs and svc == service and (not operations or op in operations)
            )
            / run.cases
        )

    return {
        "transitions_median": per_run(lambda r: _median([float(t) for t in r.transitions.per_case])),
        "transitions_max": max(max(r.transitions.per_case) for r in runs),
        "executions": per_run(lambda r: _median([float(e) for e in r.transitions.executions])),
        "invocations": per_run(
            lambda r: sum(n for (obs, _), n in r.tally.invocations.items() if not obs) / r.cases
        ),
        "cases_per_minute": per_run(lambda r: r.cases / r.seconds * 60),
        "case_seconds": per_run(lambda r: _median([c.seconds for c in r.results])),
        "dynamodb_requests": per_run(lambda r: requests(r, "dynamodb")),
        "rru": per_run(lambda r: r.tally.ddb_units[(False, "RRU")] / r.cases),
        "wru": per_run(lambda r: r.tally.ddb_units[(False, "WRU")] / r.cases),
        "case_item_kib": per_run(lambda r: _median([float(b) for b in r.tally.case_item_bytes]) / 1024),
        "case_item_kib_max": max(max(r.tally.case_item_bytes, default=0) for r in runs) / 1024,
        "s3_requests": per_run(lambda r: requests(r, "s3")),
        "s3_put_class": per_run(
            lambda r: requests(
                r,
                "s3",
                (
                    "PutObject",
                    "CreateMultipartUpload",
                    "UploadPart",
                    "CompleteMultipartUpload",
                    "CopyObject",
                    "ListObjectsV2",
                ),
            )
        ),
        "s3_get_class": per_run(lambda r: requests(r, "s3", ("GetObject", "HeadObject"))),
        "s3_written_kib": per_run(
            lambda r: (
                sum(n for (obs, op), n in r.tally.s3_bytes.items() if not obs and op != "GetObject")
                / r.cases
                / 1024
            )
        ),
        "s3_read_kib": per_run(lambda r: r.tally.s3_bytes[(False, "GetObject")] / r.cases / 1024),
        "sqs_requests": per_run(lambda r: requests(r, "sqs")),
        "sfn_api_requests": per_run(lambda r: requests(r, "stepfunctions")),
    }


def report(
    runs: list[Phase], sequential: Phase, warmup: Phase, options: argparse.Namespace, evidence_bytes: int
) -> str:
    import boto3
    import moto

    figures = summary(runs)
    table, _ = invocation_table(runs, sequential)
    ok = figures["transitions_max"] <= GOAL_TRANSITIONS
    total_cases = sum(run.cases for run in runs)
    states = " → ".join(runs[0].transitions.states).replace(" → |", " |").rstrip(" |")
    observer = _median([sum(n for (obs, _), n in r.tally.invocations.items() if obs) / r.cases for r in runs])
    argv = " ".join(sys.argv[1:])
    return "\n".join(
        [
            "# Case workflow benchmark: the main path, end to end over HTTP",
            "",
            f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
            f"- command: `{COMMAND}{' ' + argv if argv else ''}` (from the repository root)",
            f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs "
            "(shared with other work while measured)",
            f"- python {platform.python_version()}, moto {moto.__version__}, boto3 {boto3.__version__}",
            f"- runs: {len(runs)} x {options.cases} cases, {options.concurrency} in flight; before them a "
            f"warm-up case ({warmup.seconds:.1f} s, cold imports) and a sequential pass of "
            f"{sequential.cases} cases (one at a time: the uncontended durations)",
            f"- time: `HANDOFF_SECONDS_PER_DAY={options.seconds_per_day}`, `ACCEPTANCE_DAYS="
            f"{ACCEPTANCE_DAYS}`: the debtor's response window and every workflow wait are compressed "
            "(a day lasts a fraction of a second; Step Functions waits at least 1 s)",
            f"- each case: the sample `{CASE_EXAMPLE}` debt (1 invoice, 3,400 USD, US-CA) with its own "
            f"reference; evidence: invoice, signed terms, proof of delivery ({evidence_bytes:,} bytes "
            "in all, small synthetic PDFs); routed to one agency, which accepts; each phase submits "
            "as a business of its own (so the watcher's lists hold one run's cases)",
            "",
            "## Headline (per case, medians over runs)",
            "",
            "| figure | value | goal |",
            "|---|---:|---|",
            f"| state transitions (`*StateEntered`, all executions of the case) | "
            f"{figures['transitions_median']:.0f} (max {figures['transitions_max']:.0f}) | "
            f"≤ {GOAL_TRANSITIONS}: **{'met' if ok else 'NOT met'}** |",
            f"| workflow executions | {figures['executions']:.0f} | |",
            f"| Lambda invocations (main path) | {figures['invocations']:.1f} | |",
            f"| DynamoDB requests; est. read / write units | {figures['dynamodb_requests']:.1f}; "
            f"{figures['rru']:.1f} RRU / {figures['wru']:.1f} WRU | |",
            f"| size of the case item, rewritten by every transaction (median; max) | "
            f"{figures['case_item_kib']:.1f} KiB; {figures['case_item_kib_max']:.1f} KiB | |",
            f"| S3 requests by the functions (PUT-class / GET-class) | {figures['s3_requests']:.1f} "
            f"({figures['s3_put_class']:.1f} / {figures['s3_get_class']:.1f}) | |",
            f"| S3 bytes written / read by the functions | {figures['s3_written_kib']:.0f} KiB / "
            f"{figures['s3_read_kib']:.0f} KiB | |",
            f"| SQS requests in this process (the local event sources' receives, empty ones "
            f"included, and deletes; plus any the functions send) | "
            f"{figures['sqs_requests']:.1f} | |",
            f"| Step Functions API requests by the functions | {figures['sfn_api_requests']:.1f} | |",
            f"| cases per minute, end to end (local, compressed days) | "
            f"**{figures['cases_per_minute']:.1f}** | |",
            f"| seconds per case, submit → in recovery (compressed days) | {figures['case_seconds']:.1f} | |",
            "",
            f"Cases that left the main path (not in the per-case figures; what they caused is, so "
            f"per-case counts are then slightly high): {sum(len(r.failed) for r in runs)}"
            + "".join(f"; {c.error}" for r in runs for c in r.failed)
            + ". "
            f"Execution statuses: {dict(sum((r.transitions.statuses for r in runs), Counter()))}.",
            "",
            f"States entered by one case (executions separated by `|`): {states}.",
            "",
            "## Lambda invocations and durations by function",
            "",
            "Durations are the handler's wall time in this process (moto serves AWS over loopback "
            "in the same process, so every AWS call is a local HTTP round trip; under load the "
            "threads share the GIL and two cores). They are local figures, not Lambda's: on AWS "
            "each function runs on arm64 at the memory in the table, with real network latency to "
            "DynamoDB and S3, and is billed per millisecond of its own duration.",
            "",
            table,
            "",
            f"Observer polling (not in the table): {observer:.1f} invocations per case "
            "(authorizer + business_api: one watcher lists the cases by status every "
            f"{POLL_S} s, and each case's timeline is read until the acceptance wait begins).",
            "",
            "## AWS requests by the functions, per case",
            "",
            "Counted in the botocore client (`_make_api_call`), so retries inside the SDK are one "
            "request each time. Not seen here, because they do not pass through a client in "
            "this process: the presigned evidence uploads (one S3 POST per file: "
            f"{EVIDENCE_FILES} per case), the S3 event notification "
            "that sends each upload to SQS (one SendMessage per file) and Step Functions' own "
            "Lambda invokes (counted as invocations above).",
            "",
            request_table(runs),
            "",
            "## Throughput: what the cases-per-minute figure means",
            "",
            f"{options.cases} cases per run, {options.concurrency} in flight, every function, moto "
            "(DynamoDB, S3, SQS, Step Functions and its interpreter) and the driver in one Python "
            "process on two shared cores. The response window and the acceptance window are "
            "compressed, so a case spends seconds, not weeks, waiting; the figure measures how "
            "fast this machine pushes cases through the real state machine and handlers, not how "
            "fast AWS would. On AWS the waits are real days (a case takes weeks end to end) and "
            "throughput is bounded by concurrency limits and the API's throttling, not by CPU.",
            "",
            "Per run: "
            + "; ".join(
                f"{r.label}: {r.cases} cases in {r.seconds:.1f} s = {r.cases / r.seconds * 60:.1f}/min"
                for r in runs
            )
            + ".",
            "",
            "## Goal",
            "",
            f"* Main path in at most {GOAL_TRANSITIONS} state transitions per case: "
            f"**{'met' if ok else 'NOT met'}** ({figures['transitions_median']:.0f} median, "
            f"{figures['transitions_max']:.0f} max over {total_cases} cases).",
            "",
        ]
    )


EVIDENCE_FILES = 3


# --- main ----------------------------------------------------------------------------------------


def measure(
    label: str, operator: Any, actors: Actors, state_machine_arn: str, count: int, concurrency: int
) -> Phase:
    actors.business, actors.observer = new_tenant(operator)  # outside the phase's counts
    tally = METER.start(label)
    seconds, results = run_cases(actors, label, count, concurrency)
    METER.start(f"{label}-collect")  # what collecting the histories costs is not the case's
    done = [r for r in results if not r.error]
    if not done:
        raise SystemExit(f"{label}: no case completed the main path")
    found = transitions(state_machine_arn, [r.case_id for r in done])
    print(
        f"{label}: {count} cases in {seconds:.1f} s; transitions per case {sorted(set(found.per_case))}; "
        f"invocations {sum(n for (obs, _), n in tally.invocations.items() if not obs)}",
        flush=True,
    )
    return Phase(label, len(done), seconds, done, tally, found, [r for r in results if r.error])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=20, help="cases per run")
    parser.add_argument("--runs", type=int, default=3, help="runs (medians over runs)")
    parser.add_argument("--concurrency", type=int, default=10, help="cases in flight per run")
    parser.add_argument("--sequential", type=int, default=3, help="cases in the one-at-a-time pass")
    parser.add_argument("--seconds-per-day", default="0.25", help="HANDOFF_SECONDS_PER_DAY")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    options = parser.parse_args(argv)

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ["HANDOFF_SECONDS_PER_DAY"] = options.seconds_per_day
    os.environ["ACCEPTANCE_DAYS"] = ACCEPTANCE_DAYS
    operator_key = f"hk_bench_operator_{secrets.token_urlsafe(16)}"
    os.environ["HANDOFF_OPERATOR_KEY"] = operator_key

    from handoff.local.client import HandoffClient
    from handoff.local.server import start_stack

    stack = start_stack().start()
    try:
        operator = HandoffClient(stack.url, operator_key)
        actors = onboard(operator)
        instrument()
        arn = stack.aws.state_machine_arn
        warmup = measure("warm-up", operator, actors, arn, 1, 1)
        sequential = measure("sequential", operator, actors, arn, options.sequential, 1)
        runs = [
            measure(f"run{index + 1}", operator, actors, arn, options.cases, options.concurrency)
            for index in range(options.runs)
        ]
        stack.aws.stop_executions()
    finally:
        stack.stop()
    evidence_bytes = sum(len(content) for _, _, content, _ in actors.files)
    text = report(runs, sequential, warmup, options, evidence_bytes)
    print(text)
    if not options.no_write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written {RESULTS}")
    return 0 if summary(runs)["transitions_max"] <= GOAL_TRANSITIONS else 1


if __name__ == "__main__":
    sys.exit(main())
