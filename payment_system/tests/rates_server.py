"""A local HTTP server standing in for an exchange-rate provider (the ECB or a JSON API).

``server.answer(status, body, content_type=..., delay=...)`` sets what every GET returns next;
``server.queue(...)`` adds one-shot answers served first (e.g. a 503 before a good answer).
``server.hits`` counts requests.
"""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ECB_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time='{date}'>
{cubes}
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
"""

ECB_RATES = {
    "USD": "1.0800",
    "JPY": "162.50",
    "GBP": "0.84000",
    "CHF": "0.9400",
    "CAD": "1.4700",
    "AUD": "1.6400",
    "SEK": "11.4500",
    "DKK": "7.4600",
    "PLN": "4.3100",
    "KRW": "1475.00",
}


def ecb_xml(rates=None, date="2026-11-23") -> bytes:
    cubes = "\n".join(
        f"\t\t\t<Cube currency='{code}' rate='{rate}'/>"
        for code, rate in (ECB_RATES if rates is None else rates).items()
    )
    return ECB_TEMPLATE.format(date=date, cubes=cubes).encode()


class RateServer:
    def __init__(self):
        self.hits = 0
        self._lock = threading.Lock()
        self._default = (200, ecb_xml(), "application/xml", 0.0)
        self._queue = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/stats/eurofxref/eurofxref-daily.xml"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def answer(self, status, body, content_type="application/xml", delay=0.0):
        with self._lock:
            self._default = (status, body, content_type, delay)

    def queue(self, status, body, content_type="application/xml", delay=0.0):
        with self._lock:
            self._queue.append((status, body, content_type, delay))

    def _next(self):
        with self._lock:
            self.hits += 1
            return self._queue.pop(0) if self._queue else self._default

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                status, body, content_type, delay = server._next()
                body = body.encode() if isinstance(body, str) else body
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        return Handler
