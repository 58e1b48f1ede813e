import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import {
  ALL_ROWS,
  DBObject,
  Registry,
  connect,
  type BelongsTo,
  type ConnectionPool,
  type HasMany,
} from '../../src/index.js';
import { describeEachBackend, describeOn, type DialectName, it } from '../support/backends.js';
import { columnType } from '../support/schema.js';

class QualCustomer extends DBObject {
  static override HASMANY = [{ name: 'invoices', className: 'QualInvoice', foreignKey: 'qual_customer_id' }];
  declare id: number;
  declare name: string;
  declare invoices: HasMany<QualInvoice>;
}

class QualInvoice extends DBObject {
  static override BELONGSTO = [
    { name: 'customer', className: 'QualCustomer', foreignKey: 'qual_customer_id' },
  ];
  declare id: number;
  declare total: number;
  declare qual_customer_id: number | null;
  declare customer: BelongsTo<QualCustomer>;
}

Registry.register(QualCustomer, QualInvoice);

/** Per database: the schema (or database) the invoices go in, and what differs in how it is made and named. */
const SCHEMAS: Record<
  DialectName,
  {
    /** Its name, beside the test database whose URL is given. */
    readonly name: (url: string) => string;
    /** Creates and drops it (SQLite's main exists already). */
    readonly create: ((quoted: string) => string) | null;
    readonly drop: ((quoted: string) => string) | null;
    /** It is not the default schema, where a table of the same name may stand beside it. */
    readonly other: boolean;
    /** `schema.invoices` quoted. */
    readonly quoted: (schema: string) => string;
    /** Where a named CHECK's refusal is reported (SQLite does not say which column the CHECK is on). */
    readonly checkUnder: string;
  }
> = {
  sqlite: {
    name: () => 'main',
    create: null,
    drop: null,
    other: false,
    quoted: (schema) => `"${schema}"."invoices"`,
    checkUnder: 'base',
  },
  postgres: {
    name: () => 'billing',
    create: (quoted) => `CREATE SCHEMA IF NOT EXISTS ${quoted}`,
    drop: (quoted) => `DROP SCHEMA IF EXISTS ${quoted} CASCADE`,
    other: true,
    quoted: (schema) => `"${schema}"."invoices"`,
    checkUnder: 'total',
  },
  mysql: {
    name: (url) => `${new URL(url).pathname.slice(1)}_other`,
    create: (quoted) => `CREATE DATABASE IF NOT EXISTS ${quoted}`,
    drop: (quoted) => `DROP DATABASE IF EXISTS ${quoted}`,
    other: true,
    quoted: (schema) => `\`${schema}\`.\`invoices\``,
    checkUnder: 'total',
  },
};

