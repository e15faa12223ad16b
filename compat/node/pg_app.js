// A small typical app on node-postgres (pg) against DATABASE_URL.
'use strict';
const { Client } = require('pg');
const { feature, check } = require('./report');

(async () => {
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await feature('connect', async () => {
    await db.connect();
    const r = await db.query('SELECT version() AS v');
    check(r.rows[0].v.startsWith('PostgreSQL'), r.rows[0].v);
  });
  await feature('schema', async () => {
    await db.query('CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL)');
  });
  await feature('insert', async () => {
    const a = await db.query('INSERT INTO authors (name) VALUES ($1) RETURNING id', ['Ursula']);
    check(a.rows[0].id === 1, a.rows);
    await db.query('INSERT INTO authors (name) VALUES ($1)', ['Terry']);
    // no schema: the layer creates books from the values, typed from their text
    await db.query('INSERT INTO books (id, author_id, title, price, published) VALUES ($1, $2, $3, $4, $5)',
      [1, 1, 'Earthsea', '9.99', new Date(Date.UTC(1968, 10, 1))]);
    await db.query('INSERT INTO books (id, author_id, title, price, published) VALUES ($1, $2, $3, $4, $5)',
      [2, 1, 'Dispossessed', '12.50', new Date(Date.UTC(1974, 4, 1))]);
    await db.query('INSERT INTO books (id, author_id, title, price, published) VALUES ($1, $2, $3, $4, $5)',
      [10, 2, 'Guards', '8', new Date(Date.UTC(1989, 0, 1))]);
  });
  await feature('query_by_field', async () => {
    const r = await db.query('SELECT id, title, published FROM books WHERE title = $1', ['Guards']);
    check(r.rows.length === 1 && r.rows[0].id === '10', r.rows);
    check(r.rows[0].published instanceof Date && r.rows[0].published.getUTCFullYear() === 1989, r.rows);
  });
  await feature('update', async () => {
    const r = await db.query('UPDATE books SET price = $1 WHERE id = $2', ['13.51', 2]);
    check(r.rowCount === 1, r.rowCount);
  });
  await feature('join', async () => {
    const r = await db.query('SELECT a.name, b.title FROM books b JOIN authors a ON a.id = b.author_id ORDER BY b.id');
    check(r.rows.map((x) => x.name).join() === 'Ursula,Ursula,Terry', r.rows);
  });
  await feature('order_limit_offset', async () => {
    const r = await db.query('SELECT id FROM books ORDER BY id LIMIT $1 OFFSET $2', [2, 1]);
    check(r.rows.map((x) => x.id).join() === '2,10', r.rows);
  });
  await feature('count_group_by', async () => {
    const r = await db.query('SELECT author_id, count(*), sum(price) FROM books GROUP BY author_id ORDER BY author_id');
    check(r.rows[0].count === '2' && Number(r.rows[0].sum) === 23.5, r.rows);
  });
  await feature('transaction_savepoint', async () => {
    await db.query('BEGIN');
    await db.query('INSERT INTO authors (name) VALUES ($1)', ['Kept']);
    await db.query('SAVEPOINT s1');
    try {
      await db.query('INSERT INTO authors (id, name) VALUES ($1, $2)', [1, 'duplicate']);
      throw new Error('duplicate key accepted');
    } catch (e) {
      if (e.message === 'duplicate key accepted') throw e;
      await db.query('ROLLBACK TO SAVEPOINT s1');
    }
    await db.query('COMMIT');
    const r = await db.query("SELECT count(*) AS n FROM authors WHERE name = 'Kept'");
    check(r.rows[0].n === '1', r.rows);
  });
  await feature('upsert', async () => {
    const sql = 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value';
    await db.query(sql, ['theme', 'dark']);
    await db.query(sql, ['theme', 'light']);
    const r = await db.query('SELECT key, value FROM settings');
    check(r.rows.length === 1 && r.rows[0].value === 'light', r.rows);
  });
  await feature('bytea', async () => {
    await db.query('INSERT INTO files (id, data) VALUES ($1, $2)', [1, Buffer.from([0, 1, 255, 254])]);
    const r = await db.query('SELECT data FROM files WHERE id = 1');
    check(Buffer.compare(r.rows[0].data, Buffer.from([0, 1, 255, 254])) === 0, r.rows[0].data);
  });
  await feature('json_and_arrays', async () => {
    await db.query('INSERT INTO docs (id, body, tags) VALUES ($1, $2::jsonb, $3::int[])', [1, { a: 1 }, [4, 5]]);
    const r = await db.query('SELECT body, tags FROM docs WHERE id = 1');
    check(r.rows[0].body.a === 1 && r.rows[0].tags.join() === '4,5', r.rows);
  });
  await feature('select_star_refused', async () => {
    try {
      await db.query('SELECT * FROM books');
    } catch (e) {
      check(e.message.includes('no-select-star') && /SELECT id, name FROM/.test(e.hint || ''), e.message);
      return;
    }
    throw new Error('SELECT * accepted');
  });
  await db.end().catch(() => {});
})();
