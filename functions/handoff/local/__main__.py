"""`python -m handoff.local serve --host 127.0.0.1 --port 8080 [--aws-port 5000]` | `... demo` |
`python -m handoff.local retention --aws-port 5000` (the daily retention job, once, on a running runtime) |
`python -m handoff.local rates import FILE …`."""

from __future__ import annotations

import argparse
import secrets
import sys
import time


def serve(host: str, port: int, aws_port: int | None) -> None:
    import json
    import os
    from pathlib import Path

    from handoff.local.client import HandoffClient
    from handoff.local.server import start_stack

    os.environ.setdefault("HANDOFF_OPERATOR_KEY", f"hk_local_operator_{secrets.token_urlsafe(16)}")
    stack = start_stack(host, port, aws_port).start()
    operator_key = os.environ["HANDOFF_OPERATOR_KEY"]
    operator = HandoffClient(stack.url, operator_key)
    examples = Path(__file__).resolve().parents[3] / "examples" / "tenants" / "acme.json"
    business_key = None
    if examples.exists():
        tenant = operator.create_tenant(json.loads(examples.read_text()))
        business_key = operator.issue_key("business", tenant_id=tenant["tenant_id"])
    print(f"Handoff API on {stack.url}  (docs: {stack.url}/docs, AWS from moto on {stack.aws.endpoint})")
    print(f"  operator key : {operator_key}")
    if business_key:
        print(f"  business key : {business_key}   (tenant: Acme Supplies Ltd)")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stack.stop()


def retention(aws_port: int) -> int:
    """Deliver EventBridge's daily Scheduled Event to the retention function, against a running runtime."""
    import json
    import uuid
    from datetime import UTC, datetime

    from handoff.local.aws import REGION, attach_local_aws, invoke_local

    attach_local_aws(aws_port)
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": REGION,
        "resources": [],
        "detail": {},
    }
    print(json.dumps(invoke_local("retention", event)), flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m handoff.local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="serve the API until stopped")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8080)
    serve_parser.add_argument("--aws-port", type=int, default=None, help="moto's port (default: a free one)")
    retention_parser = commands.add_parser("retention", help="run the daily retention job once")
    retention_parser.add_argument("--aws-port", type=int, required=True, help="the port `serve` gave moto")
    demo_parser = commands.add_parser("demo", help="run the whole story on sample data")
    demo_parser.add_argument("--out", default="out", help="where documents and packets are written")
    from handoff.local import rates_cli

    rates_cli.add_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.host, args.port, args.aws_port)
        return 0
    if args.command == "retention":
        return retention(args.aws_port)
    if args.command == "rates":
        return rates_cli.run_import(args)
    from handoff.local.demo import run_demo

    return run_demo(args.out)


if __name__ == "__main__":
    sys.exit(main())
