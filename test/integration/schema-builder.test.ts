import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  DBObject,
  QueryError,
  Registry,
  SchemaBuilder,
  UniqueViolationError,
  sql,
  type ConnectionPool,
  type TableBuilder,
} from '../../src/index.js';
import { describeEachBackend, describeEachServer, describeOn, it } from '../support/backends.js';

/** Every table these tests create, children before parents. */
const TABLES = ['sb_books', 'sb_novels', 'sb_authors', 'sb_gadgets', 'sb_defaults'];

class Gadget extends DBObject {
  static override TABLENAME = 'sb_gadgets';
  declare n: number;
  declare big: bigint | number;
  declare label: string;
  declare body: string;
  declare flag: boolean;
  declare day: Date;
  declare at: Date;
  declare price: string | number;
  declare ratio: number;
  declare doc: unknown;
  declare bytes: Buffer;
  declare key: string;
}
Registry.register(Gadget);

class Defaulted extends DBObject {
  static override TABLENAME = 'sb_defaults';
}
Registry.register(Defaulted);

async function dropAll(pool: ConnectionPool): Promise<void> {
  for (const table of TABLES) await pool.runOperation(`DROP TABLE IF EXISTS ${table}`);
  Registry.getConfig(pool).forgetColumns();
}

function columnsOf(pool: ConnectionPool, table: string) {
  const [text, params] = pool.dialect.columnsQuery(table);
  return pool.runQuery(text, params).then((rows) => pool.dialect.parseColumns(rows));
}