describeEachBackend('schema-qualified table names', (db) => {
  let pool: ConnectionPool;
  let schema: string;
  let table: string;
  const quote = (name: string) => pool.dialect.quoteIdentifier(name);

  before(async () => {
    // A pool of its own, closed after the clean-up (the suite's pool is closed first).
    pool = connect(db.url);
    Registry.DBPOOL = pool;
    schema = SCHEMAS[db.name].name(db.url);
    table = `${schema}.invoices`;
    const create = SCHEMAS[db.name].create;
    if (create !== null) await pool.runOperation(create(quote(schema)));
    // A table of the same name in the default schema, with other columns: the qualified name must not find it.
    if (SCHEMAS[db.name].other) {
      await pool.runOperation('DROP TABLE IF EXISTS invoices');
      await pool.runOperation(`CREATE TABLE invoices (id ${columnType(db.name, 'pk')}, other TEXT)`);
    }
    await pool.runOperation(`DROP TABLE IF EXISTS ${quote(table)}`);
    await pool.runOperation(`DROP TABLE IF EXISTS qual_customers`);
    await pool.runOperation(
      `CREATE TABLE ${quote(table)} (id ${columnType(db.name, 'pk')}, total ${columnType(db.name, 'int')}, ` +
        `qual_customer_id ${columnType(db.name, 'int')}, code ${columnType(db.name, 'int')}, ` +
        'CONSTRAINT qual_code UNIQUE (code), CONSTRAINT qual_total_small CHECK (total < 1000))',
    );
    await pool.runOperation(
      `CREATE TABLE qual_customers (id ${columnType(db.name, 'pk')}, name ${columnType(db.name, 'string')})`,
    );
    Registry.getConfig(pool).forgetColumns();
    QualInvoice.TABLENAME = table;
  });

  after(async () => {
    QualInvoice.TABLENAME = undefined;
    await pool.runOperation(`DROP TABLE IF EXISTS ${quote(table)}`);
    if (SCHEMAS[db.name].other) await pool.runOperation('DROP TABLE IF EXISTS invoices');
    await pool.runOperation('DROP TABLE IF EXISTS qual_customers');
    const drop = SCHEMAS[db.name].drop;
    if (drop !== null) await pool.runOperation(drop(quote(schema)));
    await pool.close();
  });

  it('quotes each part of the name', () => {
    assert.equal(quote(table), SCHEMAS[db.name].quoted(schema));
  });

  it('reads the columns and the key of the qualified table', async () => {
    const columns = await Registry.getConfig(pool).columns(table);
    assert.deepEqual(
      columns.map((column) => column.name),
      ['id', 'total', 'qual_customer_id', 'code'],
    );
    assert.deepEqual(
      columns.filter((column) => column.primaryKey).map((column) => column.name),
      ['id'],
    );
  });

  it('finds, saves, updates, counts and deletes through a model', async () => {
    const invoice = await QualInvoice.create({ total: 10 });
    assert.equal(typeof invoice.id, 'number');
    invoice.total = 12;
    await invoice.save();
    assert.equal((await QualInvoice.find(invoice.id))?.total, 12);
    assert.equal((await QualInvoice.findBy({ total: 12 })).length, 1);
    assert.equal(await QualInvoice.count(), 1);
    await invoice.refresh();
    assert.equal(await invoice.delete(), true);
    assert.equal(await QualInvoice.count(), 0);
    await QualInvoice.createMany([{ total: 1 }, { total: 2 }]);
    assert.equal(await QualInvoice.deleteAll(), 2);
  });

  it('reports a unique and a named CHECK constraint on it under their columns', async () => {
    await QualInvoice.create({ total: 1, code: 7 } as Partial<QualInvoice>);
    const twin = await QualInvoice.create({ total: 2, code: 7 } as Partial<QualInvoice>);
    assert.deepEqual(twin.errors.toJSON(), { code: ['Code is not unique.'] });
    const big = await QualInvoice.create({ total: 5000 });
    assert.deepEqual(Object.keys(big.errors.toJSON()), [SCHEMAS[db.name].checkUnder]);
    await QualInvoice.deleteAll();
  });

  it('runs every low-level call on it', async () => {
    const config = Registry.getConfig(pool);
    const id = await config.insert(table, { total: 5 });
    assert.notEqual(id, null);
    assert.equal((await config.select(table, { id: id! }))?.total, 5);
    assert.equal((await config.select(table, { where: ['total = ?', 5] })).length, 1);
    assert.equal(await config.update(table, { total: 6 }, ['id = ?', id]), 1);
    assert.equal(await config.count(table, ['total = ?', 6]), 1);
    assert.equal(await config.insertMany(table, [{ total: 7 }, { total: 8 }]), 2);
    assert.equal(await config.delete(table, ALL_ROWS), 3);
  });

  it('follows relationships to and from a model on a qualified table', async () => {
    const ann = await QualCustomer.create({ name: 'Ann' });
    const invoice = await QualInvoice.create({ total: 3, qual_customer_id: ann.id });
    assert.deepEqual(
      (await ann.invoices.get()).map((found) => found.total),
      [3],
    );
    assert.equal(await ann.invoices.count(), 1);
    assert.equal((await invoice.customer.get())?.name, 'Ann');
    const [loaded] = await QualCustomer.find({ where: ['id = ?', ann.id], include: ['invoices'] });
    assert.equal((await loaded!.invoices.get()).length, 1);
    await ann.invoices.set([]);
    assert.equal(await QualInvoice.count(['qual_customer_id = ?', ann.id]), 0);
  });
});

describeOn(['sqlite'], 'schema-qualified table names: an ATTACHed SQLite database', (db) => {
  it('reads the columns of a table in an attached database', async () => {
    await db.pool.runOperation("ATTACH DATABASE ':memory:' AS other");
    await db.pool.runOperation('CREATE TABLE other.items (id INTEGER PRIMARY KEY, label TEXT)');
    await db.pool.runOperation('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, extra TEXT)');
    class Item extends DBObject {
      static override TABLENAME = 'other.items';
      declare id: number;
      declare label: string;
    }
    const item = await Item.create({ label: 'attached' });
    assert.equal((await Item.find(item.id))?.label, 'attached');
    assert.deepEqual(
      (await Registry.getConfig(db.pool).columns('other.items')).map((column) => column.name),
      ['id', 'label'],
    );
    assert.equal((await db.pool.runQuery('SELECT count(*) AS n FROM items'))[0]?.n, 0);
  });
});
