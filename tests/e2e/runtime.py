"""`python -m handoff.local serve` as a separate process, as DESIGN.md §9 describes it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import requests

from handoff.local.aws import free_port
from handoff.local.client import HandoffClient


@contextmanager
def local_runtime(log_level: str = "WARNING", aws_port: int | None = None) -> Iterator[HandoffClient]:
    """The runtime on a free loopback port with a seeded operator key: yields the operator's client.

    `aws_port`: where its moto server listens (so a test can run `python -m handoff.local retention`
    against it, or look into its buckets); a free port otherwise.
    """
    port = free_port()
    key = f"op-{secrets.token_urlsafe(24)}"
    env = {**os.environ, "HANDOFF_OPERATOR_KEY": key, "POWERTOOLS_LOG_LEVEL": log_level}
    aws = ["--aws-port", str(aws_port)] if aws_port else []
    process = subprocess.Popen(
        [sys.executable, "-m", "handoff.local", "serve", "--host", "127.0.0.1", "--port", str(port), *aws],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _healthy(url):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("the local runtime did not start")
            time.sleep(0.2)
        yield HandoffClient(url, key)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/v1/health", timeout=5).status_code == 200
    except requests.RequestException:
        return False