describeEachBackend('schema builder', (ctx) => {
  beforeEach(() => dropAll(ctx.pool));

  it('creates every type so that values come back as they went in, through a model', async () => {
    const schema = new SchemaBuilder(ctx.pool);
    await schema.createTable('sb_gadgets', (t) => {
      t.id();
      t.integer('n');
      t.bigint('big');
      t.string('label', 20);
      t.text('body');
      t.boolean('flag');
      t.date('day');
      t.datetime('at');
      t.decimal('price', 12, 2);
      t.float('ratio');
      t.json('doc');
      t.binary('bytes');
      t.uuid('key');
    });
    const kinds = Object.fromEntries((await columnsOf(ctx.pool, 'sb_gadgets')).map((c) => [c.name, c.kind]));
    // Character columns are `text` on every database: save() writes booleans and numbers to them as String(value),
    // and refuses bytes for them.
    const text = 'text';
    assert.deepEqual(kinds, {
      id: 'integer',
      n: 'integer',
      big: 'integer',
      label: text,
      body: text,
      flag: 'boolean',
      day: 'date',
      at: 'datetime',
      price: 'decimal',
      ratio: 'other',
      doc: 'json',
      bytes: 'other',
      key: ctx.name === 'postgres' ? 'other' : text, // a native uuid there, CHAR(36) elsewhere
    });
    const values = {
      n: -2147483648,
      big: 2n ** 62n,
      label: "l'é\\😀",
      body: 'x'.repeat(70_000), // more than MySQL's TEXT holds
      flag: true,
      day: new Date(Date.UTC(2024, 1, 29)),
      at: new Date(Date.UTC(2024, 4, 1, 23, 59, 59, 999)),
      price: '1234567890.12',
      ratio: 0.1,
      doc: { a: [1, 'x', null], b: { c: true } },
      bytes: Buffer.from([0, 1, 254, 255]),
      key: '123e4567-e89b-12d3-a456-426614174000',
    };
    const saved = await Gadget.create(values);
    const found = await Gadget.find(saved.id as number);
    assert.ok(found);
    assert.equal(found.n, values.n);
    assert.equal(found.big, values.big);
    assert.equal(found.label, values.label);
    assert.equal(found.body, values.body);
    assert.equal(found.flag, true);
    assert.deepEqual(found.day, values.day);
    assert.deepEqual(found.at, values.at);
    assert.equal(Number(found.price), 1234567890.12);
    assert.equal(found.price, '1234567890.12', 'a decimal reads back as text on every database');
    assert.equal(found.ratio, 0.1);
    assert.deepEqual(found.doc, values.doc);
    assert.deepEqual(found.bytes, values.bytes);
    assert.equal(found.key, values.key);
  });

  it('writes defaults as literals that the database stores exactly, and defaultNow() as the UTC time', async () => {
    const schema = new SchemaBuilder(ctx.pool);
    const text = "O'Brien'); DROP TABLE sb_gadgets; -- \\' \\\\ é";
    await schema.createTable('sb_defaults', (t) => {
      t.id();
      t.string('s').notNull().default(text);
      t.integer('i').default(-7);
      t.boolean('b').notNull().default(false);
      t.json('j').default({ k: "it's" });
      t.datetime('fixed').default(new Date(Date.UTC(2000, 0, 2, 3, 4, 5, 6)));
      t.datetime('now').notNull().defaultNow();
      t.date('today').defaultNow();
      t.integer('expr').default(sql`42`);
    });
    const before = Date.now();
    await ctx.pool.runOperation(
      ctx.pool.dialect.insertDefaults(ctx.pool.dialect.quoteIdentifier('sb_defaults')),
    );
    const found = await Defaulted.find({ limit: 1 });
    assert.ok(found);
    const row = found.toJSON() as Record<string, unknown>;
    assert.equal(row.s, text);
    assert.equal(row.i, -7);
    assert.equal(row.b, false);
    assert.deepEqual(row.j, { k: "it's" });
    assert.deepEqual(row.fixed, new Date(Date.UTC(2000, 0, 2, 3, 4, 5, 6)));
    assert.ok(row.now instanceof Date);
    assert.ok(
      Math.abs(row.now.getTime() - before) < 5_000,
      `now is the current UTC time: ${row.now.toISOString()}`,
    );
    assert.ok(row.today instanceof Date);
    assert.equal(
      row.today.toISOString().slice(0, 10),
      new Date(row.now.getTime()).toISOString().slice(0, 10),
    );
    assert.equal(row.expr, 42);
    assert.equal(await schema.hasTable('sb_gadgets'), false, 'the default did not run as SQL');
  });

  it('alters tables: adds referencing and unique columns, renames and drops columns, adds and drops indexes', async () => {
    const schema = new SchemaBuilder(ctx.pool);
    const db = Registry.getConfig(ctx.pool);
    await schema.createTable('sb_authors', (t) => {
      t.id();
      t.string('name').notNull();
    });
    await schema.createTable('sb_books', (t) => {
      t.id();
      t.string('title').notNull();
      t.integer('pages');
    });
    await schema.alterTable('sb_books', (t) => {
      t.references('author_id', 'sb_authors').onDelete('cascade');
      t.string('isbn', 13).unique();
      t.string('language', 2).notNull().default('en');
      t.renameColumn('title', 'name');
      t.dropColumn('pages');
      t.index(['language', 'name']);
    });
    assert.deepEqual(
      (await columnsOf(ctx.pool, 'sb_books')).map((column) => column.name),
      ['id', 'name', 'author_id', 'isbn', 'language'],
    );
    const author = await db.insert('sb_authors', { name: 'Ann' });
    await db.insert('sb_books', { name: 'One', author_id: author, isbn: '1' });
    await db.insert('sb_books', { name: 'Two', author_id: author, isbn: '2' });
    await assert.rejects(db.insert('sb_books', { name: 'Three', isbn: '1' }), UniqueViolationError);
    await assert.rejects(
      db.insert('sb_books', { name: 'Four', author_id: 999 }),
      QueryError,
      'the foreign key holds',
    );
    assert.deepEqual(
      (await db.select('sb_books', { orderBy: 'id' })).map((row) => row.language),
      ['en', 'en'],
    );
    await db.delete('sb_authors', ['id = ?', author]);
    assert.equal(await db.count('sb_books'), 0, 'ON DELETE CASCADE');

    await schema.alterTable('sb_books', (t) => {
      t.dropUnique(['isbn']);
      t.dropIndex(['language', 'name']);
    });
    await db.insert('sb_books', { name: 'Five', isbn: '5' });
    await db.insert('sb_books', { name: 'Six', isbn: '5' });
    await schema.addIndex('sb_books', 'isbn', { name: 'sb_books_by_isbn' });
    await schema.dropIndex('sb_books', 'sb_books_by_isbn');

    await schema.renameTable('sb_books', 'sb_novels');
    assert.equal(await schema.hasTable('sb_books'), false);
    assert.equal(await db.count('sb_novels'), 2);
    await schema.dropTable('sb_novels');
    await schema.dropTable('sb_novels', { ifExists: true });
    assert.equal(await schema.hasTable('sb_novels'), false);
  });

  it('joins the caller’s transaction (and rolls back with it where DDL is transactional)', async () => {
    const schema = new SchemaBuilder(ctx.pool);
    await ctx.pool
      .runInteraction(async () => {
        await schema.createTable('sb_authors', (t) => t.id());
        throw new Error('undo');
      })
      .catch(() => undefined);
    assert.equal(await schema.hasTable('sb_authors'), !ctx.pool.dialect.transactionalDdl);
  });

  it('a dry run on a pool collects the statements and sends none', async () => {
    const schema = new SchemaBuilder(ctx.pool, { dryRun: true });
    await schema.createTable('sb_authors', (t) => t.id());
    await schema.alterTable('sb_authors', (t) => t.string('name'));
    assert.equal(schema.statements.length, 2);
    assert.equal(await schema.hasTable('sb_authors'), false);
  });
});

// SQLite cannot add or drop a foreign key on an existing table (UnsupportedSchemaChangeError; see the unit tests).
describeEachServer('schema builder: foreign keys on existing columns', (ctx) => {
  beforeEach(() => dropAll(ctx.pool));

  it('adds a foreign key to an existing column, then drops it', async () => {
    const schema = new SchemaBuilder(ctx.pool);
    const db = Registry.getConfig(ctx.pool);
    await schema.createTable('sb_authors', (t) => t.id());
    await schema.createTable('sb_books', (t) => {
      t.id();
      t.bigint('author_id');
    });
    await schema.alterTable('sb_books', (t) =>
      t.foreign('author_id', 'sb_authors', { onDelete: 'restrict' }),
    );
    await assert.rejects(db.insert('sb_books', { author_id: 5 }), QueryError);
    await schema.alterTable('sb_books', (t) => t.dropForeign(['author_id']));
    await db.insert('sb_books', { author_id: 5 });
  });
});

