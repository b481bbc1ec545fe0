"""Seed the first operator key of a deployed stack: the one key no API call can issue.

    .venv/bin/python -m infra.scripts.seed_operator_key --stack Handoff-prod [--region eu-west-2]
    .venv/bin/python -m infra.scripts.seed_operator_key --table <table name> [--label "..."]

Writes the item the authorizer reads (`pk = APIKEY#<sha256 of the secret>`, `sk = APIKEY`,
kind `operator`) through the product's own code (`DynamoKeys` and `services.access.seed_key`),
with your AWS credentials (they need dynamodb:GetItem and PutItem on the table and use of its
KMS key). The secret is generated here and printed once; only its SHA-256 is stored. To seed a
secret you chose instead, put it in the environment variable HANDOFF_OPERATOR_KEY (never on the
command line, where the shell history keeps it). Running it again with the same secret changes
nothing and prints the existing key id.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

SECRET_VARIABLE = "HANDOFF_OPERATOR_KEY"
MIN_SECRET_LENGTH = 32


def table_of_stack(cloudformation: Any, stack: str) -> str:
    """The physical name of the stack's one DynamoDB table."""
    tables = [
        resource["PhysicalResourceId"]
        for page in cloudformation.get_paginator("list_stack_resources").paginate(StackName=stack)
        for resource in page["StackResourceSummaries"]
        if resource["ResourceType"] == "AWS::DynamoDB::Table"
    ]
    if len(tables) != 1:
        raise SystemExit(f"expected one DynamoDB table in stack {stack}, found {tables}")
    return str(tables[0])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--stack", help="CloudFormation stack name, e.g. Handoff-prod")
    where.add_argument("--table", help="the DynamoDB table name, if you know it")
    parser.add_argument("--region", default=None, help="AWS region (default: your AWS configuration)")
    parser.add_argument("--label", default="first operator key", help="label stored with the key")
    options = parser.parse_args(argv)

    import boto3

    from handoff.adapters.key_store import DynamoKeys
    from handoff.domain.api_keys import new_secret
    from handoff.domain.case import PrincipalKind
    from handoff.domain.clock import utcnow
    from handoff.services.access import seed_key

    session = boto3.session.Session(region_name=options.region)
    table = options.table or table_of_stack(session.client("cloudformation"), options.stack)
    chosen = os.environ.get(SECRET_VARIABLE)
    if chosen is not None and len(chosen) < MIN_SECRET_LENGTH:
        raise SystemExit(f"{SECRET_VARIABLE} is shorter than {MIN_SECRET_LENGTH} characters")
    secret = chosen or new_secret()
    key = seed_key(
        DynamoKeys(session.client("dynamodb"), table), PrincipalKind.operator, secret, options.label, utcnow()
    )
    print(f"table:  {table}")
    print(f"key id: {key.key_id}  (revoke with DELETE /v1/api-keys/{key.key_id})")
    if chosen is None:
        print(f"secret: {secret}")
        print("        shown once: store it in your secrets manager now; only its SHA-256 is kept.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
