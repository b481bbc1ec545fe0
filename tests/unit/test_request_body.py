"""What a body must be before anything parses it: media type, depth, unique keys (`handlers.request_body`).

The last tests run `http.lambda_entry` in front of a resolver with one route, in-process: what
every API function's Lambda handler does before its routes see a request.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.router import APIGatewayRouter
from pydantic import Field

from handoff.domain.models import Amount, Strict
from handoff.handlers.http import build_resolver, lambda_entry
from handoff.handlers.request_body import (
    MAX_JSON_DEPTH,
    BodyRefusedError,
    check_json,
    check_media_type,
    nesting_exceeds,
)

PROBLEM = "application/problem+json"


def nested(depth: int, opener: str = "[") -> str:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return opener * depth + "1" + closer * depth


@pytest.mark.parametrize("opener", ["[", '{"a":'])
def test_nesting_up_to_the_limit_passes_and_one_more_is_refused(opener: str) -> None:
    assert not nesting_exceeds(nested(MAX_JSON_DEPTH, opener))
    assert nesting_exceeds(nested(MAX_JSON_DEPTH + 1, opener))
    assert nesting_exceeds(opener * 10_000)  # unterminated, as an attacker sends it
    assert nesting_exceeds(opener * 1_000_000)  # no recursion anywhere: a million is as cheap as a scan


@pytest.mark.parametrize(
    ("text", "too_deep"),
    [
        ('{"a": "' + "[" * 100 + '"}', False),  # brackets inside a string do not count
        ('{"a": "\\"' + "[" * 100 + '"}', False),  # nor after an escaped quote
        ('{"a": "\\\\"' + ', "b":' + "[" * 100, True),  # an escaped backslash ends the string
        ('["\\u005b' + "[" * 10 + '"]', False),
        ("]" * 100 + "[" * 100, False),  # not JSON: the parser stops at the first `]`
        ('"' + "[" * 100, False),  # an unterminated string swallows the rest
        ('"\\"' * 200_000, False),  # many unterminated strings: still one linear pass
    ],
)
def test_the_depth_scan_skips_strings_and_escapes(text: str, too_deep: bool) -> None:
    assert nesting_exceeds(text) is too_deep


def refusal(text: str) -> BodyRefusedError:
    with pytest.raises(BodyRefusedError) as refused:
        check_json(text)
    return refused.value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('{"amount": "1", "amount": "2"}', "amount"),
        ('{"invoices": [{"number": "A", "paid": "0", "number": "B"}]}', "number"),
        ('{"a": {"b": {"c": {"d": 1, "d": 1}}}}', "d"),
        ('{"caf\\u00e9": 1, "café": 2}', "café"),  # the same key once its escapes are read
    ],
)
def test_a_repeated_key_at_any_depth_is_refused_naming_it(text: str, key: str) -> None:
    refused = refusal(text)
    assert (refused.status, refused.slug) == (400, "duplicate-key")
    assert json.dumps(key) in refused.detail


@pytest.mark.parametrize(
    "text", ["{", '{"a": NaN}', "[Infinity]", '{"a": -Infinity}', "1" * 5000, "{'a': 1}"]
)
def test_what_is_not_json_is_refused_with_400(text: str) -> None:
    refused = refusal(text)
    assert (refused.status, refused.slug) == (400, "malformed-request")


def test_deep_bodies_are_refused_before_parsing() -> None:
    refused = refusal('{"a":' * 10_000)
    assert (refused.status, refused.slug) == (400, "nesting-too-deep")
    assert str(MAX_JSON_DEPTH) in refused.detail


@pytest.mark.parametrize(
    "header",
    [
        "application/json",
        "Application/JSON",
        "APPLICATION/JSON; CHARSET=UTF-8",
        "application/json;charset=utf-8",
        'application/json; charset="UTF-8"',
        "application/json; charset=utf8",
        "application/json ; foo=bar",
    ],
)
def test_json_media_types_are_case_insensitive_and_may_carry_parameters(header: str) -> None:
    assert check_media_type(header, has_body=True) is True


@pytest.mark.parametrize(
    "header",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/jsonx",
        "json",
        "application/json; charset=latin-1",
        "application/json; charset=utf-16",
        "Application/Json; Charset=ISO-8859-1",
        "application/json; charset=no-such-charset",
    ],
)
def test_other_media_types_and_charsets_get_415(header: str) -> None:
    with pytest.raises(BodyRefusedError) as refused:
        check_media_type(header, has_body=True)
    assert refused.value.status == 415


def test_no_body_needs_no_media_type() -> None:
    assert check_media_type("", has_body=False) is False
    assert check_media_type("text/plain", has_body=False) is False


# --- in front of a resolver -------------------------------------------------------------

router = APIGatewayRouter()
received: list[dict[str, Any]] = []


class Payment(Strict):
    amount: Amount
    note: Annotated[str, Field(max_length=50)] = ""


@router.post("/v1/echo")
def echo(body: Payment) -> dict[str, str]:
    received.append(body.model_dump(mode="json"))
    return {"amount": str(body.amount)}


handler = lambda_entry(build_resolver([router]), lambda: 1024 * 1024)


def call(body: str, content_type: str | None = "application/json") -> tuple[int, dict[str, Any], str]:
    sent = {"Content-Type": content_type} if content_type else {}
    event = {
        "resource": "/v1/echo",
        "path": "/v1/echo",
        "httpMethod": "POST",
        "headers": sent,
        "multiValueHeaders": {k: [v] for k, v in sent.items()},
        "requestContext": {"resourcePath": "/v1/echo", "httpMethod": "POST", "stage": "test"},
        "body": body,
        "isBase64Encoded": False,
    }
    result = handler(event, None)  # type: ignore[arg-type]
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    headers.update({k.lower(): v[0] for k, v in (result.get("multiValueHeaders") or {}).items()})
    content = headers.get("content-type", "")
    return result["statusCode"], json.loads(result["body"]), content


@pytest.mark.parametrize(
    ("body", "status", "slug"),
    [
        ('{"a":' * 10_000, 400, "nesting-too-deep"),
        ("[" * 10_000, 400, "nesting-too-deep"),
        ('{"amount": "1.00", "amount": "2.00"}', 400, "duplicate-key"),
        ('{"amount": NaN}', 400, "malformed-request"),
        ('{"amount": 12.5}', 422, "validation-error"),
    ],
)
def test_the_lambda_entry_refuses_before_the_route_runs(body: str, status: int, slug: str) -> None:
    received.clear()
    code, problem, content_type = call(body)
    assert (code, problem["type"].rsplit("/", 1)[-1], content_type) == (status, slug, PROBLEM)
    assert received == []


@pytest.mark.parametrize(
    "content_type", ["Application/JSON", "application/json; charset=UTF-8", "APPLICATION/JSON;charset=utf8"]
)
def test_the_route_gets_json_sent_with_any_spelling_of_its_media_type(content_type: str) -> None:
    assert call('{"amount": "12.50"}', content_type)[:2] == (200, {"amount": "12.50"})


def test_a_foreign_charset_is_refused_with_415() -> None:
    code, problem, _ = call('{"amount": "12.50"}', "application/json; charset=iso-8859-1")
    assert code == 415 and "UTF-8" in problem["detail"]
