"""A business's webhook receiver for the demo: verifies each delivery with standardwebhooks."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import requests
from standardwebhooks.webhooks import Webhook


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.received: list[dict[str, Any]] = []
        self.rejected = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                try:
                    event = Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                    receiver.received.append(event)
                    self.send_response(204)
                except Exception:  # any verification failure: refuse, as a real receiver would
                    receiver.rejected += 1
                    self.send_response(401)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/hooks"

    def start(self) -> Receiver:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self


def signed_post(url: str, secret: str, message_id: str, body: dict[str, Any]) -> requests.Response:
    """What a partner's system does: sign the body per Standard Webhooks and POST it."""
    payload = json.dumps(body)
    now = datetime.now(UTC)
    signature = Webhook(secret).sign(message_id or str(uuid.uuid4()), now, payload)
    headers = {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
        "Content-Type": "application/json",
    }
    return requests.post(url, data=payload, headers=headers, timeout=30)
