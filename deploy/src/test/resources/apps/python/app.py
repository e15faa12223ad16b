# A small deployed app: its version, headers it was given, uploads, streaming, and its database.
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = open("VERSION").read().strip()
released = threading.Event()


def db():
    import psycopg2  # Debian python3-psycopg2

    return psycopg2.connect(os.environ["DATABASE_URL"])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def send_text(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/":
            self.send_text(200, "version " + VERSION)
        elif self.path == "/headers":
            names = ["Host", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Via"]
            self.send_text(200, json.dumps({n: self.headers.get(n) for n in names}))
        elif self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\nfirst\r\n")
            self.wfile.flush()
            released.wait(30)
            released.clear()
            self.wfile.write(b"6\r\nsecond\r\n0\r\n\r\n")
        elif self.path == "/release":
            released.set()
            self.send_text(200, "released")
        elif self.path == "/notes":
            with db() as c, c.cursor() as cur:
                cur.execute("SELECT body FROM notes ORDER BY id")
                self.send_text(200, "\n".join(r[0] for r in cur.fetchall()))
        elif self.path == "/fill":
            # Writes 1 MB rows until the database refuses; answers what it said.
            conn = db()
            conn.autocommit = True
            cur = conn.cursor()
            try:
                for i in range(1000):
                    cur.execute("INSERT INTO blobs (id, data) VALUES (%s, %s)", (i, "x" * 1_000_000))
                self.send_text(200, "never refused")
            except Exception as e:
                self.send_text(200, "refused %s %s" % (getattr(e, "pgcode", "?"), e))
        elif self.path == "/count":
            with db() as c, c.cursor() as cur:
                cur.execute("SELECT count(id) FROM blobs")
                self.send_text(200, str(cur.fetchone()[0]))
        else:
            self.send_text(404, "no " + self.path)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        if self.path == "/notes":
            body = self.rfile.read(length).decode()
            with db() as c, c.cursor() as cur:
                cur.execute("INSERT INTO notes (id, body) VALUES (%s, %s)", (len(body) + os.getpid(), body))
            self.send_text(201, "stored")
        else:
            total = 0
            while total < length:
                chunk = self.rfile.read(min(65536, length - total))
                if not chunk:
                    break
                total += len(chunk)
            self.send_text(200, "received %d" % total)

    def log_message(self, fmt, *args):
        sys.stderr.write("request " + (fmt % args) + "\n")


ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
