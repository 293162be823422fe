"""The application behind /app/ in the nginx deployment test.

Answers every GET with plain text naming the path it was asked for and the headers that tell
who the visitor is (X-Gatehouse-*, Cookie, X-Forwarded-For), one "name: value" line each, so
the test can see what nginx let through. Listens on 127.0.0.1 at the port given as the only
argument; standard library only.
"""
import http.server
import sys

SHOWN = ("x-gatehouse-", "cookie", "x-forwarded-for")


class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        lines = ["path: " + self.path]
        for name, value in self.headers.items():
            if name.lower().startswith(SHOWN):
                lines.append(name.lower() + ": " + value)
        body = ("\n".join(lines) + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass  # the test prints what it needs; a line per request is noise


if __name__ == "__main__":
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
