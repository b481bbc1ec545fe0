"""A small HTTP client for the API, used by the demo and the end-to-end tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import requests


class ApiError(Exception):
    def __init__(self, response: requests.Response):
        self.status = response.status_code
        self.problem = response.json() if response.content else {}
        super().__init__(f"{self.status}: {self.problem.get('detail', response.text)}")


@dataclass
class HandoffClient:
    base_url: str
    key: str | None = None

    def request(
        self, method: str, path: str, expect: int | tuple[int, ...] = (200, 201), **kwargs: Any
    ) -> Any:
        headers = kwargs.pop("headers", {})
        if self.key:
            headers.setdefault("Authorization", f"Bearer {self.key}")
        response = requests.request(method, self.base_url + path, headers=headers, timeout=60, **kwargs)
        wanted = (expect,) if isinstance(expect, int) else expect
        if response.status_code not in wanted:
            raise ApiError(response)
        return response.json() if response.content else None

    def as_key(self, key: str) -> HandoffClient:
        return HandoffClient(self.base_url, key)

    def create_tenant(self, profile: dict[str, Any]) -> dict[str, Any]:
        tenant: dict[str, Any] = self.request("POST", "/v1/tenants", json=profile)
        return tenant

    def issue_key(self, kind: str, **owner: str) -> str:
        issued = self.request("POST", "/v1/api-keys", json={"kind": kind, **owner})
        return str(issued["secret"])

    def submit_case(self, case: dict[str, Any], idempotency_key: str | None = None) -> dict[str, Any]:
        headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        created: dict[str, Any] = self.request("POST", "/v1/cases", json=case, headers=headers, expect=201)
        return created
