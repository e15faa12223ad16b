# Tries to read the server's data directory (given by the test) and reports what it saw.
import os
from http.server import BaseHTTPRequestHandler, HTTPServer

TARGET = open("TARGET").read().strip()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        try:
            seen = "read: " + ",".join(sorted(os.listdir(TARGET)))
        except Exception as e:
            seen = "refused: " + type(e).__name__
        body = seen.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
