"""A small typical app on psycopg2 (Debian python3-psycopg2) against DATABASE_URL."""
import decimal
import os
import psycopg2
import psycopg2.extras
from report import feature, check

conn = psycopg2.connect(os.environ["DATABASE_URL"])


@feature("connect")
def connect():
    with conn.cursor() as c:
        c.execute("SELECT version()")
        v = c.fetchone()[0]
        check(v.startswith("PostgreSQL"), v)
    conn.commit()


@feature("schema")
def schema():
    with conn.cursor() as c:
        c.execute("CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL, born date)")
        c.execute("CREATE TABLE books (id bigserial PRIMARY KEY, author_id integer REFERENCES authors (id),"
                  " title text, price numeric(10, 2), cover bytea, tags text[])")
    conn.commit()


@feature("insert")
def insert():
    with conn.cursor() as c:
        c.execute("INSERT INTO authors (name, born) VALUES (%s, %s) RETURNING id", ("Ursula", "1929-10-21"))
        ursula = c.fetchone()[0]
        c.execute("INSERT INTO authors (name) VALUES (%s) RETURNING id", ("Terry",))
        terry = c.fetchone()[0]
        rows = [(ursula, "A Wizard of Earthsea", decimal.Decimal("9.99")),
                (ursula, "The Dispossessed", decimal.Decimal("12.50")),
                (terry, "Guards! Guards!", decimal.Decimal("8.00"))]
        psycopg2.extras.execute_values(c, "INSERT INTO books (author_id, title, price) VALUES %s", rows)
        check(ursula == 1 and terry == 2, "ids %s %s" % (ursula, terry))
    conn.commit()


@feature("query_by_field")
def query():
    with conn.cursor() as c:
        c.execute("SELECT id, name, born FROM authors WHERE name = %s", ("Ursula",))
        row = c.fetchone()
        check(row[1] == "Ursula" and str(row[2]) == "1929-10-21", row)


@feature("update")
def update():
    with conn.cursor() as c:
        c.execute("UPDATE books SET price = price + %s WHERE title = %s", (decimal.Decimal("1.01"), "The Dispossessed"))
        check(c.rowcount == 1, c.rowcount)
        c.execute("SELECT price FROM books WHERE title = %s", ("The Dispossessed",))
        check(c.fetchone()[0] == decimal.Decimal("13.51"), "price")
    conn.commit()


@feature("join")
def join():
    with conn.cursor() as c:
        c.execute("SELECT a.name, b.title FROM books b JOIN authors a ON a.id = b.author_id ORDER BY b.title")
        rows = c.fetchall()
        check(rows[1] == ("Terry", "Guards! Guards!"), rows)


@feature("order_limit_offset")
def order():
    with conn.cursor() as c:
        c.execute("SELECT title FROM books ORDER BY price DESC LIMIT %s OFFSET %s", (2, 1))
        check([r[0] for r in c.fetchall()] == ["A Wizard of Earthsea", "Guards! Guards!"], "order")


@feature("count_group_by")
def count():
    with conn.cursor() as c:
        c.execute("SELECT author_id, count(*) FROM books GROUP BY author_id ORDER BY author_id")
        check(c.fetchall() == [(1, 2), (2, 1)], "counts")
        check(c.description[1].name == "count", c.description[1].name)


@feature("transaction_savepoint")
def savepoint():
    with conn.cursor() as c:
        c.execute("INSERT INTO authors (name) VALUES ('Kept')")
        c.execute("SAVEPOINT before_bad")
        try:
            c.execute("INSERT INTO authors (id, name) VALUES (1, 'duplicate')")
            raise AssertionError("duplicate key accepted")
        except psycopg2.IntegrityError:
            c.execute("ROLLBACK TO SAVEPOINT before_bad")
        c.execute("RELEASE SAVEPOINT before_bad")
    conn.commit()
    with conn.cursor() as c:
        c.execute("SELECT count(*) FROM authors WHERE name = 'Kept'")
        check(c.fetchone()[0] == 1, "kept row")


@feature("upsert")
def upsert():
    with conn.cursor() as c:
        c.execute("INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  ("theme", "dark"))
        c.execute("INSERT INTO settings (key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                  ("theme", "light"))
        c.execute("SELECT key, value FROM settings")
        check(c.fetchall() == [("theme", "light")], "upsert")
    conn.commit()


@feature("bytea")
def bytea():
    with conn.cursor() as c:
        c.execute("UPDATE books SET cover = %s WHERE id = 1", (psycopg2.Binary(b"\x00\x01\xff\xfe"),))
        c.execute("SELECT cover FROM books WHERE id = 1")
        got = bytes(c.fetchone()[0])
        check(got == b"\x00\x01\xff\xfe", got)
    conn.commit()


@feature("numeric_precision")
def numeric():
    with conn.cursor() as c:
        c.execute("INSERT INTO measures (id, v) VALUES (1, %s)", (decimal.Decimal("1.1234567891234"),))
        c.execute("SELECT v FROM measures WHERE id = 1")
        got = c.fetchone()[0]
        check(got == decimal.Decimal("1.1234567891234"), got)
    conn.commit()


@feature("dollar_quotes")
def dollar():
    with conn.cursor() as c:
        c.execute("INSERT INTO notes (id, body) VALUES (1, 'x')")
        c.execute("INSERT INTO notes (id, body) VALUES (2, $$it's here$$)")
        c.execute("SELECT body FROM notes WHERE id = 2")
        got = c.fetchone()[0]
        check(got == "it's here", got)
    conn.commit()


@feature("named_cursor")
def named_cursor():
    with conn.cursor(name="books_cursor") as c:
        c.itersize = 2
        c.execute("SELECT id, title FROM books ORDER BY id")
        titles = [r[1] for r in c]
        check(len(titles) == 3, titles)
    conn.commit()


@feature("copy")
def copy():
    import io
    with conn.cursor() as c:
        c.copy_expert("COPY tags (id, name) FROM STDIN", io.StringIO("1\tfantasy\n2\tsatire\n3\t\\N\n"))
        out = io.StringIO()
        c.copy_expert("COPY (SELECT id, name FROM tags ORDER BY id) TO STDOUT", out)
        check(out.getvalue() == "1\tfantasy\n2\tsatire\n3\t\\N\n", repr(out.getvalue()))
    conn.commit()


@feature("select_star_refused")
def select_star():
    with conn.cursor() as c:
        try:
            c.execute("SELECT * FROM books")
            raise AssertionError("SELECT * accepted")
        except psycopg2.Error as e:
            conn.rollback()
            check("no-select-star" in str(e) and "name the columns" in str(e).lower(), str(e))


for step in (connect, schema, insert, query, update, join, order, count, savepoint, upsert, bytea, numeric,
             dollar, named_cursor, copy, select_star):
    if not step():
        conn.rollback()
