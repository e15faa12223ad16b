"""psql (the command-line client) against DATABASE_URL: a typical session and its meta-commands."""
import os
import subprocess
from report import feature, check

URL = os.environ["DATABASE_URL"]


def psql(*commands, expect_ok=True):
    args = ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", URL]
    for c in commands:
        args += ["-c", c]
    run = subprocess.run(args, capture_output=True, text=True, timeout=60)
    if expect_ok and run.returncode != 0:
        raise AssertionError("exit %d: %s" % (run.returncode, (run.stderr or run.stdout).strip()))
    return run.stdout + run.stderr


@feature("connect")
def connect():
    out = psql("SELECT 1 AS one")
    check("(1 row)" in out, out)


@feature("schema")
def schema():
    psql("CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL)",
         "CREATE TABLE books (id bigserial PRIMARY KEY, author_id integer REFERENCES authors (id), title text,"
         " price numeric(10, 2))")


@feature("insert")
def insert():
    out = psql("INSERT INTO authors (name) VALUES ('Ursula'), ('Terry') RETURNING id",
               "INSERT INTO books (author_id, title, price) VALUES (1, 'Earthsea', 9.99), (1, 'Dispossessed', 12.50),"
               " (2, 'Guards', 8)")
    check("INSERT 0 3" in out, out)


@feature("query_by_field")
def query():
    out = psql("SELECT id, name FROM authors WHERE name = 'Terry'")
    check("Terry" in out and "(1 row)" in out, out)


@feature("update")
def update():
    out = psql("UPDATE books SET price = 13.51 WHERE title = 'Dispossessed'")
    check("UPDATE 1" in out, out)


@feature("join")
def join():
    out = psql("SELECT a.name, b.title FROM books b JOIN authors a ON a.id = b.author_id ORDER BY b.title")
    check("(3 rows)" in out, out)


@feature("order_limit_offset")
def order():
    out = psql("SELECT title FROM books ORDER BY price DESC LIMIT 2 OFFSET 1")
    check(out.index("Earthsea") < out.index("Guards"), out)


@feature("count_group_by")
def count():
    out = psql("SELECT author_id, count(*) FROM books GROUP BY author_id ORDER BY author_id")
    check(" count" in out and "(2 rows)" in out, out)


@feature("transaction_savepoint")
def savepoint():
    out = psql("BEGIN; INSERT INTO authors (name) VALUES ('Kept'); SAVEPOINT s1;"
               " INSERT INTO authors (name) VALUES ('Gone'); ROLLBACK TO SAVEPOINT s1; COMMIT",
               "SELECT name FROM authors ORDER BY id")
    check("Kept" in out and "Gone" not in out, out)


@feature("upsert")
def upsert():
    out = psql("INSERT INTO settings (key, value) VALUES ('theme', 'dark') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               "INSERT INTO settings (key, value) VALUES ('theme', 'light') ON CONFLICT (key) DO UPDATE SET value = excluded.value",
               "SELECT key, value FROM settings")
    check("light" in out and "dark" not in out, out)


@feature("copy")
def copy():
    run = subprocess.run(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", URL, "-c", "COPY tags (id, name) FROM STDIN"],
                         input="1\tfantasy\n2\tsatire\n\\.\n", capture_output=True, text=True, timeout=60)
    check(run.returncode == 0 and "COPY 2" in run.stdout, run.stdout + run.stderr)
    out = psql("COPY (SELECT id, name FROM tags ORDER BY id) TO STDOUT")
    check(out == "1\tfantasy\n2\tsatire\n", repr(out))


def meta(name, command, *expected):
    @feature(name)
    def run():
        out = psql(command)
        for e in expected:
            check(e in out, "%r not in %s" % (e, out))
    return run


@feature("select_star_refused")
def select_star():
    out = psql("SELECT * FROM books", expect_ok=False)
    check("no-select-star" in out and "HINT:" in out, out)


steps = [connect, schema, insert, query, update, join, order, count, savepoint, upsert, copy, select_star,
         meta("meta_dt", "\\dt", "authors", "books"),
         meta("meta_d_table", "\\d books", "title", "author_id"),
         meta("meta_d", "\\d", "authors"),
         meta("meta_l", "\\l", "Name"),
         meta("meta_dn", "\\dn", "public"),
         meta("meta_di", "\\di", "List of"),
         meta("meta_du", "\\du", "Role name"),
         meta("meta_df", "\\df", "List of functions")]
for step in steps:
    step()
