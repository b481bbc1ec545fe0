"""`python -m handoff.local serve`: the API on a loopback port, with docs at /docs."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from handoff.local.aws import LocalAws, start_local_aws
from handoff.local.gateway import dispatch


@cache
def _docs_html() -> str:
    from aws_lambda_powertools.event_handler.openapi.swagger_ui.html import generate_swagger_html

    from handoff.contracts import openapi_document

    assets = files("aws_lambda_powertools.event_handler.openapi.swagger_ui")
    return generate_swagger_html(
        spec=json.dumps(openapi_document()),
        swagger_js=assets.joinpath("swagger-ui-bundle.min.js").read_text(),
        swagger_css=assets.joinpath("swagger-ui.min.css").read_text(),
        swagger_base_url="",
        oauth2_config=None,
        persist_authorization=True,
    )


def application(environ: dict[str, Any], start_response: Any) -> Any:
    request = Request(environ)
    if request.path == "/docs":
        response = Response(_docs_html(), content_type="text/html")
    elif request.path == "/openapi.json":
        from handoff.contracts import openapi_document

        response = Response(json.dumps(openapi_document()), content_type="application/json")
    else:
        response = dispatch(request)
    return response(environ, start_response)


@dataclass
class LocalStack:
    """The whole product on this machine: moto for AWS, and the API over HTTP."""

    aws: LocalAws
    http: BaseWSGIServer
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.http.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LocalStack:
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.aws.stop()


def start_stack(host: str = "127.0.0.1", port: int = 0, aws_port: int | None = None) -> LocalStack:
    """Start AWS (moto, on `aws_port` or a free one) and the API; seed `HANDOFF_OPERATOR_KEY` if set."""
    from handoff.local.seed import seed_operator_key

    http = make_server(host, port, application, threaded=True)  # bind first: the port is ours
    aws = start_local_aws(aws_port)
    operator_key = os.environ.get("HANDOFF_OPERATOR_KEY")
    if operator_key:
        seed_operator_key(operator_key)
    return LocalStack(aws, http)
