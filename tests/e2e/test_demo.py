"""`make demo` end to end in a fresh process: it succeeds, writes its files, and logs no debtor data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

pytestmark = pytest.mark.xdist_group("demo")


def debtor_details() -> set[str]:
    """Every debtor name, e-mail and phone in the sample cases."""
    found: set[str] = set()
    for path in (EXAMPLES / "cases").glob("*.json"):
        debtor = json.loads(path.read_text())["debtor"]
        found.add(debtor["legal_name"])
        for contact in debtor.get("contacts", []):
            found.update(v for k, v in contact.items() if k in ("name", "email", "phone") and v)
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("demo-out")
    env = {**os.environ, "POWERTOOLS_LOG_LEVEL": "INFO"}
    result = subprocess.run(
        [sys.executable, "-m", "handoff.local", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    return result, out


def test_the_demo_tells_the_whole_story(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = demo

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for chapter in ("routed by amount and jurisdiction", "review queue", "packet", "ledger balances", "Done"):
        assert chapter in result.stdout
    assert "lone-star-legal declined (conflict of interest): rerouted" in result.stdout
    assert "(a repeat: recorded once)" in result.stdout


def test_the_demo_leaves_documents_and_a_verified_packet(
    demo: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = demo

    letters = sorted(p.name for p in (out / "documents").glob("*.docx"))
    packets = list(out.glob("packet-*.zip"))
    assert any(name.endswith("demand_letter.docx") for name in letters)
    assert any(name.endswith("statement_of_account.docx") for name in letters)
    assert len(packets) == 1
    with zipfile.ZipFile(packets[0]) as archive:
        assert "manifest.json" in archive.namelist()


def test_logs_never_carry_debtor_personal_data(demo: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    result, _ = demo
    logs = [line for line in (result.stdout + result.stderr).splitlines() if line.startswith("{")]

    assert len(logs) > 20  # the log level let the handlers' records through
    leaked = {detail for detail in debtor_details() for line in logs if detail in line}
    assert leaked == set()
