"""Reusable annotated types for values that arrive from outside: decimal strings and plain text.

Each is a marker placed *last* in an `Annotated[...]`, after the `Field` constraints, so that
pydantic keeps its own constraint checks and messages and the marker's check runs first:

* `DECIMAL_STRING` — a decimal travels as a JSON string (`"1250.00"`); a JSON number is refused,
  because it reaches the server as a binary float (or an int that looks like one) and a float must
  never carry money or a rate into the system. Python `Decimal` values (our own code, stored items)
  pass. The JSON Schema says `type: string` with the accepted pattern.
* `PLAIN_TEXT` — names, references, addresses, codes: no control character at all (Unicode
  category Cc: C0 including NUL, DEL, C1) and no lone surrogate (`"\\ud800"` is valid JSON but
  no valid text, and could not be stored).
* `FREE_TEXT` — notes and descriptions: the same, except that tab, line feed and CR LF are allowed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

DECIMAL_PATTERN = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"
UNSIGNED_DECIMAL_PATTERN = r"^\+?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"  # where the minimum is >= 0
_DECIMAL = re.compile(DECIMAL_PATTERN)


@dataclass(frozen=True)
class DecimalString:
    """Marker: the Decimal before it arrives as a decimal string, never as a JSON number."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(_decimal_string, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        generated = handler(schema)
        branches = generated.pop("anyOf", None)
        if branches is None:  # serialization: pydantic already writes a string
            return generated
        number: dict[str, Any] = next((b for b in branches if b.get("type") == "number"), {})
        unsigned = max(number.get("minimum", -1), number.get("exclusiveMinimum", -1)) >= 0
        return {
            **generated,
            "type": "string",
            "pattern": UNSIGNED_DECIMAL_PATTERN if unsigned else DECIMAL_PATTERN,
        }


def _decimal_string(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise PydanticCustomError(
            "decimal_string",
            'must be a decimal string such as "1250.00", not a JSON number: amounts and rates travel '
            "as strings so that no binary float ever carries them",
        )
    if isinstance(value, str) and not _DECIMAL.fullmatch(value):
        raise PydanticCustomError("decimal_string", 'must be a decimal string such as "1250.00"')
    return value


@dataclass(frozen=True)
class Text:
    """Marker: the str before it may not carry control characters (`free`: tab and newlines may)."""

    free: bool = False

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        check = _free_text if self.free else _plain_text
        return core_schema.no_info_before_validator_function(check, handler(source))


def _refuse(text: str, position: int) -> None:
    char = text[position]
    kind = "a lone surrogate" if unicodedata.category(char) == "Cs" else "a control character"
    raise PydanticCustomError(
        "control_character",
        "must not contain {kind} (U+{code} at position {position})",
        {"kind": kind, "code": f"{ord(char):04X}", "position": position},
    )


def _plain_text(value: Any) -> Any:
    if isinstance(value, str) and not value.isprintable():  # fast path: printable text has no Cc/Cs
        for position, char in enumerate(value):
            if unicodedata.category(char) in ("Cc", "Cs"):
                _refuse(value, position)
    return value


def _free_text(value: Any) -> Any:
    if isinstance(value, str) and not value.isprintable():
        for position, char in enumerate(value):
            if char in "\t\n" or (char == "\r" and value[position + 1 : position + 2] == "\n"):
                continue
            if unicodedata.category(char) in ("Cc", "Cs"):
                _refuse(value, position)
    return value


DECIMAL_STRING = DecimalString()
PLAIN_TEXT = Text()
FREE_TEXT = Text(free=True)

NonNegativeDecimal = Annotated[Decimal, Field(ge=0, max_digits=18), DECIMAL_STRING]
PositiveDecimal = Annotated[Decimal, Field(gt=0, max_digits=18), DECIMAL_STRING]
