"""What a request body must be before anything parses it recursively (DESIGN.md §10).

Checked at the edge of every API function (`http.lambda_entry`), on the raw text, in this order:

1. the media type: `application/json` in any case, with parameters; a `charset` other than
   UTF-8 → 415 (RFC 9110 §8.3: type, subtype and parameter names are case-insensitive);
2. the nesting depth: arrays and objects nested more than `MAX_JSON_DEPTH` (64) deep → 400,
   found by a linear scan of the text (strings and their escapes skipped), never by recursion;
3. one parse, now bounded in depth, that refuses a repeated object key at any depth (I-JSON,
   RFC 7493 §2.3), the constants `NaN` and `Infinity` (not JSON) and numbers Python cannot hold
   → 400.

Only then does the resolver parse the body again and validate it against the route's model.
"""

from __future__ import annotations

import codecs
import json
import re
from email.message import Message
from itertools import accumulate
from typing import Any

JSON_MEDIA_TYPE = "application/json"
MAX_JSON_DEPTH = 64

# a string, its end optional: an unterminated one is consumed once (to the end), never rescanned
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class BodyRefusedError(Exception):
    """The body cannot be taken: `status` and problem `slug` say how to answer."""

    def __init__(self, status: int, slug: str, detail: str):
        super().__init__(detail)
        self.status = status
        self.slug = slug
        self.detail = detail


class DuplicateKeyError(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def media_type(header: str) -> tuple[str, str | None]:
    """The lower-case media type and its `charset` parameter, parsed as MIME does (quotes, case)."""
    message = Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def check_media_type(header: str, has_body: bool) -> bool:
    """Whether the request declares JSON; BodyRefusedError (415) for any other type of body or charset."""
    if not header.strip():
        return False
    kind, charset = media_type(header)
    if kind != JSON_MEDIA_TYPE:
        if has_body:
            raise BodyRefusedError(
                415, "unsupported-media-type", "this endpoint takes an application/json body"
            )
        return False
    if charset is not None and not _is_utf8(charset):
        raise BodyRefusedError(
            415, "unsupported-media-type", f"JSON bodies are UTF-8; charset={charset} is not accepted"
        )
    return True


def _is_utf8(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name == "utf-8"
    except LookupError:
        return False


def nesting_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects nest deeper than `limit`: linear passes over the text, no recursion.

    Strings are removed first (brackets inside them do not count), then only brackets are kept.
    The count stops where the text stops being JSON (a closing bracket with nothing open): a
    parser fails there too, before going any deeper.
    """
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for depth in accumulate(map(_STEP.__getitem__, brackets)):
        if depth > limit:
            return True
        if depth < 0:
            return False
    return False


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return members


def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON value")


def check_json(text: str) -> None:
    """BodyRefusedError (400) unless `text` is JSON within the depth limit, with unique object keys."""
    if nesting_exceeds(text):
        raise BodyRefusedError(
            400, "nesting-too-deep", f"the body nests arrays and objects more than {MAX_JSON_DEPTH} deep"
        )
    try:
        json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_not_json)
    except DuplicateKeyError as exc:
        raise BodyRefusedError(
            400,
            "duplicate-key",
            f"the body repeats the object key {json.dumps(exc.key)}; each key may appear once per object "
            "(I-JSON, RFC 7493)",
        ) from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, an integer of more than 4,300 digits
        raise BodyRefusedError(400, "malformed-request", f"the body is not JSON: {exc}") from None
