// A small typical app on Drizzle ORM (node-postgres driver) against DATABASE_URL.
'use strict';
const { drizzle } = require('drizzle-orm/node-postgres');
const { pgTable, serial, text, integer, numeric } = require('drizzle-orm/pg-core');
const { eq, desc, count, sql } = require('drizzle-orm');
const { Pool } = require('pg');
const { feature, check } = require('./report');

const authors = pgTable('authors', { id: serial('id').primaryKey(), name: text('name').notNull() });
const books = pgTable('books', {
  id: serial('id').primaryKey(),
  authorId: integer('author_id').references(() => authors.id),
  title: text('title'),
  price: numeric('price', { precision: 10, scale: 2 }),
});
const settings = pgTable('settings', { key: text('key').primaryKey(), value: text('value') });
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
const db = drizzle(pool);

(async () => {
  await feature('connect', async () => {
    const r = await db.execute(sql`select 1 as one`);
    check(r.rows[0].one === 1, r.rows);
  });
  await feature('schema', async () => {
    // drizzle-kit would generate this DDL; the ORM itself runs it as SQL
    await db.execute(sql`CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL)`);
    await db.execute(sql`CREATE TABLE books (id serial PRIMARY KEY, author_id integer REFERENCES authors (id), title text, price numeric(10, 2))`);
    await db.execute(sql`CREATE TABLE settings (key text PRIMARY KEY, value text)`);
  });
  await feature('insert', async () => {
    const [u] = await db.insert(authors).values({ name: 'Ursula' }).returning({ id: authors.id });
    await db.insert(authors).values({ name: 'Terry' });
    await db.insert(books).values([
      { authorId: 1, title: 'Earthsea', price: '9.99' },
      { authorId: 1, title: 'Dispossessed', price: '12.50' },
      { authorId: 2, title: 'Guards', price: '8' },
    ]);
    check(u.id === 1, u);
  });
  await feature('query_by_field', async () => {
    // drizzle's select() lists every column by name
    const rows = await db.select().from(authors).where(eq(authors.name, 'Terry'));
    check(rows.length === 1 && rows[0].id === 2, rows);
  });
  await feature('update', async () => {
    await db.update(books).set({ price: '13.51' }).where(eq(books.title, 'Dispossessed'));
    const [b] = await db.select({ price: books.price }).from(books).where(eq(books.title, 'Dispossessed'));
    check(b.price === '13.51', b);
  });
  await feature('join', async () => {
    const rows = await db.select({ name: authors.name, title: books.title }).from(books)
      .innerJoin(authors, eq(authors.id, books.authorId)).orderBy(books.id);
    check(rows.map((r) => r.name).join() === 'Ursula,Ursula,Terry', rows);
  });
  await feature('order_limit_offset', async () => {
    const rows = await db.select({ title: books.title }).from(books).orderBy(desc(books.price)).limit(2).offset(1);
    check(rows.map((r) => r.title).join() === 'Earthsea,Guards', rows);
  });
  await feature('count_group_by', async () => {
    const rows = await db.select({ authorId: books.authorId, n: count() }).from(books)
      .groupBy(books.authorId).orderBy(books.authorId);
    check(Number(rows[0].n) === 2, rows);
  });
  await feature('transaction_savepoint', async () => {
    await db.transaction(async (tx) => {
      await tx.insert(authors).values({ name: 'Kept' });
      try {
        await tx.transaction(async (inner) => {
          await inner.insert(authors).values({ id: 1, name: 'duplicate' });
        });
        throw new Error('duplicate key accepted');
      } catch (e) {
        if (e.message === 'duplicate key accepted') throw e;
      }
    });
    const [r] = await db.select({ n: count() }).from(authors).where(eq(authors.name, 'Kept'));
    check(Number(r.n) === 1, r);
  });
  await feature('upsert', async () => {
    for (const value of ['dark', 'light']) {
      await db.insert(settings).values({ key: 'theme', value }).onConflictDoUpdate({ target: settings.key, set: { value } });
    }
    const rows = await db.select().from(settings);
    check(rows.length === 1 && rows[0].value === 'light', rows);
  });
  await feature('select_star_refused', async () => {
    try {
      await db.execute(sql`SELECT * FROM books`);
    } catch (e) {
      check(e.message.includes('no-select-star'), e.message);
      return;
    }
    throw new Error('SELECT * accepted');
  });
  await pool.end();
})();
