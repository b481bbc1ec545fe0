"""Lambda bundles without Docker: pip for Linux arm64 / CPython 3.12 wheels, then the code.

Two bundles, one per lock file:

* core — `requirements/lambda-core.lock` + `functions/handoff`: every function but documents;
  it carries no docxtpl, lxml or Jinja (cold start, DESIGN §8).
* documents — `requirements/lambda.lock` (the `documents` extra) + `functions/handoff`
  + `templates/legal/` (found at `/var/task/templates/legal`).

`handoff/local` (the local runtime) and the host's bytecode caches never ship. Bytecode for the
runtime's own interpreter does: Lambda's /var/task is read-only, so a bundle without it makes
every cold start compile every module it imports (business_api's imports take about 2.6x as
long from source as from bytecode, measured on the host). The bundle is compiled by a CPython
3.12 found as `HANDOFF_LAMBDA_PYTHON` or `python3.12` on PATH (unchecked-hash .pyc files: the
sources never change under them); with none, it ships sources only and says so.
`python -m infra.bundle` builds both into `build/` for inspection.

CDK calls `PipBundling.try_bundle` through `BundlingOptions(local=...)`; it never returns
False, so CDK never falls back to the Docker image (which the API requires but we do not use).
The asset hash is computed here from the inputs (lock, code, templates, pip arguments), so an
unchanged bundle is not rebuilt and tests that skip bundling do not fingerprint the repository.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

import jsii
from aws_cdk import AssetHashType, BundlingOptions, ILocalBundling
from aws_cdk import aws_lambda as lambda_

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS_DIR = ROOT / "functions"
PACKAGE_DIR = FUNCTIONS_DIR / "handoff"
TEMPLATES_DIR = ROOT / "templates" / "legal"
CORE_LOCK = ROOT / "requirements" / "lambda-core.lock"
DOCUMENTS_LOCK = ROOT / "requirements" / "lambda.lock"

PYTHON_VERSION = "3.12"
PLATFORM = "manylinux2014_aarch64"
RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURE = lambda_.Architecture.ARM_64
# Never shipped: the local runtime, caches, type-checker output.
EXCLUDED = shutil.ignore_patterns("local", "__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")
BUNDLER_VERSION = "1"  # bump to force every bundle to rebuild


def pip_arguments(lock: Path, target: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",  # the host's bytecode would be for the wrong interpreter
        "--no-deps",  # the lock is complete; install exactly it
        "--platform",
        PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        PYTHON_VERSION,
        "--only-binary=:all:",
        "--target",
        str(target),
        "-r",
        str(lock),
    ]


def runtime_python() -> str | None:
    """A CPython of the runtime's version, to compile the bundle's bytecode; None if there is none."""
    for candidate in (os.environ.get("HANDOFF_LAMBDA_PYTHON"), shutil.which(f"python{PYTHON_VERSION}")):
        if candidate and _version_of(candidate) == PYTHON_VERSION:
            return candidate
    return None


@cache
def _version_of(python: str) -> str | None:
    probe = "import sys, platform; print(platform.python_implementation(), *sys.version_info[:2])"
    try:
        found = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=30, check=False)  # noqa: S603
    except OSError:
        return None
    words = found.stdout.split()
    return f"{words[1]}.{words[2]}" if found.returncode == 0 and words[:1] == ["CPython"] else None


def compile_bytecode(python: str, output_dir: Path) -> None:
    subprocess.run(  # noqa: S603 - fixed argv
        [
            python,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            str(output_dir),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


@dataclass(frozen=True)
class BundleSpec:
    """What one bundle holds: a lock file, the package, and optionally the legal templates."""

    name: str
    lock: Path
    with_templates: bool = False

    def source_files(self) -> list[Path]:
        files = [p for p in PACKAGE_DIR.rglob("*") if p.is_file() and _shipped(p.relative_to(PACKAGE_DIR))]
        if self.with_templates:
            files += [p for p in TEMPLATES_DIR.rglob("*") if p.is_file() and not p.name.startswith("~$")]
        return sorted(files)

    def asset_hash(self) -> str:
        """A digest of everything that decides the bundle's content."""
        digest = hashlib.sha256()
        digest.update(f"{BUNDLER_VERSION}|{self.name}|".encode())
        digest.update(" ".join(pip_arguments(Path("lock"), Path("out"))[3:]).encode())
        digest.update(self.lock.read_bytes())
        digest.update(b"bytecode" if runtime_python() else b"sources only")
        for path in self.source_files():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
        return digest.hexdigest()


CORE = BundleSpec("core", CORE_LOCK)
DOCUMENTS = BundleSpec("documents", DOCUMENTS_LOCK, with_templates=True)


def _shipped(relative: Path) -> bool:
    parts = relative.parts
    return not (
        parts[0] == "local" or "__pycache__" in parts or relative.suffix == ".pyc" or parts[0].startswith(".")
    )


def build(spec: BundleSpec, output_dir: Path) -> None:
    """Install the lock's arm64 wheels and copy the code into `output_dir` (which may exist)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(pip_arguments(spec.lock, output_dir), check=True)  # noqa: S603 - fixed argv
    shutil.copytree(PACKAGE_DIR, output_dir / "handoff", ignore=EXCLUDED, dirs_exist_ok=True)
    if spec.with_templates:
        shutil.copytree(
            TEMPLATES_DIR,
            output_dir / "templates" / "legal",
            ignore=shutil.ignore_patterns("~$*"),
            dirs_exist_ok=True,
        )
    for host_cache in output_dir.rglob("__pycache__"):
        shutil.rmtree(host_cache, ignore_errors=True)
    python = runtime_python()
    if python:
        compile_bytecode(python, output_dir)
    else:
        print(
            f"warning: no CPython {PYTHON_VERSION} (HANDOFF_LAMBDA_PYTHON, or python{PYTHON_VERSION} on "
            f"PATH): {output_dir.name} ships without bytecode, so each cold start compiles what it imports",
            file=sys.stderr,
        )


@jsii.implements(ILocalBundling)
class PipBundling:
    """CDK's local bundling hook; jsii passes (output_dir, options) positionally."""

    def __init__(self, spec: BundleSpec) -> None:
        self.spec = spec

    def try_bundle(self, output_dir: str, options: BundlingOptions) -> bool:
        build(self.spec, Path(output_dir))
        return True


def code(spec: BundleSpec) -> lambda_.Code:
    """The Lambda code asset for a bundle, built locally by pip."""
    return lambda_.Code.from_asset(
        str(FUNCTIONS_DIR),
        asset_hash_type=AssetHashType.CUSTOM,
        asset_hash=spec.asset_hash(),
        bundling=BundlingOptions(
            # Required by the API, never used: PipBundling always bundles (or raises).
            image=RUNTIME.bundling_image,
            # jsii calls try_bundle(output_dir, options) positionally; its Python stub spells the
            # options out as keywords, hence the cast.
            local=cast(ILocalBundling, PipBundling(spec)),
        ),
    )


def main() -> None:
    """Build both bundles into build/ and report their sizes."""
    for spec in (CORE, DOCUMENTS):
        out = ROOT / "build" / f"lambda-{spec.name}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.monotonic()
        build(spec, out)
        size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        carries = sorted(p.name for p in out.iterdir() if p.name in {"docxtpl", "lxml", "jinja2"})
        print(
            f"{out.relative_to(ROOT)}: {size / 2**20:.1f} MiB unzipped in {time.monotonic() - started:.1f}s;"
            f" docx stack: {', '.join(carries) or 'none'}"
        )


if __name__ == "__main__":
    main()
