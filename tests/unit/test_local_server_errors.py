"""The local runtime's own failures are problem documents too (the HTTP-level ones: tests/e2e)."""

from __future__ import annotations

import pytest
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.test import Client
from werkzeug.wrappers import Request

from handoff.local import server

PROBLEM = "application/problem+json"


@pytest.mark.parametrize(
    ("raised", "status", "slug"),
    [
        (RuntimeError("the gateway broke"), 500, "internal-error"),
        (RequestEntityTooLarge(), 413, "payload-too-large"),
    ],
)
def test_an_error_in_the_gateway_is_answered_as_a_problem(
    monkeypatch: pytest.MonkeyPatch, raised: Exception, status: int, slug: str
) -> None:
    def dispatch(request: Request) -> None:
        raise raised

    monkeypatch.setattr(server, "dispatch", dispatch)

    response = Client(server.application).post("/v1/cases", data="{}")

    assert (response.status_code, response.content_type) == (status, PROBLEM)
    assert response.json is not None and response.json["type"].endswith(f"/{slug}")
    assert "the gateway broke" not in response.get_data(as_text=True)
