import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ALL_ROWS,
  DBObject,
  ImaginaryTableError,
  InvalidQueryError,
  Registry,
  connect,
  sql,
  type InteractionBase,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable } from '../support/schema.js';

describeEachBackend('low-level interface', (db) => {
  let config: InteractionBase;

  beforeEach(async () => {
    config = Registry.getConfig();
    await createTable(db.pool, 'people', { id: 'pk', name: 'string', age: 'int' });
  });

  async function seed(): Promise<void> {
    await config.insertMany('people', [
      { name: 'Ann', age: 30 },
      { name: 'Bob', age: 25 },
      { name: 'Cid', age: 35 },
    ]);
  }

  it('insert returns the new id, and select finds the row by id', async () => {
    const first = await config.insert('people', { name: 'Ann', age: 30 });
    const second = await config.insert('people', { name: 'Bob', age: 25 });
    assert.equal(first, 1);
    assert.equal(second, 2);
    assert.deepEqual(await config.select('people', { id: 2 }), { id: 2, name: 'Bob', age: 25 });
    assert.equal(await config.select('people', { id: 99 }), null);
  });

  it('select supports where, orderBy, limit, offset, select and group', async () => {
    await seed();
    const older = await config.select('people', { where: ['age > ?', 26], orderBy: 'age DESC' });
    assert.deepEqual(
      older.map((row) => row.name),
      ['Cid', 'Ann'],
    );
    const page = await config.select('people', {
      orderBy: [['age', 'ASC']],
      limit: 2,
      offset: 1,
      select: ['name'],
    });
    assert.deepEqual(page, [{ name: 'Ann' }, { name: 'Cid' }]);
    assert.deepEqual(await config.select('people', { orderBy: 'id', limit: 1 }), {
      id: 1,
      name: 'Ann',
      age: 30,
    });
    const skipped = await config.select('people', { orderBy: 'id', offset: 2 });
    assert.deepEqual(
      skipped.map((row) => row.name),
      ['Cid'],
    );
    const grouped = await config.select('people', {
      select: sql`age > 26 AS old, COUNT(*) AS n`,
      group: sql`age > 26`,
      orderBy: sql`age > 26`,
    });
    assert.deepEqual(
      grouped.map((row) => Number(row.n)),
      [1, 2],
    );
  });

  it('count takes an optional where; update and delete take a where or ALL_ROWS; each reports the rows it touched', async () => {
    await seed();
    assert.equal(await config.count('people'), 3);
    assert.equal(await config.count('people', ['age < ?', 31]), 2);
    assert.equal(await config.update('people', { age: 40 }, ['name = ?', 'Bob']), 1);
    assert.deepEqual(await config.select('people', { where: ['name = ?', 'Bob'], limit: 1, select: 'age' }), {
      age: 40,
    });
    assert.equal(await config.delete('people', ['age >= ?', 35]), 2);
    assert.equal(await config.count('people'), 1);
    assert.equal(await config.delete('people', ALL_ROWS), 1);
    assert.equal(await config.count('people'), 0);
  });

  it('insertMany inserts any number of rows, in chunks under the parameter limit', async () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ name: `p${i}`, age: i % 90 }));
    const statements: string[] = [];
    const listener = ({ sql: text }: { sql: string }) => statements.push(text);
    db.pool.on('query', listener);
    try {
      assert.equal(await config.insertMany('people', rows), 40_000);
    } finally {
      db.pool.off('query', listener);
    }
    assert.equal(await config.count('people'), 40_000);
    const inserts = statements.filter((text) => text.startsWith('INSERT'));
    const rowsPerStatement = Math.floor(db.pool.dialect.maxParameters / 2);
    assert.equal(inserts.length, Math.ceil(40_000 / rowsPerStatement));
    assert.deepEqual(
      await config.select('people', { where: ['name = ?', 'p39999'], limit: 1, select: 'age' }),
      {
        age: 39_999 % 90,
      },
    );
  });

  it('insertMany is all or nothing: a failing chunk rolls back the ones before it', async () => {
    await createTable(db.pool, 'tags', { id: 'pk', label: 'string not null unique' });
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ label: `t${i}` }));
    rows.push({ label: 't0' });
    await assert.rejects(config.insertMany('tags', rows));
    assert.equal(await config.count('tags'), 0);
  });

  it('works with columns named like reserved words', async () => {
    await createTable(db.pool, 'reserved', { id: 'pk', select: 'string', where: 'int', order: 'string' });
    const id = await config.insert('reserved', { select: 'a', where: 1, order: 'z' });
    await config.insertMany('reserved', [{ select: 'b', where: 2, order: 'y' }]);
    await config.update('reserved', { order: 'x' }, [`${config.escapeColNames(['where'])[0]} = ?`, 1]);
    const rows = await config.select('reserved', { orderBy: 'order', select: ['select', 'where', 'order'] });
    assert.deepEqual(rows, [
      { select: 'a', where: 1, order: 'x' },
      { select: 'b', where: 2, order: 'y' },
    ]);
    assert.deepEqual(await config.select('reserved', { id: id ?? 0, select: 'select' }), { select: 'a' });
  });

  it('escapeColNames quotes for the database', () => {
    const quote = db.name === 'mysql' ? '`' : '"';
    assert.deepEqual(config.escapeColNames(['select', 'a']), [`${quote}select${quote}`, `${quote}a${quote}`]);
  });

  it('insert with a null id lets the database generate the key', async () => {
    assert.equal(await config.insert('people', { id: null, name: 'Ann' }), 1);
    assert.deepEqual(await config.select('people', { id: 1, select: 'name' }), { name: 'Ann' });
  });

  it('insert into a table without an id column returns null', async () => {
    await createTable(db.pool, 'pairs', { a_id: 'int', b_id: 'int' });
    assert.equal(await config.insert('pairs', { a_id: 1, b_id: 2 }), null);
    assert.equal(await config.count('pairs', ['a_id = ? AND b_id = ?', 1, 2]), 1);
  });

  it('columns() reads the schema and reports a missing table as ImaginaryTableError', async () => {
    const columns = await config.columns('people');
    assert.deepEqual(
      columns.map((column) => column.name),
      ['id', 'name', 'age'],
    );
    assert.equal(columns[0]?.primaryKey, true);
    await assert.rejects(config.columns('no_such_table'), ImaginaryTableError);
  });

  it('refuses malformed structural arguments before sending anything', async () => {
    await assert.rejects(config.select('people', { orderBy: 'age; DROP TABLE people' }), InvalidQueryError);
    await assert.rejects(config.select('people', { limit: -1 }), InvalidQueryError);
    await assert.rejects(config.select('people; --'), InvalidQueryError);
    await assert.rejects(config.insert('people', { 'name) VALUES (1); --': 'x' }), InvalidQueryError);
    assert.equal(await config.count('people'), 0);
  });
});

