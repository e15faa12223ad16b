# Answers one request, then exits (crashes).
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ("pid %d" % os.getpid()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        print("crashing after this request", flush=True)
        os._exit(3)


HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
