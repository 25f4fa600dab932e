"""A local fake of DeepSeek's chat-completions API, served on a free port by the tests.

It speaks the real protocol (POST /chat/completions with a bearer key; JSON answers, or
server-sent events when `stream` is true) and records every request so tests can check the body and
headers Lumen sent. Behaviour is scripted per request: queue statuses, delays or canned bodies.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VALID_KEY = "sk-test-lumen"


@dataclass
class Step:
    status: int = 200
    content: str = ""
    chunks: list[str] = field(default_factory=list)
    delay_seconds: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


class FakeDeepSeek:
    def __init__(self) -> None:
        self.steps: deque[Step] = deque()
        self.requests: list[Recorded] = []
        # Answers for requests with no scripted step: (body) -> content
        self.responder: Callable[[dict[str, Any]], str] = lambda body: "{}"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeDeepSeek:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queue(self, *steps: Step) -> None:
        self.steps.extend(steps)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(Recorded(self.path, dict(self.headers.items()), body))
                step = fake.steps.popleft() if fake.steps else Step()
                if step.delay_seconds:
                    time.sleep(step.delay_seconds)
                if self.path != "/chat/completions":
                    self._json(404, {"error": {"message": "Not found"}}, {})
                    return
                if self.headers.get("Authorization") != f"Bearer {VALID_KEY}":
                    self._json(
                        401,
                        {"error": {"message": "Authentication Fails", "type": "auth"}},
                        {},
                    )
                    return
                if step.status != 200:
                    self._json(
                        step.status, {"error": {"message": f"fake {step.status}"}}, step.headers
                    )
                    return
                if body.get("stream"):
                    self._stream(step, body)
                    return
                content = step.content or fake.responder(body)
                self._json(
                    200,
                    {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion",
                        "model": body.get("model"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": content},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": {
                            "prompt_tokens": 100,
                            "completion_tokens": 20,
                            "total_tokens": 120,
                        },
                    },
                    {},
                )

            def _stream(self, step: Step, body: dict[str, Any]) -> None:
                chunks = step.chunks or [fake.responder(body)]
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b": keep-alive\n\n")
                for chunk in chunks:
                    event = {
                        "id": "chatcmpl-fake",
                        "object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": {"content": chunk}}],
                    }
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                usage = {
                    "choices": [],
                    "usage": {"prompt_tokens": 50, "completion_tokens": len(chunks)},
                }
                self.wfile.write(f"data: {json.dumps(usage)}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()
                self.close_connection = True

        return Handler
