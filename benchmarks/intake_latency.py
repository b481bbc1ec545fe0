"""Warm in-process latency of `POST /v1/cases` against pydantic validation of the same body alone.

Run from the repository root:

    .venv/bin/python -m benchmarks.intake_latency            # prints a table, writes intake_latency.md
    .venv/bin/python -m benchmarks.intake_latency --rounds 3 --per-round 20 --no-write

AWS is the local runtime's (`handoff.local.aws`: a moto server on loopback in this process, as
the integration tests use). A business is onboarded through the local gateway; then each call
of the *handler* side builds the API Gateway REST proxy event the gateway builds (the route, the
authorizer context of that business's key, `Idempotency-Key` unique per call, the sample case
`cases/globex-hooli-ca.json` with a unique creditor reference) and invokes the `business_api`
function in-process as Lambda would (`invoke_local`). The *validation* side is
`CaseRequest.model_validate_json` of the same body bytes. The two sides run interleaved, a batch
of each per round, the order alternating; percentiles are over all calls, and the median of the
per-round medians is given too. Every AWS call the handler makes is timed in the botocore client
(`_make_api_call`), to say where the time goes. The workflow is not started on submission
(`AUTO_START_WORKFLOW=false`), so moto's Step Functions interpreter does not run cases in the
background while the handler is timed; on AWS that is one `StartExecution` more per case.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import secrets
import statistics
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("intake_latency.md")
COMMAND = ".venv/bin/python -m benchmarks.intake_latency"
EXAMPLES = ROOT / "examples"
CASE_EXAMPLE = "cases/globex-hooli-ca.json"
TENANT_EXAMPLE = "tenants/globex.json"


@dataclass
class AwsCalls:
    """AWS requests made by the handler, timed in the botocore client."""

    seconds: float = 0.0
    count: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    operation_seconds: dict[str, float] = field(default_factory=dict)


@contextmanager
def timed_aws_calls() -> Iterator[list[AwsCalls]]:
    """Time every botocore API call; `calls[-1]` collects the current invocation's."""
    from botocore.client import BaseClient

    calls: list[AwsCalls] = [AwsCalls()]
    original = BaseClient._make_api_call  # type: ignore[attr-defined]
    thread = threading.get_ident()  # the local SQS event sources poll from threads of their own

    def timed(self: Any, operation: str, params: dict[str, Any]) -> Any:
        if threading.get_ident() != thread:
            return original(self, operation, params)
        start = time.perf_counter()
        try:
            return original(self, operation, params)
        finally:
            spent = time.perf_counter() - start
            current = calls[-1]
            current.seconds += spent
            current.count += 1
            key = f"{self.meta.service_model.service_name} {operation}"
            current.operations[key] += 1
            current.operation_seconds[key] = current.operation_seconds.get(key, 0.0) + spent

    BaseClient._make_api_call = timed  # type: ignore[attr-defined]
    try:
        yield calls
    finally:
        BaseClient._make_api_call = original  # type: ignore[attr-defined]


@contextmanager
def quiet_logs() -> Iterator[None]:
    """The handler still formats and writes its log lines (to CloudWatch on Lambda), here to /dev/null."""
    from handoff.observability import logger

    handler = logger.registered_handler
    with open(os.devnull, "w") as devnull:
        previous = handler.setStream(devnull)  # type: ignore[attr-defined]
        try:
            yield
        finally:
            handler.setStream(previous)  # type: ignore[attr-defined]


def _example(path: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / path).read_text())
    return loaded


def business_authorizer() -> dict[str, Any]:
    """Onboard a business through the local gateway; the authorizer context its key gets."""
    from werkzeug.test import Client

    from handoff.local.aws import invoke_local
    from handoff.local.seed import seed_operator_key
    from handoff.local.server import application

    operator_key = f"hk_bench_operator_{secrets.token_hex(16)}"
    seed_operator_key(operator_key)
    client = Client(application)
    headers = {"Authorization": f"Bearer {operator_key}"}
    tenant = client.post("/v1/tenants", json=_example(TENANT_EXAMPLE), headers=headers).json or {}
    issued = (
        client.post(
            "/v1/api-keys", json={"kind": "business", "tenant_id": tenant["tenant_id"]}, headers=headers
        ).json
        or {}
    )
    result = invoke_local(
        "authorizer",
        {
            "type": "TOKEN",
            "authorizationToken": f"Bearer {issued['secret']}",
            "methodArn": "arn:aws:execute-api:eu-west-2:123456789012:local/local/POST/v1/cases",
        },
    )
    return {"principalId": result["principalId"], **result["context"]}