// Only PostgreSQL has standard_conforming_strings; MySQL's backslash escapes are covered by the defaults test.
describeOn(
  ['postgres'],
  'schema builder: string defaults whatever standard_conforming_strings says',
  (ctx) => {
    beforeEach(() => dropAll(ctx.pool));

    it('writes a default with backslashes so that it stays one literal with the setting off', async () => {
      const value = "\\'); CREATE TABLE sb_books (id INT); -- \\\\ \\x41";
      for (const setting of ['off', 'on']) {
        await ctx.pool.runInteraction(async (txn) => {
          await txn.runOperation(`SET LOCAL standard_conforming_strings = ${setting}`);
          const schema = new SchemaBuilder(ctx.pool);
          await schema.createTable('sb_defaults', (t) => {
            t.id();
            t.string('s').default(value);
            t.binary('b').default(Buffer.from('A\\', 'latin1'));
          });
        });
        assert.equal(
          await new SchemaBuilder(ctx.pool).hasTable('sb_books'),
          false,
          `${setting}: no injection`,
        );
        await ctx.pool.runOperation(
          ctx.pool.dialect.insertDefaults(ctx.pool.dialect.quoteIdentifier('sb_defaults')),
        );
        const [row] = await ctx.pool.runQuery('SELECT s, b FROM sb_defaults');
        assert.equal(row?.s, value, setting);
        assert.deepEqual(row?.b, Buffer.from('A\\', 'latin1'), setting);
        await dropAll(ctx.pool);
      }
    });
  },
);

// MySQL 8 has no CREATE INDEX IF NOT EXISTS; MariaDB has. The MySQL way is forced here on whichever server runs.
describeOn(['mysql'], 'schema builder: createTable ifNotExists indexes on MariaDB and MySQL', (ctx) => {
  beforeEach(() => dropAll(ctx.pool));

  const authors = (t: TableBuilder) => {
    t.id();
    t.string('name').unique();
    t.index(['name', 'id'], { name: 'sb_authors_by_name' });
  };
  const indexesOf = async (table: string) =>
    (
      await ctx.pool.runQuery(
        'SELECT DISTINCT index_name AS name FROM information_schema.statistics ' +
          "WHERE table_schema = DATABASE() AND table_name = ? AND index_name <> 'PRIMARY' ORDER BY 1",
        [table],
      )
    ).map((row) => row.name);

  it('uses IF NOT EXISTS where the server takes it, as its version says', async () => {
    const [row] = await ctx.pool.runQuery('SELECT VERSION() AS version');
    const mariadb = /mariadb/i.test(String(row?.version));
    const schema = new SchemaBuilder(ctx.pool);
    await schema.createTable('sb_authors', authors, { ifNotExists: true });
    await schema.createTable('sb_authors', authors, { ifNotExists: true });
    const indexStatements = schema.statements.filter((statement) =>
      /^CREATE (UNIQUE )?INDEX/.test(statement),
    );
    assert.ok(indexStatements.length > 0);
    for (const statement of indexStatements)
      assert.equal(/IF NOT EXISTS/.test(statement), mariadb, statement);
    assert.deepEqual(await indexesOf('sb_authors'), ['sb_authors_by_name', 'sb_authors_name_unique']);
  });

  it('the MySQL way: looks each index up in information_schema and creates only the missing ones', async () => {
    const mysql = new SchemaBuilder(ctx.pool, { mysqlServer: 'mysql' });
    await ctx.pool.runOperation(
      'CREATE TABLE sb_authors (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name VARCHAR(255))',
    );
    await ctx.pool.runOperation('CREATE UNIQUE INDEX sb_authors_name_unique ON sb_authors (name)');
    await mysql.createTable('sb_authors', authors, { ifNotExists: true });
    assert.deepEqual(mysql.statements, [
      'CREATE TABLE IF NOT EXISTS `sb_authors` (`id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, `name` VARCHAR(255))',
      'CREATE INDEX `sb_authors_by_name` ON `sb_authors` (`name`, `id`)',
    ]);
    assert.deepEqual(await indexesOf('sb_authors'), ['sb_authors_by_name', 'sb_authors_name_unique']);

    const again = new SchemaBuilder(ctx.pool, { mysqlServer: 'mysql' });
    await again.createTable('sb_authors', authors, { ifNotExists: true });
    assert.equal(again.statements.length, 1, 'every index exists: only CREATE TABLE IF NOT EXISTS is sent');

    const dry = new SchemaBuilder(ctx.pool, { mysqlServer: 'mysql', dryRun: true });
    await dry.createTable('sb_books', (t) => t.string('isbn').unique(), { ifNotExists: true });
    assert.deepEqual(dry.statements.slice(1), [
      'CREATE UNIQUE INDEX `sb_books_isbn_unique` ON `sb_books` (`isbn`)',
    ]);
  });
});
