"""Contracts are files: schemas and openapi.json match the code; the catalog matches the routes."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from handoff.catalog import API_FUNCTIONS, FUNCTIONS, function, routes_of
from handoff.contracts import write

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "contract-test")


def test_committed_schemas_match_the_models(tmp_path: Path) -> None:
    written = write(tmp_path)

    stale = [p.name for p in written if p.read_text() != (ROOT / "schemas" / p.name).read_text()]
    assert stale == [], f"run `make schemas` and commit: {stale} differ"


def test_openapi_documents_every_route_and_problem_responses() -> None:
    document = json.loads((ROOT / "schemas" / "openapi.json").read_text())

    for name in API_FUNCTIONS:
        for route in routes_of(name):
            operation = document["paths"][route.path][route.method.lower()]
            assert "422" in operation["responses"]
    assert document["paths"]["/v1/health"]["get"]["security"] == []


@pytest.mark.parametrize("name", API_FUNCTIONS)
def test_each_api_function_serves_exactly_its_catalog_routes(name: str) -> None:
    app = importlib.import_module(function(name).handler).app

    served = {(r.method, r.openapi_path) for r in app._static_routes + app._dynamic_routes}

    assert served == {(r.method, r.path) for r in routes_of(name)}


def test_every_catalog_handler_module_has_a_handler() -> None:
    for entry in FUNCTIONS:
        assert callable(getattr(importlib.import_module(entry.handler), entry.entry)), entry.name


@pytest.mark.parametrize(
    "module",
    ["handoff.handlers.business_api", "handoff.handlers.operator_api", "handoff.handlers.authorizer"],
)
def test_api_handlers_do_not_import_heavy_or_test_only_modules(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "print(','.join(m for m in ('docxtpl', 'lxml', 'moto', 'docx', 'holidays') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"TABLE_NAME": "t", "PATH": "/usr/bin", "AWS_DEFAULT_REGION": "eu-west-2"},
    )

    assert result.stdout.strip() == ""