def submit_event_factory(authorizer: dict[str, Any]) -> Callable[[bytes], dict[str, Any]]:
    """A fresh proxy event per body, built the way the local gateway builds it."""
    from werkzeug.test import EnvironBuilder

    from handoff.catalog import ROUTES
    from handoff.local.gateway import proxy_event

    route = next(r for r in ROUTES if r.method == "POST" and r.path == "/v1/cases")

    def event(body: bytes) -> dict[str, Any]:
        headers = {
            "Authorization": "Bearer (checked by the authorizer)",
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{secrets.token_hex(12)}",
        }
        request = EnvironBuilder(
            path=route.path, method="POST", data=body, headers=list(headers.items())
        ).get_request()
        return proxy_event(request, route, {}, authorizer)

    return event


def case_body(template: dict[str, Any], index: int) -> bytes:
    body = dict(template, creditor_reference=f"BENCH-{secrets.token_hex(4)}-{index}")
    return json.dumps(body).encode()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    position = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[position]


@dataclass
class Measured:
    handler: list[float] = field(default_factory=list)
    validation: list[float] = field(default_factory=list)
    handler_rounds: list[float] = field(default_factory=list)  # median per round
    validation_rounds: list[float] = field(default_factory=list)
    aws: list[AwsCalls] = field(default_factory=list)
    first_quarter: list[float] = field(default_factory=list)  # handler medians, first quarter of a round
    last_quarter: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)


