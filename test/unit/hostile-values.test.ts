import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  ConnectionError,
  DBObject,
  InvalidValueError,
  Registry,
  UnsafeSqlError,
  ValueOutOfRangeError,
  connect,
  sql,
} from '../../src/index.js';
import type { ColumnInfo } from '../../src/dialects/dialect.js';
import { parseUtcDate } from '../../src/dialects/dialect-kit.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';
import { writeValue } from '../../src/model/attributes.js';
import { checkParameters } from '../../src/sql/values.js';
import { DIALECT, type DialectName } from '../support/dialects.js';

/** What the dialect named says a driver's error means. */
const errorKind = (dialect: DialectName, error: unknown) => DIALECT[dialect].errorKind(error);

const SQL = 'INSERT INTO t (v) VALUES (?)';

function column(kind: ColumnInfo['kind'], type: string = kind): ColumnInfo {
  return { name: 'v', type, kind, nullable: true, primaryKey: false };
}

describe('the sql tag', () => {
  it('refuses to be called as a plain function, with UnsafeSqlError', () => {
    const call = sql as unknown as (...args: unknown[]) => unknown;
    const forged = Object.freeze(Object.assign(['x = ', ''], { raw: ['x = ', ''] }));
    for (const args of [
      [['DROP TABLE users']],
      ['DROP TABLE users'],
      [Object.freeze(['DROP TABLE users'])],
      [Object.assign(['a'], { raw: ['a'] })],
      [forged],
      [forged, 1, 2],
      [null],
      [],
    ]) {
      assert.throws(() => call(...args), UnsafeSqlError, JSON.stringify(args));
    }
    assert.throws(() => call('x'), /template tag: write sql`/);
  });

  it('still takes a tagged template', () => {
    const n = 3;
    assert.deepEqual(
      { ...sql`LENGTH(name) > ${n} AND a = ${'b'}` },
      { text: 'LENGTH(name) > ? AND a = ?', params: [3, 'b'] },
    );
    assert.deepEqual({ ...sql`id` }, { text: 'id', params: [] });
  });
});

describe('Registry.DBPOOL', () => {
  afterEach(() => {
    Registry.DBPOOL = null;
  });

  class Lonely extends DBObject {}

  it('set to undefined or null after use, makes the next query a ConnectionError that says what to do', async () => {
    const pool = connect('sqlite::memory:');
    try {
      for (const unset of [undefined, null]) {
        Registry.DBPOOL = pool;
        Registry.DBPOOL = unset as unknown as null;
        assert.equal(Registry.DBPOOL, null);
        await assert.rejects(Lonely.find(1), (error: unknown) => {
          return (
            error instanceof ConnectionError &&
            /No database: set Registry\.DBPOOL = connect\(/.test(error.message)
          );
        });
        assert.throws(() => Registry.getConfig(), ConnectionError);
      }
    } finally {
      await pool.close();
    }
  });

  it('refuses anything but a pool at once, with ConnectionError, and keeps the pool it had', async () => {
    const pool = connect('sqlite::memory:');
    try {
      Registry.DBPOOL = pool;
      for (const value of ['sqlite::memory:', 1, {}, { runQuery() {} }, [], () => pool, Symbol('pool')]) {
        assert.throws(
          () => {
            Registry.DBPOOL = value as never;
          },
          (error: unknown) =>
            error instanceof ConnectionError && /takes a pool from connect\(\)/.test(error.message),
          String(typeof value),
        );
        assert.equal(Registry.DBPOOL, pool);
        assert.throws(() => Registry.getConfig(value as never), ConnectionError);
      }
    } finally {
      await pool.close();
    }
  });
});

describe('date ranges', () => {
  it('SQLite reads the years 0000–0099 as written (Date.UTC would make them 1900–1999)', () => {
    for (const text of ['0000-01-01', '0050-03-01 10:20:30', '0099-12-31 23:59:59.999', '0004-02-29']) {
      const date = parseUtcDate(text);
      assert.ok(date instanceof Date, text);
      assert.equal(date.toISOString().slice(0, text.length).replace('T', ' '), text);
    }
  });

  it('refuses, before sending, a Date outside the dialect range with ValueOutOfRangeError that says the range', () => {
    const cases = [
      [sqliteDialect, '-000001-12-31T23:59:59.999Z', /holding only the years 0000 to 9999/],
      [sqliteDialect, '+010000-01-01T00:00:00.000Z', /0000 to 9999/],
      [mysqlDialect, '0999-12-31T23:59:59.999Z', /hold only the years 1000 to 9999/],
      [mysqlDialect, '+010000-01-01T00:00:00.000Z', /1000 to 9999/],
    ] as const;
    for (const [dialect, iso, range] of cases) {
      assert.throws(
        () => checkParameters([1, new Date(iso)], SQL, dialect.dateRange),
        (error: unknown) =>
          error instanceof ValueOutOfRangeError &&
          range.test(error.message) &&
          /^Parameter 2: /.test(error.message),
        `${dialect.name} ${iso}`,
      );
    }
    for (const [dialect, iso] of [
      [sqliteDialect, '0000-01-01T00:00:00.000Z'],
      [sqliteDialect, '9999-12-31T23:59:59.999Z'],
      [mysqlDialect, '1000-01-01T00:00:00.000Z'],
      [mysqlDialect, '9999-12-31T23:59:59.999Z'],
    ] as const) {
      assert.doesNotThrow(() => checkParameters([new Date(iso)], SQL, dialect.dateRange));
    }
    // No range: the database decides (PostgreSQL).
    assert.doesNotThrow(() => checkParameters([new Date('+010000-01-01T00:00:00Z')], SQL));
  });
});

describe('MySQL errors', () => {
  it('types a date its column cannot hold (ER_TRUNCATED_WRONG_VALUE in strict mode) as a range error', () => {
    const error = {
      code: 'ER_TRUNCATED_WRONG_VALUE',
      errno: 1292,
      message: "Incorrect datetime value: '2050-01-01 00:00:00' for column `db`.`t`.`at` at row 1",
    };
    assert.equal(errorKind('mysql', error), 'range');
    assert.equal(
      errorKind('mysql', { ...error, message: "Truncated incorrect DOUBLE value: 'x'" }),
      undefined,
    );
  });
});

describe('writeValue', () => {
  it('writes booleans, numbers and bigints to text columns as String(value), booleans as true/false', () => {
    const text = column('text', 'varchar(20)');
    assert.deepEqual(
      [true, false, 5, -0, 0.1 + 0.2, 1e21, -1.5e-7, 2n ** 70n].map((value) => writeValue(text, value)),
      ['true', 'false', '5', '0', '0.30000000000000004', '1e+21', '-1.5e-7', '1180591620717411303424'],
    );
    // Left for the parameter check to refuse.
    assert.ok(Number.isNaN(writeValue(text, Number.NaN)));
    assert.equal(writeValue(text, Infinity), Infinity);
    for (const kind of ['other', 'integer', 'boolean', 'json'] as const) {
      assert.equal(writeValue(column(kind), true), true, kind);
      assert.equal(writeValue(column(kind), 5), 5, kind);
    }
  });

  it('refuses JSON values without JSON text with InvalidValueError naming the column, and leaves invalid Dates to the parameter check', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const value of [cyclic, { n: 1n }, [2n]]) {
      assert.throws(
        () => writeValue(column('json'), value),
        (error: unknown) => {
          return error instanceof InvalidValueError && /JSON column "v"/.test(error.message);
        },
      );
    }
    const invalid = new Date('x');
    assert.equal(writeValue(column('date'), invalid), invalid);
    assert.throws(() => checkParameters([invalid], SQL), InvalidValueError);
  });

  it('knows the text columns of SQLite and MySQL by their declared types', () => {
    const kinds = (dialect: typeof sqliteDialect, types: string[]) =>
      dialect
        .parseColumns(
          types.map((type) => ({ name: 'c', type, notnull: 0, pk: 0, nullable: 'YES', is_json: 0 })),
        )
        .map((c) => c.kind);
    assert.deepEqual(
      kinds(sqliteDialect, [
        'TEXT',
        'VARCHAR(20)',
        'NCHAR(3)',
        'CLOB',
        'INTEGER',
        'JSON',
        'BLOB',
        '',
        'REAL',
        'DATETIME',
      ]),
      ['text', 'text', 'text', 'text', 'integer', 'json', 'other', 'other', 'other', 'datetime'],
    );
    assert.deepEqual(
      kinds(mysqlDialect, [
        'text',
        'varchar(20)',
        'char(3)',
        'tinytext',
        'longtext',
        'mediumtext',
        "enum('a')",
        'int(11)',
        'blob',
        'json',
      ]),
      ['text', 'text', 'text', 'text', 'text', 'text', 'other', 'integer', 'other', 'json'],
    );
  });
});
