"""A small typical app on SQLAlchemy (Debian python3-sqlalchemy, psycopg2 dialect): Core and ORM."""
import decimal
import os
from sqlalchemy import (Column, ForeignKey, Integer, MetaData, Numeric, String, Table, create_engine, func,
                        select, text)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, declarative_base, relationship
from report import feature, check

engine = create_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://", 1))
Base = declarative_base()


class Author(Base):
    __tablename__ = "authors"
    id = Column(Integer, primary_key=True)
    name = Column(String(100), nullable=False)
    books = relationship("Book", back_populates="author")


class Book(Base):
    __tablename__ = "books"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("authors.id"))
    title = Column(String(200))
    price = Column(Numeric(10, 2))
    author = relationship("Author", back_populates="books")


core = MetaData()
settings = Table("settings", core, Column("key", String(50), primary_key=True), Column("value", String(50)))


@feature("connect")
def connect():
    with engine.connect() as c:
        v = c.execute(text("select version()")).scalar()
        check(v.startswith("PostgreSQL"), v)


@feature("schema")
def schema():
    Base.metadata.create_all(engine)
    core.create_all(engine)


@feature("insert")
def insert():
    with Session(engine) as s:
        ursula = Author(name="Ursula")
        terry = Author(name="Terry")
        s.add_all([ursula, terry,
                   Book(title="Earthsea", price=decimal.Decimal("9.99"), author=ursula),
                   Book(title="Dispossessed", price=decimal.Decimal("12.50"), author=ursula),
                   Book(title="Guards", price=decimal.Decimal("8.00"), author=terry)])
        s.commit()
        check(ursula.id == 1 and terry.id == 2, (ursula.id, terry.id))


@feature("query_by_field")
def query():
    with Session(engine) as s:
        a = s.execute(select(Author.id, Author.name).where(Author.name == "Terry")).one()
        check(a.name == "Terry", a)


@feature("orm_entity_load")
def orm_load():
    # the ORM lists every column by name, so loading entities passes the no-select-star rule
    with Session(engine) as s:
        book = s.scalars(select(Book).where(Book.title == "Guards")).one()
        check(book.author.name == "Terry", book.author.name)


@feature("update")
def update():
    with Session(engine) as s:
        book = s.scalars(select(Book).where(Book.title == "Dispossessed")).one()
        book.price = decimal.Decimal("13.51")
        s.commit()
        check(s.scalar(select(Book.price).where(Book.id == book.id)) == decimal.Decimal("13.51"), "price")


@feature("join")
def join():
    with Session(engine) as s:
        rows = s.execute(select(Author.name, Book.title).join(Book.author).order_by(Book.title)).all()
        check([r.title for r in rows] == ["Dispossessed", "Earthsea", "Guards"], rows)


@feature("order_limit_offset")
def order():
    with Session(engine) as s:
        titles = s.scalars(select(Book.title).order_by(Book.price.desc()).limit(2).offset(1)).all()
        check(titles == ["Earthsea", "Guards"], titles)


@feature("count_group_by")
def count():
    with Session(engine) as s:
        rows = s.execute(select(Book.author_id, func.count(Book.id)).group_by(Book.author_id)
                         .order_by(Book.author_id)).all()
        check([tuple(r) for r in rows] == [(1, 2), (2, 1)], rows)


@feature("transaction_savepoint")
def savepoint():
    with Session(engine) as s:
        s.add(Author(name="Kept"))
        s.flush()
        try:
            with s.begin_nested():
                s.add(Author(id=1, name="duplicate"))
                s.flush()
            raise AssertionError("duplicate key accepted")
        except IntegrityError:
            pass
        s.commit()
        check(s.scalar(select(func.count(Author.id)).where(Author.name == "Kept")) == 1, "kept")


@feature("upsert")
def upsert():
    with engine.begin() as c:
        for value in ("dark", "light"):
            stmt = pg_insert(settings).values(key="theme", value=value)
            c.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": stmt.excluded.value}))
        rows = c.execute(select(settings.c.key, settings.c.value)).all()
        check([tuple(r) for r in rows] == [("theme", "light")], rows)


@feature("core_table_reflection")
def reflection():
    reflected = MetaData()
    reflected.reflect(bind=engine, only=["books"])
    cols = [c.name for c in reflected.tables["books"].columns]
    check(cols == ["id", "author_id", "title", "price"], cols)


@feature("select_star_refused")
def select_star():
    with engine.connect() as c:
        try:
            c.execute(text("SELECT * FROM books"))
            raise AssertionError("SELECT * accepted")
        except DBAPIError as e:
            check("no-select-star" in str(e) and "name the columns" in str(e), str(e))


for step in (connect, schema, insert, query, orm_load, update, join, order, count, savepoint, upsert, reflection,
             select_star):
    step()