def run(rounds: int, per_round: int, warmup: int) -> Measured:
    os.environ["AUTO_START_WORKFLOW"] = "false"
    from handoff.local.aws import invoke_local, start_local_aws

    aws = start_local_aws(prefix=f"bench-intake-{secrets.token_hex(3)}")
    try:
        from handoff.handlers.models import CaseRequest

        template = _example(CASE_EXAMPLE)
        measured = Measured()
        counter = 0
        event_for = [submit_event_factory(business_authorizer())]

        def submit(calls: list[AwsCalls], record: bool) -> float:
            nonlocal counter
            counter += 1
            event = event_for[0](case_body(template, counter))
            calls.append(AwsCalls())
            start = time.perf_counter()
            result = invoke_local("business_api", event)
            spent = time.perf_counter() - start
            measured.statuses[int(result["statusCode"])] += 1
            if record:
                measured.aws.append(calls[-1])
            return spent

        def validate() -> float:
            nonlocal counter
            counter += 1
            body = case_body(template, counter)
            start = time.perf_counter()
            CaseRequest.model_validate_json(body)
            return time.perf_counter() - start

        with timed_aws_calls() as calls, quiet_logs():
            for _ in range(warmup):  # first use: clients, route validation models, moto's first writes
                submit(calls, record=False)
                validate()
            measured.statuses.clear()
            for index in range(rounds):
                # a business per round: moto's cost per write grows with the cases a tenant holds
                calls.append(AwsCalls())  # onboarding's requests are not the handler's
                event_for[0] = submit_event_factory(business_authorizer())
                gc.collect()
                handler_times = []
                validation_times = []
                order = ("handler", "validation") if index % 2 == 0 else ("validation", "handler")
                for side in order:
                    for _ in range(per_round):
                        if side == "handler":
                            handler_times.append(submit(calls, record=True))
                        else:
                            validation_times.append(validate())
                measured.handler += handler_times
                quarter = max(1, per_round // 4)
                measured.first_quarter.append(statistics.median(handler_times[:quarter]))
                measured.last_quarter.append(statistics.median(handler_times[-quarter:]))
                measured.validation += validation_times
                measured.handler_rounds.append(statistics.median(handler_times))
                measured.validation_rounds.append(statistics.median(validation_times))
        return measured
    finally:
        aws.stop()


def report(measured: Measured, rounds: int, per_round: int, warmup: int, seconds: float) -> str:
    import boto3
    import moto
    import pydantic

    handler_p50 = percentile(measured.handler, 0.5)
    handler_p99 = percentile(measured.handler, 0.99)
    validation_p50 = percentile(measured.validation, 0.5)
    validation_p99 = percentile(measured.validation, 0.99)
    calls = len(measured.aws)
    aws_seconds = [c.seconds for c in measured.aws]
    aws_p50 = percentile(aws_seconds, 0.5)
    own = [h - a.seconds for h, a in zip(measured.handler, measured.aws, strict=True)]
    own_p50 = percentile(own, 0.5)
    operations: Counter[str] = Counter()
    operation_seconds: dict[str, float] = {}
    for c in measured.aws:
        operations.update(c.operations)
        for key, spent in c.operation_seconds.items():
            operation_seconds[key] = operation_seconds.get(key, 0.0) + spent
    aws_share = sum(aws_seconds) / sum(measured.handler)
    lines = [
        "# Intake latency: `POST /v1/cases` in-process against validating its body alone",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `{COMMAND}` (from the repository root); {seconds:.0f} s",
        f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} CPUs "
        "(shared with other work while measured)",
        f"- python {platform.python_version()}, pydantic {pydantic.VERSION}, moto {moto.__version__}, "
        f"boto3 {boto3.__version__}",
        f"- method: {rounds} rounds of {per_round} calls per side after {warmup} untimed warm-up calls, "
        "the sides interleaved (a batch of each per round, the order alternating); the handler side "
        "is the `business_api` Lambda handler invoked in-process with an API Gateway REST proxy "
        "event (business authorizer context, unique `Idempotency-Key`, the sample case "
        f"`{CASE_EXAMPLE}` with a unique creditor reference) against moto on loopback in the same "
        "process; the validation side is `CaseRequest.model_validate_json` of the same body. "
        "The workflow is not started on submission (`AUTO_START_WORKFLOW=false`).",
        f"- responses: {dict(sorted(measured.statuses.items()))}",
        "",
        "| side | p50 ms | p99 ms | median of round medians ms | goal |",
        "|---|---:|---:|---:|---|",
        f"| `POST /v1/cases` (handler, in-process, moto) | {handler_p50 * 1e3:.2f} | "
        f"{handler_p99 * 1e3:.2f} | {statistics.median(measured.handler_rounds) * 1e3:.2f} | - |",
        f"| `CaseRequest.model_validate_json` alone | {validation_p50 * 1e3:.3f} | "
        f"{validation_p99 * 1e3:.3f} | {statistics.median(measured.validation_rounds) * 1e3:.3f} | - |",
        "",
        f"**POST /v1/cases p50 {handler_p50 * 1e3:.2f} ms, p99 {handler_p99 * 1e3:.2f} ms; validation "
        f"alone p50 {validation_p50 * 1e3:.3f} ms; ratio of p50s {handler_p50 / validation_p50:.0f}x** "
        "(no goal set: shown side by side).",
        "",
        "## Where the time goes",
        "",
        f"AWS calls (moto over loopback, timed in the botocore client) take "
        f"**{aws_share:.0%} of the handler's time** (p50 per call {aws_p50 * 1e3:.2f} ms for "
        f"{sum(operations.values()) / calls:.1f} requests); the rest — powertools' routing and "
        "validation, the use case, building and serializing the items and the response, logging — "
        f"is p50 {own_p50 * 1e3:.2f} ms, of which validating the body is about "
        f"{validation_p50 * 1e3:.2f} ms.",
        "",
        "| AWS request | per call | mean ms each | share of handler time |",
        "|---|---:|---:|---:|",
    ]
    for key, count in operations.most_common():
        lines.append(
            f"| {key} | {count / calls:.2f} | {operation_seconds[key] / count * 1e3:.2f} "
            f"| {operation_seconds[key] / sum(measured.handler):.0%} |"
        )
    lines += [
        "",
        "Within a round (one business) the handler's median was "
        f"{statistics.median(measured.first_quarter) * 1e3:.1f} ms over the first quarter of the calls "
        f"and {statistics.median(measured.last_quarter) * 1e3:.1f} ms over the last (medians over "
        "rounds): moto's transaction snapshot copies the partitions a write touches, so its cost "
        "grows with the cases already stored for the business, which is why each round starts "
        "with a new business.",
        "",
        "moto is not AWS: each request here is an in-process HTTP round trip to moto's Python "
        "implementation (request parsing, a global lock around DynamoDB, moto's transaction "
        "snapshot), so these figures describe this machine's local runtime. On AWS a DynamoDB "
        "request from Lambda typically takes a few milliseconds of network and service time, the "
        "functions run on arm64 with CPU in proportion to their memory (a third of a vCPU at 512 MB), "
        "and the submission also starts the workflow (`StartExecution`).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7, help="rounds per side")
    parser.add_argument("--per-round", type=int, default=40, help="calls per side per round")
    parser.add_argument("--warmup", type=int, default=10, help="untimed calls first")
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.name}")
    args = parser.parse_args(argv)

    start = time.monotonic()
    measured = run(args.rounds, args.per_round, args.warmup)
    text = report(measured, args.rounds, args.per_round, args.warmup, time.monotonic() - start)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"written {RESULTS}")
    return 0 if set(measured.statuses) == {201} else 1


if __name__ == "__main__":
    sys.exit(main())
