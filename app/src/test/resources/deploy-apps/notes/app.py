import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import psycopg2


def db():
    connection = psycopg2.connect(os.environ["DATABASE_URL"])
    connection.autocommit = True
    return connection.cursor()


class Handler(BaseHTTPRequestHandler):
    def answer(self, text):
        body = text.encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/":
            self.answer("version " + open("VERSION").read().strip())
        elif self.path == "/notes":
            cur = db()
            cur.execute("SELECT body FROM notes ORDER BY id")
            self.answer(",".join(row[0] for row in cur.fetchall()))
        elif self.path == "/fill":
            cur = db()
            try:
                for i in range(100):
                    cur.execute(
                        "INSERT INTO blobs (id, data) VALUES (%s, %s)",
                        (i, os.urandom(200000).hex()),
                    )
                self.answer("never refused")
            except psycopg2.Error as e:
                self.answer("refused " + str(e.pgcode) + " " + str(e).strip())
        elif self.path == "/count":
            cur = db()
            cur.execute("SELECT count(id) FROM blobs")
            self.answer(str(cur.fetchone()[0]))
        else:
            self.answer("unknown " + self.path)

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        cur = db()
        cur.execute("INSERT INTO notes (id, body) VALUES (%s, %s)", (len(body), body))
        self.answer("stored")


ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
