import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import {
  DBObject,
  QueryError,
  TransactionError,
  transaction,
  UnknownColumnError,
  Registry,
  connect,
  type ConnectionPool,
} from '../../src/index.js';
import { describeEachBackend, describeOn, it } from '../support/backends.js';
import { createTable } from '../support/schema.js';
import { RECHECK_INTERVAL_MS } from '../../src/crud/schema-cache.js';

class SchemaItem extends DBObject {
  declare id: number;
  declare name: string;
}

type Loose = Record<string, unknown>;

/** Attributes with names the model does not declare (columns added at run time, or typos). */
const loose = (attrs: Loose) => attrs as Partial<SchemaItem>;

/** The statements that read a table's columns from the catalogue, among those `pool` runs while `work` does. */
async function catalogueReads(pool: ConnectionPool, work: () => Promise<unknown>): Promise<number> {
  let reads = 0;
  const listener = ({ sql }: { sql: string }) => {
    if (/information_schema\.columns|pragma_table_info/i.test(sql)) reads++;
  };
  pool.on('query', listener);
  try {
    await work().catch(() => undefined);
  } finally {
    pool.off('query', listener);
  }
  return reads;
}

describeEachBackend('schema changes while an application runs', (db) => {
  /** The running application's pool: it reads the columns before the "migration". */
  let app: ConnectionPool;
  /** Another process's pool, running the migration. */
  let migration: ConnectionPool;
  const quote = (name: string) => app.dialect.quoteIdentifier(name);
  const planOf = async (id: number) =>
    (await migration.runQuery(`SELECT ${quote('plan')} AS plan FROM schema_items WHERE id = ?`, [id]))[0]
      ?.plan;

  before(() => {
    app = connect(db.sharedUrl);
    migration = connect(db.sharedUrl);
  });

  after(async () => {
    await Promise.all([app.close(), migration.close()]);
  });

  beforeEach(async () => {
    await createTable(migration, 'schema_items', { id: 'pk', name: 'string' });
    Registry.getConfig(app).forgetColumns();
    Registry.DBPOOL = app;
  });

  const addPlan = () => migration.runOperation('ALTER TABLE schema_items ADD COLUMN plan VARCHAR(20)');

  it('saves a value for a column another process added after the columns were read', async () => {
    const item = await SchemaItem.create({ name: 'a' });
    await addPlan();
    (item as unknown as Loose).plan = 'pro';
    await item.save();
    assert.equal(await planOf(item.id), 'pro');
    const created = await SchemaItem.create(loose({ name: 'b', plan: 'basic' }));
    assert.equal(await planOf(created.id), 'basic');
    const [bulk] = await SchemaItem.createMany([loose({ name: 'c', plan: 'team' })]);
    assert.equal(await planOf(bulk!.id), 'team');
    // Read back through the model, the new column is there too.
    assert.equal(((await SchemaItem.find(item.id)) as unknown as Loose).plan, 'pro');
  });

  it('reads the columns again once per unknown name, then refuses a name that is still not a column', async () => {
    await SchemaItem.create({ name: 'a' });
    const typo = () => SchemaItem.create(loose({ name: 'b', plna: 'pro' }));
    assert.equal(await catalogueReads(app, typo), 1);
    await assert.rejects(typo(), (error: unknown) => {
      assert.ok(error instanceof UnknownColumnError);
      assert.deepEqual(error.columns, ['plna']);
      assert.equal(error.table, 'schema_items');
      assert.match(error.message, /"plna" is not a column of "schema_items".*nothing was written/);
      return true;
    });
    // The second time costs no catalogue query; forgetting the columns makes the name worth a look again.
    assert.equal(await catalogueReads(app, typo), 0);
    Registry.getConfig(app).forgetColumns('schema_items');
    assert.equal(await catalogueReads(app, typo), 2);
    assert.equal(await SchemaItem.count(), 1);
  });

  it('a name refused before a column of that name was added is saved once the recheck interval has passed', async () => {
    await SchemaItem.create({ name: 'a' });
    // New code deployed before its migration: refused, correctly, at that moment.
    await assert.rejects(SchemaItem.create(loose({ name: 'b', plan: 'pro' })), UnknownColumnError);
    await addPlan();
    await new Promise((resolve) => setTimeout(resolve, RECHECK_INTERVAL_MS + 100));
    const saved = await SchemaItem.create(loose({ name: 'c', plan: 'pro' }));
    assert.equal(await planOf(saved.id), 'pro');
  });

  it('saves an object read with a column added since, and that column once given a new value', async () => {
    const item = await SchemaItem.create({ name: 'a' });
    await addPlan();
    await migration.runOperation(`UPDATE schema_items SET ${quote('plan')} = 'basic'`);
    // SELECT * brings the new column; a value read and left alone has nothing to lose.
    const read = (await SchemaItem.find(item.id))!;
    assert.equal((read as unknown as Loose).plan, 'basic');
    read.name = 'b';
    await read.save();
    assert.equal((await SchemaItem.find(item.id))?.name, 'b');
    (read as unknown as Loose).plan = 'pro';
    await read.save();
    assert.equal(await planOf(item.id), 'pro');
  });

  it('refuses, naming it, a value for a column another process dropped; nothing is written', async () => {
    await addPlan();
    const item = await SchemaItem.create(loose({ name: 'a', plan: 'pro' }));
    const untouched = (await SchemaItem.find(item.id))!;
    await migration.runOperation(`ALTER TABLE schema_items DROP COLUMN ${quote('plan')}`);
    item.name = 'renamed';
    (item as unknown as Loose).plan = 'team';
    await assert.rejects(item.save(), (error: unknown) => {
      assert.ok(error instanceof UnknownColumnError);
      assert.deepEqual(error.columns, ['plan']);
      assert.ok(error.cause instanceof QueryError);
      return true;
    });
    assert.equal((await SchemaItem.find(item.id))?.name, 'a');
    // The columns were read again: the next save is refused before anything is sent.
    assert.equal(await catalogueReads(app, () => item.save()), 0);
    await assert.rejects(item.save(), UnknownColumnError);
    const fresh = await SchemaItem.create(loose({ name: 'b', plan: 'x' })).catch((error: unknown) => error);
    assert.ok(fresh instanceof UnknownColumnError);
    // A value only read, never set, is not the application's to lose: the other columns save.
    untouched.name = 'kept';
    await untouched.save();
    assert.equal((await SchemaItem.find(item.id))?.name, 'kept');
  });
});

describeOn(['postgres'], 'schema changes while an application runs: prepared statements', (db) => {
  it('a transaction that met "cached plan must not change result type" leaves the next one working', async () => {
    const app = db.openPool({ max: 1 });
    const migration = db.pool;
    await createTable(migration, 'schema_items', { id: 'pk', name: 'string' });
    Registry.DBPOOL = app;
    try {
      const item = await SchemaItem.create({ name: 'a' });
      await SchemaItem.find(item.id); // prepared on app's one connection
      await migration.runOperation('ALTER TABLE schema_items ADD COLUMN plan VARCHAR(20)');
      // The first transaction to use the stale statement is refused by the server (0A000) and rolled back…
      await assert.rejects(
        transaction(() => SchemaItem.find(item.id)),
        (error: unknown) => error instanceof TransactionError && /cached plan/.test(error.message),
      );
      // …and the statement is prepared again for the next one.
      assert.equal((await transaction(() => SchemaItem.find(item.id)))?.name, 'a');
      assert.equal((await transaction(() => SchemaItem.find(item.id)))?.name, 'a');
    } finally {
      Registry.DBPOOL = migration;
    }
  });
});
