"""What every API function shares: the resolver, error mapping, the caller, body limits.

This is the one place that maps exceptions to HTTP. The domain raises typed errors;
nothing here matches on message strings.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError as RouteNotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.router import Router
from aws_lambda_powertools.utilities.typing import LambdaContext

from handoff.adapters.aws import transient_aws_error
from handoff.domain.errors import (
    ConflictError,
    ErasureRefusedError,
    ForbiddenError,
    IdempotencyConflictError,
    InvalidRequestError,
    NotFoundError,
    StaleRateError,
    TransitionError,
    UnauthenticatedError,
)
from handoff.domain.principals import Principal, PrincipalKind
from handoff.handlers.problems import PROBLEM_CONTENT_TYPE, problem, problem_response
from handoff.handlers.request_body import JSON_MEDIA_TYPE, BodyRefusedError, check_json, check_media_type
from handoff.observability import logger

if TYPE_CHECKING:
    from handoff.domain.jurisdictions.pack import RulePack

JSON_ERRORS = {"json_invalid", "json_type"}
RETRY_AFTER_SECONDS = "2"


def _problem(status: int, slug: str, detail: str, **extra: Any) -> Response[Any]:
    return Response(status, PROBLEM_CONTENT_TYPE, json.dumps(problem(status, slug, detail, **extra)))


def _loc(loc: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in loc)


def _request_loc(loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Domain problems name body fields by default; query, path and header ones say so."""
    return loc if loc and loc[0] in ("query", "path", "header") else ("body", *loc)


def register_error_handlers(app: APIGatewayRestResolver) -> None:
    @app.exception_handler(RequestValidationError)
    def _validation(exc: RequestValidationError) -> Response[Any]:
        errors = exc.errors()
        if any(e.get("type") in JSON_ERRORS for e in errors):
            return _problem(400, "malformed-request", "the body must be a JSON object")
        params = [{"name": _loc(e["loc"]), "reason": e["msg"]} for e in errors]
        names = ", ".join(p["name"] for p in params)
        return _problem(422, "validation-error", f"invalid fields: {names}", **{"invalid-params": params})

    @app.exception_handler(RequestUnsupportedContentType)
    def _media_type(exc: RequestUnsupportedContentType) -> Response[Any]:
        return _problem(415, "unsupported-media-type", "this endpoint takes an application/json body")

    @app.exception_handler(InvalidRequestError)
    def _invalid(exc: InvalidRequestError) -> Response[Any]:
        params = [{"name": _loc(_request_loc(p.loc)), "reason": p.message} for p in exc.problems]
        names = ", ".join(p["name"] for p in params)
        return _problem(422, "validation-error", f"invalid fields: {names}", **{"invalid-params": params})

    @app.exception_handler(NotFoundError)
    def _not_found(exc: NotFoundError) -> Response[Any]:
        return _problem(404, "not-found", str(exc) or "not found")

    @app.exception_handler(RouteNotFoundError)
    def _no_route(exc: RouteNotFoundError) -> Response[Any]:
        return _problem(404, "not-found", "no such route")

    @app.exception_handler(UnauthenticatedError)
    def _unauthenticated(exc: UnauthenticatedError) -> Response[Any]:
        return _problem(401, "unauthorized", str(exc))

    @app.exception_handler(ForbiddenError)
    def _forbidden(exc: ForbiddenError) -> Response[Any]:
        return _problem(403, "forbidden", str(exc))

    @app.exception_handler(StaleRateError)
    def _stale_rate(exc: StaleRateError) -> Response[Any]:
        return _problem(409, "stale-rate", str(exc), stale_rates=exc.stale)

    @app.exception_handler(ConflictError)
    def _conflict(exc: ConflictError) -> Response[Any]:
        if isinstance(exc, ErasureRefusedError):
            return _problem(409, "erasure-refused", str(exc), reason=exc.reason)
        slug = "conflict"
        if isinstance(exc, IdempotencyConflictError):
            slug = "idempotency-conflict"
        elif isinstance(exc, TransitionError):
            slug = "invalid-transition"
        return _problem(409, slug, str(exc))

    @app.exception_handler(Exception)
    def _unexpected(exc: Exception) -> Response[Any]:
        if transient_aws_error(exc):  # throttled or briefly unavailable, after botocore's own retries
            logger.warning("AWS busy; asked the client to retry", extra={"error_type": type(exc).__name__})
            return Response(
                503,
                PROBLEM_CONTENT_TYPE,
                json.dumps(problem(503, "service-unavailable", "we are busy right now; retry shortly")),
                headers={"Retry-After": RETRY_AFTER_SECONDS},
            )
        logger.exception("unhandled error", extra={"error_type": type(exc).__name__})
        return _problem(500, "internal-error", "something went wrong on our side; it has been logged")


