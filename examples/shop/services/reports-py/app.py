"""Reports service: daily sales summaries over plain HTTP (standard library only)."""

import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SALES = [
    {"productId": 1, "units": 12, "revenueCents": 21600},
    {"productId": 2, "units": 30, "revenueCents": 36000},
    {"productId": 3, "units": 4, "revenueCents": 10000},
]


def summary():
    return {
        "orders": len(SALES),
        "units": sum(row["units"] for row in SALES),
        "revenueCents": sum(row["revenueCents"] for row in SALES),
    }


class Handler(BaseHTTPRequestHandler):
    def _send_json(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/health":
            self._send_json(200, {"status": "ok"})
        elif self.path == "/reports/daily":
            self._send_json(200, summary())
        else:
            self._send_json(404, {"error": "not found"})


def main():
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(f"reports listening on port {port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
