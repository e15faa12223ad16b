// A small typical app on Sequelize (pg dialect) against DATABASE_URL: models, sync, associations.
'use strict';
const { Sequelize, DataTypes, Op, Transaction } = require('sequelize');
const { feature, check } = require('./report');

const sequelize = new Sequelize(process.env.DATABASE_URL, { logging: false, dialectOptions: { ssl: false } });
const Author = sequelize.define('author', { name: { type: DataTypes.STRING, allowNull: false } });
const Book = sequelize.define('book', { title: DataTypes.STRING, price: DataTypes.DECIMAL(10, 2) });
Author.hasMany(Book);
Book.belongsTo(Author);
const Setting = sequelize.define('setting', { key: { type: DataTypes.STRING, primaryKey: true }, value: DataTypes.STRING },
  { timestamps: false });
// Sequelize selects every attribute by name, so finds pass the no-select-star rule

(async () => {
  await feature('connect', async () => {
    await sequelize.authenticate();
  });
  await feature('schema', async () => {
    await sequelize.sync();
  });
  await feature('insert', async () => {
    const u = await Author.create({ name: 'Ursula' });
    const t = await Author.create({ name: 'Terry' });
    check(u.id === 1 && t.id === 2, [u.id, t.id]);
    await Book.bulkCreate([
      { title: 'Earthsea', price: '9.99', authorId: 1 },
      { title: 'Dispossessed', price: '12.50', authorId: 1 },
      { title: 'Guards', price: '8.00', authorId: 2 },
    ]);
  });
  await feature('query_by_field', async () => {
    const a = await Author.findOne({ where: { name: 'Terry' } });
    check(a && a.id === 2 && a.createdAt instanceof Date, a && a.toJSON());
  });
  await feature('update', async () => {
    const [n] = await Book.update({ price: '13.51' }, { where: { title: 'Dispossessed' } });
    check(n === 1, n);
  });
  await feature('join', async () => {
    const books = await Book.findAll({ include: Author, order: [['id', 'ASC']] });
    check(books.map((b) => b.author.name).join() === 'Ursula,Ursula,Terry', books.length);
  });
  await feature('order_limit_offset', async () => {
    const books = await Book.findAll({ attributes: ['title'], order: [['price', 'DESC']], limit: 2, offset: 1 });
    check(books.map((b) => b.title).join() === 'Earthsea,Guards', books.map((b) => b.title));
  });
  await feature('count_group_by', async () => {
    const n = await Book.count({ where: { authorId: 1 } });
    const rows = await Book.findAll({ attributes: ['authorId', [sequelize.fn('count', sequelize.col('id')), 'n']],
      group: ['authorId'], order: [['authorId', 'ASC']], raw: true });
    check(n === 2 && String(rows[0].n) === '2', rows);
  });
  await feature('transaction_savepoint', async () => {
    await sequelize.transaction(async (t) => {
      await Author.create({ name: 'Kept' }, { transaction: t });
      try {
        await sequelize.transaction({ transaction: t }, async (sp) => {
          await Author.create({ id: 1, name: 'duplicate' }, { transaction: sp });
        });
        throw new Error('duplicate key accepted');
      } catch (e) {
        if (e.message === 'duplicate key accepted') throw e;
      }
    });
    check(await Author.count({ where: { name: 'Kept' } }) === 1, 'kept');
  });
  await feature('upsert', async () => {
    await Setting.upsert({ key: 'theme', value: 'dark' });
    await Setting.upsert({ key: 'theme', value: 'light' });
    const rows = await Setting.findAll({ raw: true });
    check(rows.length === 1 && rows[0].value === 'light', rows);
  });
  await feature('select_star_refused', async () => {
    try {
      await sequelize.query('SELECT * FROM books');
    } catch (e) {
      check(e.message.includes('no-select-star'), e.message);
      return;
    }
    throw new Error('SELECT * accepted');
  });
  await sequelize.close();
})();
