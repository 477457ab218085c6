"""A local HTTP server standing in for api.stripe.com in tests.

The real `stripe` library talks to it over HTTP (``STRIPE_API_BASE``), so the adapter code runs
exactly as in production; every request is recorded (method, path, form fields, idempotency key)
for assertions. Tests declare the answers they need with ``fake.on(method, path_regex, handler)``;
a handler receives the ``RecordedRequest`` and returns ``(status, json_body)``. Unrouted requests
answer 404 with a Stripe-style error.

``sign_webhook`` signs a payload exactly as Stripe does (``Stripe-Signature: t=...,v1=...``).
"""

import hashlib
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict
    headers: dict
    form: dict = field(default_factory=dict)

    @property
    def idempotency_key(self):
        return self.headers.get("idempotency-key")

    @property
    def stripe_account(self):
        return self.headers.get("stripe-account")


class FakeStripe:
    def __init__(self):
        self.requests: list[RecordedRequest] = []
        self._routes = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def reset(self):
        with self._lock:
            self.requests.clear()
            self._routes.clear()

    def on(self, method, path_pattern, handler):
        """Answer ``method`` requests whose path matches ``path_pattern`` (a full-match regex).

        ``handler`` is a callable ``(request, match) -> (status, body)`` or a fixed ``(status, body)``.
        Later routes take precedence over earlier ones.
        """
        with self._lock:
            self._routes.insert(0, (method.upper(), re.compile(path_pattern), handler))

    def requests_to(self, method, path_pattern):
        pattern = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method.upper() and pattern.fullmatch(r.path)]

    def _dispatch(self, request):
        with self._lock:
            self.requests.append(request)
            routes = list(self._routes)
        for method, pattern, handler in routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                return handler(request, match) if callable(handler) else handler
        return 404, {"error": {"type": "invalid_request_error", "message": f"No fake for {request.path}"}}

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                request = RecordedRequest(
                    method=self.command,
                    path=parts.path,
                    query=dict(parse_qsl(parts.query)),
                    headers={k.lower(): v for k, v in self.headers.items()},
                    form=dict(parse_qsl(body, keep_blank_values=True)),
                )
                status, payload = fake._dispatch(request)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", f"req_fake_{len(fake.requests)}")
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_DELETE = _handle

            def log_message(self, *args):
                pass

        return Handler


def sign_webhook(payload: bytes | str, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload`` with ``secret``."""
    if isinstance(payload, str):
        payload = payload.encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signed = f"{timestamp}.".encode() + payload
    signature = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={signature}"


def event(event_type, obj, *, event_id=None, created=None, account=None):
    """A Stripe event envelope around ``obj``."""
    body = {
        "id": event_id
        or f"evt_{hashlib.sha1(json.dumps([event_type, obj], sort_keys=True).encode()).hexdigest()[:24]}",  # noqa: S324
        "object": "event",
        "type": event_type,
        "created": created or int(time.time()),
        "livemode": False,
        "api_version": "2024-06-20",
        "data": {"object": obj},
    }
    if account:
        body["account"] = account
    return body
