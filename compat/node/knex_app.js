// A small typical app on knex (pg client) against DATABASE_URL: its schema builder and query builder.
'use strict';
const { feature, check } = require('./report');
const knex = require('knex')({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 0, max: 1 } });

(async () => {
  await feature('connect', async () => {
    const r = await knex.raw('select 1 as one');
    check(r.rows[0].one === 1, r.rows);
  });
  await feature('schema', async () => {
    await knex.schema.createTable('authors', (t) => {
      t.increments('id');
      t.string('name').notNullable();
      t.timestamps(true, true);
    });
    await knex.schema.createTable('books', (t) => {
      t.increments('id');
      t.integer('author_id').references('id').inTable('authors');
      t.string('title');
      t.decimal('price', 10, 2);
    });
  });
  await feature('insert', async () => {
    const [u] = await knex('authors').insert({ name: 'Ursula' }).returning('id');
    const [t] = await knex('authors').insert({ name: 'Terry' }).returning(['id', 'name']);
    check(u.id === 1 && t.id === 2 && t.name === 'Terry', [u, t]);
    await knex('books').insert([
      { author_id: 1, title: 'Earthsea', price: 9.99 },
      { author_id: 1, title: 'Dispossessed', price: 12.5 },
      { author_id: 2, title: 'Guards', price: 8 },
    ]);
  });
  await feature('query_by_field', async () => {
    const row = await knex('authors').select('id', 'name', 'created_at').where({ name: 'Terry' }).first();
    check(row.id === 2 && row.created_at instanceof Date, row);
  });
  await feature('update', async () => {
    const n = await knex('books').where({ title: 'Dispossessed' }).update({ price: 13.51 });
    check(n === 1, n);
  });
  await feature('join', async () => {
    const rows = await knex('books as b').join('authors as a', 'a.id', 'b.author_id')
      .select('a.name', 'b.title').orderBy('b.id');
    check(rows.map((r) => r.name).join() === 'Ursula,Ursula,Terry', rows);
  });
  await feature('order_limit_offset', async () => {
    const rows = await knex('books').select('title').orderBy('price', 'desc').limit(2).offset(1);
    check(rows.map((r) => r.title).join() === 'Earthsea,Guards', rows);
  });
  await feature('count_group_by', async () => {
    const rows = await knex('books').select('author_id').count('id as n').groupBy('author_id').orderBy('author_id');
    check(String(rows[0].n) === '2', rows);
  });
  await feature('transaction_savepoint', async () => {
    await knex.transaction(async (trx) => {
      await trx('authors').insert({ name: 'Kept' });
      try {
        await trx.transaction(async (inner) => {
          await inner('authors').insert({ id: 1, name: 'duplicate' });
        });
        throw new Error('duplicate key accepted');
      } catch (e) {
        if (e.message === 'duplicate key accepted') throw e;
      }
    });
    const [r] = await knex('authors').count('id as n').where({ name: 'Kept' });
    check(String(r.n) === '1', r);
  });
  await feature('upsert', async () => {
    for (const value of ['dark', 'light']) {
      await knex('settings').insert({ key: 'theme', value }).onConflict('key').merge();
    }
    const rows = await knex('settings').select('key', 'value');
    check(rows.length === 1 && rows[0].value === 'light', rows);
  });
  await feature('select_star_refused', async () => {
    try {
      await knex('books');
    } catch (e) {
      check(e.message.includes('no-select-star'), e.message);
      return;
    }
    throw new Error('SELECT * accepted');
  });
  await knex.destroy();
})();
