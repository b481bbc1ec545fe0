"""Idempotent use cases on the powertools idempotency utility, stored in the single table.

The record key is the caller's scope (tenant) and its `Idempotency-Key`; the parsed
request is hashed for validation, so the same key with another body is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from handoff.adapters.aws import dynamodb
from handoff.config import table_settings
from handoff.domain.errors import ConflictError, IdempotencyConflictError

RECORD_TTL_SECONDS = 24 * 3600
_config = IdempotencyConfig(
    event_key_jmespath="[scope, key]",
    payload_validation_jmespath="request",
    raise_on_no_idempotency_key=True,
    expires_after_seconds=RECORD_TTL_SECONDS,
)


@cache
def _store() -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(
        table_name=table_settings().table_name,
        key_attr="pk",
        sort_key_attr="sk",
        static_pk_value="IDEMPOTENCY",
        expiry_attr="expires_at",
        boto3_client=dynamodb(),
    )


def run_once(
    use_case: str,
    scope: str,
    key: str,
    request: dict[str, Any],
    produce: Callable[[], dict[str, Any]],
    context: LambdaContext | None,
) -> dict[str, Any]:
    """Run `produce` once per (use case, scope, key); replays return the first result."""
    if context is not None:
        _config.register_lambda_context(context)

    def once(command: dict[str, Any]) -> dict[str, Any]:
        return produce()

    once.__qualname__ = once.__name__ = use_case
    guarded = idempotent_function(
        data_keyword_argument="command", persistence_store=_store(), config=_config
    )(once)
    try:
        result: dict[str, Any] = guarded(command={"scope": scope, "key": key, "request": request})
    except IdempotencyValidationError as exc:
        raise IdempotencyConflictError(
            "this Idempotency-Key was already used with a different request body"
        ) from exc
    except IdempotencyAlreadyInProgressError as exc:
        raise ConflictError(
            "a request with this Idempotency-Key is still in progress; retry shortly"
        ) from exc
    return result
