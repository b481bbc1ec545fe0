"""An HTTP front door that behaves like our API Gateway: route, authorize, proxy.

Each request becomes an API Gateway REST proxy event; routes with auth run the
TOKEN authorizer first (401 if it refuses), then the function the catalog names
for the route runs — the same handler code Lambda runs.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

from werkzeug.wrappers import Request, Response

from handoff.catalog import ROUTES, Route
from handoff.handlers.problems import PROBLEM_CONTENT_TYPE, problem, slug_for_status
from handoff.local.aws import ACCOUNT, REGION, invoke_local

GATEWAY_MAX_BODY = 10 * 1024 * 1024  # API Gateway REST refuses larger payloads itself
STAGE = "local"


@dataclass(frozen=True)
class CompiledRoute:
    route: Route
    pattern: re.Pattern[str]


@cache
def _routes() -> list[CompiledRoute]:
    compiled = []
    for route in ROUTES:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.path)
        compiled.append(CompiledRoute(route, re.compile(f"^{regex}$")))
    return compiled


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for candidate in _routes():
        found = candidate.pattern.match(path)
        if found and candidate.route.method == method:
            return candidate.route, found.groupdict()
    return None


def problem_page(status: int, detail: str) -> Response:
    """An error the local runtime produces itself (not a handler's): problem+json like all others."""
    return _problem(status, slug_for_status(status), detail)


def _problem(status: int, slug: str, detail: str) -> Response:
    return Response(
        json.dumps(problem(status, slug, detail)), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def _authorize(request: Request, route: Route) -> dict[str, Any] | None:
    token = request.headers.get("Authorization")
    if not token:
        return None
    event = {
        "type": "TOKEN",
        "authorizationToken": token,
        "methodArn": f"arn:aws:execute-api:{REGION}:{ACCOUNT}:local/{STAGE}/{route.method}{request.path}",
    }
    try:
        result = invoke_local("authorizer", event)
    except Exception:  # API Gateway turns the authorizer's "Unauthorized" into a 401
        return None
    statement = result["policyDocument"]["Statement"][0]
    if statement["Effect"] != "Allow":
        return None
    return {"principalId": result["principalId"], **result.get("context", {})}


def proxy_event(
    request: Request, route: Route, params: dict[str, str], authorizer: dict[str, Any] | None
) -> dict[str, Any]:
    raw = request.get_data(cache=False)
    try:
        body: str | None = raw.decode() if raw else None
        encoded = False
    except UnicodeDecodeError:
        body, encoded = base64.b64encode(raw).decode(), True
    query = request.args
    return {
        "resource": route.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": dict(request.headers.items()),
        "multiValueHeaders": {k: request.headers.getlist(k) for k, _ in request.headers},
        "queryStringParameters": {k: query.get(k) for k in query} or None,
        "multiValueQueryStringParameters": {k: query.getlist(k) for k in query} or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.path,
            "httpMethod": request.method,
            "path": f"/{STAGE}{request.path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "accountId": ACCOUNT,
            "apiId": "local",
            "identity": {"sourceIp": request.remote_addr or "127.0.0.1"},
            "authorizer": authorizer,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def to_response(result: dict[str, Any]) -> Response:
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    response = Response(data, status=int(result["statusCode"]))
    headers: dict[str, list[str]] = {k: [v] for k, v in (result.get("headers") or {}).items()}
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers[name] = list(values)
    for name, values in headers.items():
        response.headers.setlist(name, values)
    return response


def dispatch(request: Request) -> Response:
    found = match(request.method, request.path)
    if found is None:
        allowed = sorted({c.route.method for c in _routes() if c.pattern.match(request.path)})
        if allowed:
            response = _problem(405, "method-not-allowed", f"{request.path} takes {', '.join(allowed)}")
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return _problem(404, "not-found", f"no route {request.method} {request.path}")
    route, params = found
    if (request.content_length or 0) > GATEWAY_MAX_BODY:
        return _problem(413, "payload-too-large", "the body is over API Gateway's 10 MB limit")
    authorizer = None
    if route.auth:
        authorizer = _authorize(request, route)
        if authorizer is None:
            return _problem(401, "unauthorized", "send `Authorization: Bearer <api key>` with a valid key")
    event = proxy_event(request, route, params, authorizer)
    result = invoke_local(route.function, event)
    return to_response(result)
