"""RFC 9457 problem documents: the one shape of every 4xx and 5xx response."""

import json
from typing import Annotated, Any

from pydantic import Field

from handoff.domain.base import LazyModel

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://handoff.dev/problems/"

TITLES = {
    "validation-error": "Your request is not valid",
    "malformed-request": "The request body is not valid JSON",
    "nesting-too-deep": "The request body nests arrays and objects too deep",
    "duplicate-key": "The request body repeats an object key",
    "unauthorized": "Missing or invalid API key",
    "forbidden": "This key may not do that",
    "not-found": "Not found",
    "conflict": "Conflict with the current state",
    "idempotency-conflict": "Idempotency-Key reused with a different request",
    "invalid-transition": "That lifecycle transition is not allowed",
    "erasure-refused": "Personal data cannot be erased now",
    "stale-rate": "A reference rate this needs is neither recorded nor confirmed",
    "payload-too-large": "Request body too large",
    "unsupported-media-type": "Send the body as application/json",
    "method-not-allowed": "Method not allowed",
    "bad-request": "Bad request",
    "uri-too-long": "Request target too long",
    "header-fields-too-large": "Request header fields too large",
    "not-implemented": "Not implemented",
    "http-version-not-supported": "HTTP version not supported",
    "too-many-requests": "Too many requests",
    "internal-error": "Internal error",
    "service-unavailable": "Busy for a moment: retry after the Retry-After seconds",
}


STATUS_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    414: "uri-too-long",
    415: "unsupported-media-type",
    429: "too-many-requests",
    431: "header-fields-too-large",
    500: "internal-error",
    501: "not-implemented",
    503: "service-unavailable",
    505: "http-version-not-supported",
}


def slug_for_status(status: int) -> str:
    """The problem type of an error whose status is all we know (raised by a server, not by us)."""
    return STATUS_SLUGS.get(status, "bad-request" if status < 500 else "internal-error")


class InvalidParam(LazyModel):
    name: Annotated[str, Field(description="Path of the failing field, e.g. body.invoices.0.amount")]
    reason: str


class StalePeriod(LazyModel):
    series: Annotated[str, Field(description="Reference series, e.g. BOE_BANK_RATE")]
    period_from: Annotated[str, Field(description="First unrecorded day (YYYY-MM-DD)")]
    period_to: Annotated[str, Field(description="Last unrecorded day (YYYY-MM-DD)")]
    assumed_percent: Annotated[str, Field(description="The last recorded value, assumed for those days")]


class Problem(LazyModel):
    """An RFC 9457 problem document."""

    type: Annotated[str, Field(description="Stable URI identifying the kind of problem")]
    title: str
    status: int
    detail: str
    instance: str | None = None
    invalid_params: Annotated[
        list[InvalidParam] | None, Field(alias="invalid-params", description="Failing fields")
    ] = None
    reason: Annotated[
        str | None, Field(description="erasure-refused: why (`case_open`, `legal_hold`, `upload_pending`)")
    ] = None
    stale_rates: Annotated[
        list[StalePeriod] | None,
        Field(description="stale-rate: each unrecorded period (confirm it, or have the fixing recorded)"),
    ] = None


def problem(status: int, slug: str, detail: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug,
        "title": TITLES[slug],
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_response(status: int, slug: str, detail: str, **extra: Any) -> dict[str, Any]:
    """A Lambda proxy response carrying a problem document (used outside the resolver)."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": PROBLEM_CONTENT_TYPE},
        "body": json.dumps(problem(status, slug, detail, **extra)),
        "isBase64Encoded": False,
    }
