"""Import plus first request: does deferring model builds save time, or only move it to the first call?

Run from the repository root:

    .venv/bin/python -m benchmarks.first_request                 # this tree
    .venv/bin/python -m benchmarks.first_request --functions DIR # another checkout's functions/

A moto server (the local runtime's AWS) runs in this process with one tenant; each round, a fresh
interpreter (the function's environment, `PYTHONPATH=<functions>`) times in process CPU time:

* **import**: `import handoff.handlers.business_api` (as `benchmarks.coldstart` measures it);
* **first request**: the handler called with `POST /v1/cases` (the example case, an authorized
  business caller; the workflow start is off): validation, the case's computed response, the
  DynamoDB writes, the idempotency record, and the first boto3 client, which costs the same
  whatever our code does;
* **second request**: another new case in the same interpreter (everything built by then).

The AWS calls are answered by the moto server in this process, so their server side is not in
the child's CPU time. Medians over the rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

_CHILD = """
import importlib, json, sys, time, uuid
event = json.loads(sys.argv[1])

class Context:
    function_name = "business_api"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:business_api"
    memory_limit_in_mb = 512
    aws_request_id = "first-request"
    log_group_name = "/aws/lambda/business_api"
    log_stream_name = "local"
    def get_remaining_time_in_millis(self):
        return 29000

def call(module):
    event["headers"]["Idempotency-Key"] = event["multiValueHeaders"]["Idempotency-Key"][0] = uuid.uuid4().hex
    start = time.process_time()
    result = module.handler(event, Context())
    assert result["statusCode"] == 201, result
    return time.process_time() - start

start = time.process_time()
module = importlib.import_module("handoff.handlers.business_api")
imported = time.process_time() - start
first = call(module)
second = call(module)
print(json.dumps({"import": imported, "first": first, "second": second}))
"""


def _event(tenant_id: str, body: dict[str, Any]) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "Idempotency-Key": "", "Host": "localhost"}
    return {
        "resource": "/v1/cases",
        "path": "/v1/cases",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/v1/cases",
            "httpMethod": "POST",
            "path": "/v1/v1/cases",
            "stage": "v1",
            "requestId": str(uuid.uuid4()),
            "accountId": "123456789012",
            "apiId": "local",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {
                "kind": "business",
                "key_id": "key_bench",
                "tenant_id": tenant_id,
                "partner_id": "",
            },
        },
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--functions", type=Path, default=ROOT / "functions", help="the code to measure")
    args = parser.parse_args(argv)

    from handoff.adapters.dynamodb import tenant_repository
    from handoff.domain.tenants import TenantProfile
    from handoff.handlers.models import EXAMPLE_CASE
    from handoff.handlers.operator_models import TenantRequest
    from handoff.local.aws import start_local_aws
    from handoff.services.access import create_tenant

    aws = start_local_aws(prefix="firstreq")
    try:
        example = TenantRequest.model_config["json_schema_extra"]["examples"][0]  # type: ignore[index]
        tenant = create_tenant(tenant_repository(), TenantProfile.model_validate(example), datetime.now(UTC))
        env = {**os.environ, **aws.environment(), "AUTO_START_WORKFLOW": "false"}
        env["PYTHONPATH"] = str(args.functions)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        event = json.dumps(_event(tenant.tenant_id, EXAMPLE_CASE))
        samples = []
        for index in range(args.rounds + 1):  # the first round warms the bytecode caches, untimed
            done = subprocess.run(
                [sys.executable, "-c", _CHILD, event], env=env, capture_output=True, text=True, check=False
            )
            if done.returncode:
                raise RuntimeError(done.stderr[-3000:])
            if index:
                samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    finally:
        aws.stop()
    ms = {k: statistics.median(s[k] for s in samples) * 1e3 for k in ("import", "first", "second")}
    print(
        f"business_api, {args.rounds} rounds, median ms CPU: import {ms['import']:.0f}, "
        f"first POST /v1/cases {ms['first']:.0f}, import + first {ms['import'] + ms['first']:.0f}, "
        f"second POST {ms['second']:.0f}  ({args.functions})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
