"""API Gateway TOKEN authorizer: `Authorization: Bearer <key>` → the caller, or 401.

Allowed callers get a policy for the whole API (so the result can be cached) and a
context with kind, key id and tenant or partner id; handlers decide what each kind may do.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from handoff.adapters.key_store import key_repository
from handoff.observability import logger
from handoff.services.authentication import AuthenticationError, authenticate


class Unauthorized(Exception):  # noqa: N818 - API Gateway answers 401 to exactly this message
    def __init__(self) -> None:
        super().__init__("Unauthorized")


def api_wide(method_arn: str) -> str:
    """`arn:…:api-id/stage/VERB/path` → `arn:…:api-id/stage/*` so a cached policy fits every route."""
    prefix, _, rest = method_arn.partition("/")
    stage = rest.split("/", 1)[0]
    return f"{prefix}/{stage}/*"


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        caller = authenticate(key_repository(), event.get("authorizationToken"))
    except AuthenticationError as exc:
        logger.info("refused", extra={"reason": str(exc)})
        raise Unauthorized() from exc
    return {
        "principalId": caller.key_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_wide(event["methodArn"])}
            ],
        },
        "context": {
            "kind": str(caller.kind),
            "key_id": caller.key_id,
            "tenant_id": caller.tenant_id or "",
            "partner_id": caller.partner_id or "",
        },
    }
