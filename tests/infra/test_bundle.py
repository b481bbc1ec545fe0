"""Docker-free bundling: which lock each function ships, what the bundle holds, its hash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from handoff import catalog
from infra import bundle

pytestmark = pytest.mark.xdist_group("infra")

DOCX_STACK = ("docxtpl", "lxml", "jinja2", "python-docx")


def _pins(lock: Path) -> set[str]:
    return {
        line.split("==")[0].strip().lower()
        for line in lock.read_text().splitlines()
        if line and not line.startswith((" ", "#"))
    }


def test_core_lock_has_no_docx_stack_and_documents_lock_has_it() -> None:
    core, documents = _pins(bundle.CORE_LOCK), _pins(bundle.DOCUMENTS_LOCK)
    assert not core & set(DOCX_STACK)
    assert {"docxtpl", "lxml"} <= documents
    assert core < documents  # same pins otherwise


def test_pip_targets_linux_arm64_cpython_312_wheels_only() -> None:
    argv = bundle.pip_arguments(Path("x.lock"), Path("out"))
    joined = " ".join(argv)
    for flag in (
        "--platform manylinux2014_aarch64",
        "--implementation cp",
        "--python-version 3.12",
        "--only-binary=:all:",
        "--target out",
        "-r x.lock",
    ):
        assert flag in joined


def test_build_copies_the_package_without_the_local_runtime(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(bundle, "runtime_python", lambda: None)
    calls: list[list[str]] = []
    monkeypatch.setattr(subprocess, "run", lambda argv, check: calls.append(argv))
    bundle.build(bundle.DOCUMENTS, tmp_path)
    assert calls and calls[0][calls[0].index("-r") + 1] == str(bundle.DOCUMENTS_LOCK)
    assert (tmp_path / "handoff" / "catalog.py").is_file()
    assert not (tmp_path / "handoff" / "local").exists()
    assert not list(tmp_path.rglob("__pycache__"))
    assert (tmp_path / "templates" / "legal").is_dir()


def test_core_bundle_carries_no_templates(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(bundle, "runtime_python", lambda: None)
    monkeypatch.setattr(subprocess, "run", lambda argv, check: None)
    bundle.build(bundle.CORE, tmp_path)
    assert not (tmp_path / "templates").exists()


def test_local_bundling_is_what_cdk_calls_and_never_falls_back_to_docker(
    tmp_path: Path, monkeypatch: Any
) -> None:
    built: list[Path] = []
    monkeypatch.setattr(bundle, "build", lambda spec, out: built.append(out))
    # jsii passes (output_dir, options) positionally.
    assert bundle.PipBundling(bundle.CORE).try_bundle(str(tmp_path), object()) is True  # type: ignore[arg-type]
    assert built == [tmp_path]


def test_asset_hash_follows_the_inputs() -> None:
    assert bundle.CORE.asset_hash() != bundle.DOCUMENTS.asset_hash()
    assert bundle.CORE.asset_hash() == bundle.CORE.asset_hash()
    shipped = [p.relative_to(bundle.PACKAGE_DIR).parts[0] for p in bundle.CORE.source_files()]
    assert "local" not in shipped


def test_documents_functions_and_only_they_use_the_documents_bundle(dev: Any) -> None:
    """Functions share one asset per bundle: the S3 key says which lock a function ships."""
    from tests.infra.test_stack import function_ids

    ids = function_ids(dev)
    keys = {name: dev.resources[ids[name]]["Properties"]["Code"]["S3Key"] for name in ids}
    documents = {keys[f.name] for f in catalog.FUNCTIONS if f.documents}
    core = {keys[f.name] for f in catalog.FUNCTIONS if not f.documents}
    assert len(documents) == 1 and len(core) == 1 and documents != core


def test_the_bundle_ships_unchecked_bytecode_of_the_runtime_interpreter(
    tmp_path: Path, monkeypatch: Any
) -> None:
    """Lambda's code directory is read-only: bytecode not in the bundle is compiled at every cold start."""
    real_run = subprocess.run
    monkeypatch.setattr(bundle, "runtime_python", lambda: sys.executable)  # stands in for CPython 3.12
    monkeypatch.setattr(subprocess, "run", lambda argv, **kw: None if "pip" in argv else real_run(argv, **kw))

    bundle.build(bundle.CORE, tmp_path)

    compiled = tmp_path / "handoff" / "__pycache__" / f"catalog.{sys.implementation.cache_tag}.pyc"
    flags = int.from_bytes(compiled.read_bytes()[4:8], "little")
    assert flags == 0b01  # hash-based, source not checked: nothing stats the read-only sources
    assert not (tmp_path / "handoff" / "local").exists()


def test_only_a_cpython_of_the_runtime_version_compiles_the_bundle(monkeypatch: Any) -> None:
    this = f"{sys.version_info.major}.{sys.version_info.minor}"
    monkeypatch.setenv("HANDOFF_LAMBDA_PYTHON", sys.executable)
    monkeypatch.setattr(bundle.shutil, "which", lambda name: None)

    monkeypatch.setattr(bundle, "PYTHON_VERSION", this)
    assert bundle.runtime_python() == sys.executable
    monkeypatch.setattr(bundle, "PYTHON_VERSION", "3.99")
    assert bundle.runtime_python() is None
    monkeypatch.setenv("HANDOFF_LAMBDA_PYTHON", "/nonexistent/python3.99")
    assert bundle.runtime_python() is None