describeEachBackend('low-level object interface', (db) => {
  class Person extends DBObject {
    declare name: string;
    declare age: number | null;
  }

  beforeEach(async () => {
    await createTable(db.pool, 'people', { id: 'pk', name: 'string', age: 'int' });
  });

  it('insertObj, updateObj and refreshObj write and read a model object without validations or hooks', async () => {
    const config = Registry.getConfig();
    Person.validatesPresenceOf('age');
    try {
      const person = new Person({ name: 'Ann' });
      // Each resolves to the object, as in Twistar.
      const inserted: Person = await config.insertObj(person);
      assert.equal(inserted, person);
      assert.equal(person.id, 1);
      person.name = 'Anna';
      assert.equal(await config.updateObj(person), person);
      assert.deepEqual(await config.select('people', { id: 1, select: 'name' }), { name: 'Anna' });
      await config.update('people', { age: 40 }, ['id = ?', 1]);
      assert.equal(await config.refreshObj(person), person);
      assert.equal(person.age, 40);
    } finally {
      Person.clearValidations();
    }
  });
});

it('opens an SQLite file in WAL mode, shared by the pools that open it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twistar-'));
  const url = `sqlite:${join(dir, 'app.db')}`;
  const writer = connect(url);
  const reader = connect(url);
  try {
    await writer.runOperation('CREATE TABLE t (n INTEGER)');
    await writer.runOperation('INSERT INTO t (n) VALUES (?)', [1]);
    assert.deepEqual(await reader.runQuery('SELECT n FROM t'), [{ n: 1 }]);
    assert.deepEqual(await reader.runQuery('PRAGMA journal_mode'), [{ journal_mode: 'wal' }]);
  } finally {
    await Promise.all([writer.close(), reader.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
});
