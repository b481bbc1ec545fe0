"""`python -m handoff.local serve`: the API on a loopback port, with docs at /docs."""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from importlib.resources import files
from typing import Any

from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from handoff.handlers.problems import PROBLEM_CONTENT_TYPE, problem, slug_for_status
from handoff.local.aws import LocalAws, start_local_aws
from handoff.local.gateway import GATEWAY_MAX_BODY, dispatch, problem_page
from handoff.observability import logger


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


class GatewayRequest(Request):
    max_content_length = GATEWAY_MAX_BODY  # also bounds bodies sent without a Content-Length


def application(environ: dict[str, Any], start_response: Any) -> Any:
    """Every answer is the product's: its pages, or problem+json for any error (never an HTML page)."""
    request = GatewayRequest(environ)
    try:
        if request.path == "/docs":
            response = Response(_docs_html(), content_type="text/html")
        elif request.path == "/openapi.json":
            from handoff.contracts import openapi_document

            response = Response(json.dumps(openapi_document()), content_type="application/json")
        else:
            response = dispatch(request)
    except HTTPException as exc:  # werkzeug's own, e.g. a chunked body over the limit
        response = problem_page(exc.code or 400, exc.description or "bad request")
    except Exception:
        logger.exception("local gateway failed")
        response = problem_page(500, "something went wrong on our side; it has been logged")
    return response(environ, start_response)


class ProblemRequestHandler(WSGIRequestHandler):
    """The HTTP server's own errors (header lines too long, too many headers, a request line it
    cannot parse, ...) as problem+json instead of http.server's HTML page."""

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        detail = message or explain or HTTPStatus(code).phrase
        body = json.dumps(problem(code, slug_for_status(code), detail)).encode()
        self.log_error("code %d, message %s", code, detail)
        if self.request_version not in ("HTTP/1.0", "HTTP/1.1"):
            self.request_version = "HTTP/1.1"  # answer an unreadable request line with headers too
        self.send_response(code, message)
        self.send_header("Connection", "close")
        self.send_header("Content-Type", PROBLEM_CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


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

    http = make_server(
        host, port, application, threaded=True, request_handler=ProblemRequestHandler
    )  # bind first: the port is ours
    aws = start_local_aws(aws_port)
    operator_key = os.environ.get("HANDOFF_OPERATOR_KEY")
    if operator_key:
        seed_operator_key(operator_key)
    return LocalStack(aws, http)
