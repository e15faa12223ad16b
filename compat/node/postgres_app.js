// A small typical app on postgres.js (postgres) against DATABASE_URL.
'use strict';
const postgres = require('postgres');
const { feature, check } = require('./report');

(async () => {
  const sql = postgres(process.env.DATABASE_URL, { ssl: false, max: 1, onnotice: () => {} });
  await feature('connect', async () => {
    const [r] = await sql`SELECT version() AS v`;
    check(r.v.startsWith('PostgreSQL'), r.v);
  });
  await feature('schema', async () => {
    await sql`CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL)`;
  });
  await feature('insert', async () => {
    const [a] = await sql`INSERT INTO authors (name) VALUES (${'Ursula'}) RETURNING id`;
    check(a.id === 1, a);
    await sql`INSERT INTO authors (name) VALUES (${'Terry'})`;
    const books = [
      { id: 1, author_id: 1, title: 'Earthsea', price: '9.99' },
      { id: 2, author_id: 1, title: 'Dispossessed', price: '12.50' },
      { id: 10, author_id: 2, title: 'Guards', price: '8' },
    ];
    for (const b of books) {
      await sql`INSERT INTO books (id, author_id, title, price) VALUES (${b.id}, ${b.author_id}, ${b.title}, ${b.price})`;
    }
  });
  await feature('query_by_field', async () => {
    const rows = await sql`SELECT id, title FROM books WHERE title = ${'Guards'}`;
    check(rows.length === 1 && String(rows[0].id) === '10', rows);
  });
  await feature('update', async () => {
    const r = await sql`UPDATE books SET price = ${'13.51'} WHERE id = ${2}`;
    check(r.count === 1, r.count);
  });
  await feature('join', async () => {
    const rows = await sql`SELECT a.name, b.title FROM books b JOIN authors a ON a.id = b.author_id ORDER BY b.id`;
    check(rows.map((x) => x.name).join() === 'Ursula,Ursula,Terry', rows);
  });
  await feature('order_limit_offset', async () => {
    const rows = await sql`SELECT id FROM books ORDER BY id LIMIT ${2} OFFSET ${1}`;
    check(rows.map((x) => String(x.id)).join() === '2,10', rows);
  });
  await feature('count_group_by', async () => {
    const rows = await sql`SELECT author_id, count(*) FROM books GROUP BY author_id ORDER BY author_id`;
    check(String(rows[0].count) === '2', rows);
  });
  await feature('transaction_savepoint', async () => {
    await sql.begin(async (tx) => {
      await tx`INSERT INTO authors (name) VALUES (${'Kept'})`;
      try {
        await tx.savepoint(async (sp) => {
          await sp`INSERT INTO authors (id, name) VALUES (${1}, ${'duplicate'})`;
        });
        throw new Error('duplicate key accepted');
      } catch (e) {
        if (e.message === 'duplicate key accepted') throw e;
      }
    });
    const [r] = await sql`SELECT count(*) AS n FROM authors WHERE name = 'Kept'`;
    check(String(r.n) === '1', r);
  });
  await feature('upsert', async () => {
    for (const value of ['dark', 'light']) {
      await sql`INSERT INTO settings (key, value) VALUES (${'theme'}, ${value}) ON CONFLICT (key) DO UPDATE SET value = excluded.value`;
    }
    const rows = await sql`SELECT key, value FROM settings`;
    check(rows.length === 1 && rows[0].value === 'light', rows);
  });
  await feature('bytea', async () => {
    await sql`INSERT INTO files (id, data) VALUES (${1}, ${Buffer.from([0, 1, 255, 254])})`;
    const [r] = await sql`SELECT data FROM files WHERE id = 1`;
    check(Buffer.compare(Buffer.from(r.data), Buffer.from([0, 1, 255, 254])) === 0, r.data);
  });
  await feature('select_star_refused', async () => {
    try {
      await sql`SELECT * FROM books`;
    } catch (e) {
      check(e.message.includes('no-select-star') && /SELECT id, name FROM/.test(e.hint || ''), e.message);
      return;
    }
    throw new Error('SELECT * accepted');
  });
  await sql.end({ timeout: 5 }).catch(() => {});
})();
