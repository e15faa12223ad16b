// A small typical app on Kysely (PostgresDialect over pg) against DATABASE_URL.
'use strict';
const { Kysely, PostgresDialect, sql } = require('kysely');
const { Pool } = require('pg');
const { feature, check } = require('./report');

const db = new Kysely({ dialect: new PostgresDialect({ pool: new Pool({ connectionString: process.env.DATABASE_URL, max: 1 }) }) });

(async () => {
  await feature('connect', async () => {
    const r = await sql`select 1 as one`.execute(db);
    check(r.rows[0].one === 1, r.rows);
  });
  await feature('schema', async () => {
    await db.schema.createTable('authors')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull()).execute();
    await db.schema.createTable('books')
      .addColumn('id', 'serial', (c) => c.primaryKey())
      .addColumn('author_id', 'integer', (c) => c.references('authors.id'))
      .addColumn('title', 'text')
      .addColumn('price', 'numeric(10, 2)').execute();
  });
  await feature('insert', async () => {
    const u = await db.insertInto('authors').values({ name: 'Ursula' }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('authors').values({ name: 'Terry' }).execute();
    await db.insertInto('books').values([
      { author_id: 1, title: 'Earthsea', price: '9.99' },
      { author_id: 1, title: 'Dispossessed', price: '12.50' },
      { author_id: 2, title: 'Guards', price: '8' },
    ]).execute();
    check(u.id === 1, u);
  });
  await feature('query_by_field', async () => {
    const a = await db.selectFrom('authors').select(['id', 'name']).where('name', '=', 'Terry').executeTakeFirst();
    check(a.id === 2, a);
  });
  await feature('update', async () => {
    const r = await db.updateTable('books').set({ price: '13.51' }).where('title', '=', 'Dispossessed').executeTakeFirst();
    check(Number(r.numUpdatedRows) === 1, r);
  });
  await feature('join', async () => {
    const rows = await db.selectFrom('books as b').innerJoin('authors as a', 'a.id', 'b.author_id')
      .select(['a.name', 'b.title']).orderBy('b.id').execute();
    check(rows.map((r) => r.name).join() === 'Ursula,Ursula,Terry', rows);
  });
  await feature('order_limit_offset', async () => {
    const rows = await db.selectFrom('books').select('title').orderBy('price', 'desc').limit(2).offset(1).execute();
    check(rows.map((r) => r.title).join() === 'Earthsea,Guards', rows);
  });
  await feature('count_group_by', async () => {
    const rows = await db.selectFrom('books').select(['author_id', db.fn.count('id').as('n')])
      .groupBy('author_id').orderBy('author_id').execute();
    check(String(rows[0].n) === '2', rows);
  });
  await feature('transaction_savepoint', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('authors').values({ name: 'Kept' }).execute();
      await sql`SAVEPOINT sp1`.execute(trx);
      try {
        await trx.insertInto('authors').values({ id: 1, name: 'duplicate' }).execute();
        throw new Error('duplicate key accepted');
      } catch (e) {
        if (e.message === 'duplicate key accepted') throw e;
        await sql`ROLLBACK TO SAVEPOINT sp1`.execute(trx);
      }
    });
    const r = await db.selectFrom('authors').select(db.fn.count('id').as('n')).where('name', '=', 'Kept').executeTakeFirst();
    check(String(r.n) === '1', r);
  });
  await feature('upsert', async () => {
    for (const value of ['dark', 'light']) {
      await db.insertInto('settings').values({ key: 'theme', value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value })).execute();
    }
    const rows = await db.selectFrom('settings').select(['key', 'value']).execute();
    check(rows.length === 1 && rows[0].value === 'light', rows);
  });
  await feature('select_star_refused', async () => {
    try {
      await db.selectFrom('books').selectAll().execute();
    } catch (e) {
      check(e.message.includes('no-select-star'), e.message);
      return;
    }
    throw new Error('SELECT * accepted');
  });
  await db.destroy();
})();