def build_resolver(routers: Sequence[Router]) -> APIGatewayRestResolver:
    app = APIGatewayRestResolver(enable_validation=True)
    for router in routers:
        app.include_router(router)
    register_error_handlers(app)
    return app


def principal_of(app: APIGatewayRestResolver | Router) -> Principal:
    """The caller, as the authorizer established it (requestContext.authorizer)."""
    context = app.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
    if "kind" not in context:
        raise ForbiddenError("no authenticated caller")
    return Principal(
        kind=PrincipalKind(context["kind"]),
        key_id=context["key_id"],
        tenant_id=context.get("tenant_id") or None,
        partner_id=context.get("partner_id") or None,
    )


def require(app: APIGatewayRestResolver | Router, *kinds: PrincipalKind) -> Principal:
    caller = principal_of(app)
    if caller.kind not in kinds:
        raise ForbiddenError(f"a {caller.kind} key may not call this endpoint")
    return caller


def body_bytes(event: dict[str, Any]) -> bytes:
    body = event.get("body") or ""
    if event.get("isBase64Encoded"):
        return base64.b64decode(body)
    return str(body).encode()


def content_type_of(event: dict[str, Any]) -> str:
    """The Content-Type header as sent; "" when not sent."""
    headers = event.get("headers") or {}
    return str(next((v for k, v in headers.items() if k.lower() == "content-type"), None) or "")


def _as_json(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its Content-Type spelled as the resolver matches it (lower case, no parameters)."""
    normalized = dict(event)
    for field, value in (("headers", JSON_MEDIA_TYPE), ("multiValueHeaders", [JSON_MEDIA_TYPE])):
        headers = {k: v for k, v in (event.get(field) or {}).items() if k.lower() != "content-type"}
        normalized[field] = {**headers, "content-type": value}
    return normalized


def max_body_bytes() -> int:
    """The API functions' body limit (`ApiSettings`): settings load at the first request, not at import."""
    from handoff.config import api_settings

    return api_settings().max_body_bytes


def _maintained_pack() -> RulePack:
    """The seed with the recorded fixings (read at the first claim a request computes)."""
    from handoff.handlers.wiring import maintained_pack

    return maintained_pack()


def lambda_entry(
    app: APIGatewayRestResolver, max_body_bytes: Callable[[], int]
) -> Callable[[dict[str, Any], LambdaContext], dict[str, Any]]:
    """The Lambda handler for a resolver: refuses what must never reach a parser (`request_body`).

    In order: bodies over the limit (413), not UTF-8 (400), not JSON by media type or charset (415),
    nested too deep, repeating a key or not JSON at all (400). Every body this API takes is JSON;
    form and multipart bodies are refused here rather than handed to the resolver's form parsers.
    """

    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        limit = max_body_bytes()
        body = body_bytes(event)
        if len(body) > limit:
            return problem_response(413, "payload-too-large", f"the body is over {limit} bytes")
        try:
            text = body.decode()
        except UnicodeDecodeError:
            return problem_response(400, "malformed-request", "the body must be UTF-8 encoded JSON")
        try:
            declared_json = check_media_type(content_type_of(event), has_body=bool(body))
            if body:
                check_json(text)
        except BodyRefusedError as refused:
            return problem_response(refused.status, refused.slug, refused.detail)
        from handoff.domain.reference_rates import rates_in_force  # the rule pack: at the first request

        with rates_in_force(_maintained_pack):  # every claim this request computes
            return app.resolve(_as_json(event) if declared_json else event, context)

    return handler
