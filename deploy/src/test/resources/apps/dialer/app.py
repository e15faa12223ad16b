# Dials what the test names from inside its deployment and reports whether the connection opened.
import os
import socket
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PORT = int(os.environ["PORT"])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/port":
            seen = str(PORT)
        else:
            query = parse_qs(url.query)
            host, port = query["host"][0], int(query["port"][0])
            try:
                socket.create_connection((host, port), timeout=3).close()
                seen = "reached"
            except Exception as e:
                seen = "failed: " + type(e).__name__
        body = seen.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
