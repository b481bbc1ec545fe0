"""Fixtures shared by every test folder."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def load_example(relative: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / relative).read_text())
    return loaded


@pytest.fixture
def case_payload() -> dict[str, Any]:
    """The intake example of DESIGN.md §3, extended: a GB-ENG company owing two invoices."""
    return copy.deepcopy(load_example("cases/acme-northwind-gb.json"))


@pytest.fixture
def tenant_profile() -> dict[str, Any]:
    return copy.deepcopy(load_example("tenants/acme.json"))
