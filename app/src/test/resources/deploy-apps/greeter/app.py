import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def greeting():
    return "hello from " + open("VERSION").read().strip()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = greeting().encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
