"""Decimal strings and plain text (`domain.input_types`), and that every request model uses them."""

from __future__ import annotations

import importlib
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, Field, ValidationError

from handoff.catalog import API_FUNCTIONS, function
from handoff.contracts import openapi_document
from handoff.domain import outcomes
from handoff.domain.input_types import (
    DECIMAL_STRING,
    FREE_TEXT,
    PLAIN_TEXT,
    DecimalString,
    NonNegativeDecimal,
    Text,
)
from handoff.domain.models import Strict


class Sample(Strict):
    amount: NonNegativeDecimal
    rate: Annotated[Decimal, Field(ge=0, le=100), DECIMAL_STRING] | None = None
    name: Annotated[str, Field(min_length=1, max_length=60), PLAIN_TEXT] = "x"
    note: Annotated[str, Field(max_length=50), FREE_TEXT] = ""


def errors(**values: Any) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as refused:
        Sample.model_validate({"amount": "1", **values})
    return [(".".join(map(str, e["loc"])), e["type"]) for e in refused.value.errors()]


@pytest.mark.parametrize("number", [12, 12.5, 0, True, 1e300])
def test_a_json_number_is_never_a_decimal(number: Any) -> None:
    assert errors(amount=number) == [("amount", "decimal_string")]
    assert errors(rate=number) == [("rate", "decimal_string")]


@pytest.mark.parametrize("text", ["12", "12.50", "0.001", "+3", "1e3", "1E-2", ".5", "5."])
def test_decimal_strings_are_read_exactly(text: str) -> None:
    assert Sample.model_validate({"amount": text}).amount == Decimal(text)


@pytest.mark.parametrize("text", ["", " 12", "12 ", "1_000", "0x10", "NaN", "Infinity", "1,5", "twelve"])
def test_what_is_not_a_decimal_string_is_refused(text: str) -> None:
    assert errors(amount=text)[0] == ("amount", "decimal_string")


def test_constraints_still_apply_to_decimal_strings() -> None:
    assert errors(amount="-1") == [("amount", "greater_than_equal")]
    assert errors(rate="100.5") == [("rate", "less_than_equal")]
    assert Sample(amount=Decimal(5)).amount == 5  # our own code passes Decimals


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x07", "\x1b", "\x1f", "\x7f", "\x85", "\x9f", "\ud800"])
def test_control_characters_and_lone_surrogates_are_refused_in_text(char: str) -> None:
    assert errors(name=f"Acme{char}Ltd") == [("name", "control_character")]
    assert errors(name=f"Acme{char}") == [("name", "control_character")]  # not stripped away first
    assert errors(note=f"Call back{char}") == [("note", "control_character")]


@pytest.mark.parametrize("char", ["\t", "\n", "\r", "\x0b", "\x0c"])
def test_names_take_no_whitespace_controls_at_all(char: str) -> None:
    assert errors(name=f"Acme{char}Ltd") == [("name", "control_character")]


def test_notes_take_tab_and_line_breaks() -> None:
    note = "Line one\n\tindented\r\nLine three"
    assert Sample.model_validate({"amount": "1", "note": note}).note == note
    assert errors(note="bare\rCR") == [("note", "control_character")]


def test_unicode_text_is_untouched() -> None:
    name = "Müller & Söhne GmbH — 東京 \u00a0 👍"
    assert Sample.model_validate({"amount": "1", "name": name}).name == name


def test_the_error_names_the_character_and_where_it_is() -> None:
    with pytest.raises(ValidationError) as refused:
        Sample.model_validate({"amount": "1", "name": "ab\x00"})
    assert "U+0000 at position 2" in refused.value.errors()[0]["msg"]


# --- every request model uses them ------------------------------------------------------


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        if not isinstance(arg, str | int):
            yield from _models_in(arg)


def request_models() -> list[type[BaseModel]]:
    """The body model of every API route, and the partners' outcome webhook events."""
    found: set[type[BaseModel]] = set(outcomes.OUTCOME_EVENTS.values())
    for name in API_FUNCTIONS:
        for router in importlib.import_module(function(name).handler).ROUTERS:
            for route in router._routes.values():
                hints = typing.get_type_hints(route, include_extras=True)
                for parameter, annotation in hints.items():
                    if parameter != "return":
                        found.update(_models_in(annotation))
    return sorted(found, key=lambda m: m.__name__)


def _leaves(annotation: Any, metadata: tuple[Any, ...] = ()) -> Iterator[tuple[Any, tuple[Any, ...]]]:
    """The scalar types a field takes, each with the Annotated metadata that applies to it."""
    origin = get_origin(annotation)
    if origin is Annotated:
        base, *extra = get_args(annotation)
        yield from _leaves(base, metadata + tuple(extra))
    elif origin in (Union, types.UnionType, list, dict, set, frozenset, tuple):
        for arg in get_args(annotation):
            if arg not in (type(None), Ellipsis):
                yield from _leaves(arg, metadata)
    else:
        yield annotation, metadata


def unguarded_fields() -> list[str]:
    seen: set[type[BaseModel]] = set()
    pending = request_models()
    missing = []
    while pending:
        model = pending.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            for leaf, metadata in _leaves(field.annotation, tuple(field.metadata)):
                where = f"{model.__module__}.{model.__name__}.{name}"
                if isinstance(leaf, type) and issubclass(leaf, BaseModel):
                    pending.append(leaf)
                elif leaf is str and not any(isinstance(m, Text) for m in metadata):
                    missing.append(f"{where}: str without PLAIN_TEXT or FREE_TEXT")
                elif leaf is Decimal and not any(isinstance(m, DecimalString) for m in metadata):
                    missing.append(f"{where}: Decimal without DECIMAL_STRING")
                elif leaf in (Any, object):
                    missing.append(f"{where}: untyped value")
    assert len(seen) > 30  # the walk reached the nested models (addresses, invoices, fee terms, ...)
    return missing


def test_every_text_and_decimal_field_of_every_request_model_is_guarded() -> None:
    assert unguarded_fields() == []


def _subschemas(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        yield schema
        for value in schema.values():
            yield from _subschemas(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _subschemas(value)


def test_the_contract_offers_no_json_number_where_a_decimal_goes() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]
    request_schemas = [schemas[m.__name__] for m in request_models() if m.__name__ in schemas]
    assert len(request_schemas) >= 10
    numbers = [s for schema in request_schemas for s in _subschemas(schema) if s.get("type") == "number"]
    assert numbers == []
