import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { InvalidQueryError } from '../../src/errors.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';
import {
  SqlFragment,
  checkCount,
  quoteColumn,
  renderGroup,
  renderOrderBy,
  renderSelect,
  sql,
  type ColumnList,
  type OrderBy,
} from '../../src/sql/fragments.js';
import { DIALECTS, testSql, type DialectName } from '../support/dialects.js';

const INJECTIONS = [
  'id; DROP TABLE users',
  'id -- x',
  '(SELECT 1)',
  'LENGTH(name)',
  'id DESC, ',
  'id /* x */',
];

/** One test per dialect: `render` must give exactly `expected[dialect]` and no parameters. */
function testText(
  title: string,
  render: (dialect: Dialect) => SqlFragment,
  expected: Record<DialectName, string>,
): void {
  testSql(
    title,
    (dialect) => {
      const { text, params } = render(dialect);
      return { sql: text, params: [...params] };
    },
    expected,
  );
}

describe('sql tag', () => {
  it('joins the text with ? and keeps the interpolated values as parameters', () => {
    const fragment = sql`LENGTH(name) > ${5} AND kind = ${'a'} DESC`;
    assert.ok(fragment instanceof SqlFragment);
    assert.equal(fragment.text, 'LENGTH(name) > ? AND kind = ? DESC');
    assert.deepEqual(fragment.params, [5, 'a']);
  });

  it('passes text without values through unchanged', () => {
    const fragment = sql`COUNT(*) AS total`;
    assert.equal(fragment.text, 'COUNT(*) AS total');
    assert.deepEqual(fragment.params, []);
  });

  it('never splices a value into the text', () => {
    const fragment = sql`name = ${"x'; DROP TABLE users; --"}`;
    assert.equal(fragment.text, 'name = ?');
    assert.deepEqual(fragment.params, ["x'; DROP TABLE users; --"]);
  });
});

describe('renderOrderBy', () => {
  testText('quotes a single column', (d) => renderOrderBy(d, 'age'), {
    sqlite: '"age"',
    postgres: '"age"',
    mysql: '`age`',
  });

  testText('reads a comma-separated string with directions', (d) => renderOrderBy(d, 'age desc,  id ASC'), {
    sqlite: '"age" DESC, "id" ASC',
    postgres: '"age" DESC, "id" ASC',
    mysql: '`age` DESC, `id` ASC',
  });

  testText('reads an array of items with directions', (d) => renderOrderBy(d, ['age DESC', 'id']), {
    sqlite: '"age" DESC, "id"',
    postgres: '"age" DESC, "id"',
    mysql: '`age` DESC, `id`',
  });

  testText(
    'reads [column, direction] tuples mixed with names',
    (d) => renderOrderBy(d, [['age', 'desc'], 'id', ['users.name', 'ASC']]),
    {
      sqlite: '"age" DESC, "id", "users"."name" ASC',
      postgres: '"age" DESC, "id", "users"."name" ASC',
      mysql: '`age` DESC, `id`, `users`.`name` ASC',
    },
  );

  testText('quotes table.column part by part', (d) => renderOrderBy(d, 'users.created_at DESC'), {
    sqlite: '"users"."created_at" DESC',
    postgres: '"users"."created_at" DESC',
    mysql: '`users`.`created_at` DESC',
  });

  testText('quotes reserved words', (d) => renderOrderBy(d, 'order, select DESC'), {
    sqlite: '"order", "select" DESC',
    postgres: '"order", "select" DESC',
    mysql: '`order`, `select` DESC',
  });

  it('returns a sql fragment as it is, parameters included', () => {
    const fragment = sql`LENGTH(name) > ${3} DESC`;
    assert.equal(renderOrderBy(sqliteDialect, fragment), fragment);
  });

  for (const attempt of INJECTIONS) {
    it(`refuses ${JSON.stringify(attempt)} with InvalidQueryError`, () => {
      for (const dialect of DIALECTS) {
        assert.throws(() => renderOrderBy(dialect, attempt), InvalidQueryError, dialect.name);
        assert.throws(() => renderOrderBy(dialect, [attempt]), InvalidQueryError, dialect.name);
      }
    });
  }

  it('refuses an injection in a tuple column and a direction other than ASC/DESC', () => {
    const bad: unknown[] = [
      [['id; DROP TABLE users', 'ASC']],
      [['id', 'DESC; DROP TABLE users']],
      [['id', 'sideways']],
      [['id']],
      [[1, 'ASC']],
      [42],
    ];
    for (const orderBy of bad) {
      assert.throws(() => renderOrderBy(sqliteDialect, orderBy as OrderBy), InvalidQueryError);
    }
  });

  it('refuses an empty order: empty string, empty array', () => {
    assert.throws(() => renderOrderBy(sqliteDialect, ''), InvalidQueryError);
    assert.throws(() => renderOrderBy(sqliteDialect, []), InvalidQueryError);
  });

  it('says how to pass trusted SQL in its message', () => {
    assert.throws(() => renderOrderBy(sqliteDialect, 'LENGTH(name)'), {
      name: 'UnsafeSqlError',
      message: /orderBy "LENGTH\(name\)" is not a column list .*sql`…` tag/,
    });
  });
});

describe('renderGroup', () => {
  testText('quotes a comma-separated list', (d) => renderGroup(d, 'age, users.name'), {
    sqlite: '"age", "users"."name"',
    postgres: '"age", "users"."name"',
    mysql: '`age`, `users`.`name`',
  });

  testText('quotes an array of columns', (d) => renderGroup(d, ['kind', 'group']), {
    sqlite: '"kind", "group"',
    postgres: '"kind", "group"',
    mysql: '`kind`, `group`',
  });

  it('returns a sql fragment as it is', () => {
    const fragment = sql`DATE(created_at)`;
    assert.equal(renderGroup(postgresDialect, fragment), fragment);
  });

  for (const attempt of [...INJECTIONS, 'age DESC', '*', '']) {
    it(`refuses ${JSON.stringify(attempt)} with InvalidQueryError`, () => {
      for (const dialect of DIALECTS) {
        assert.throws(() => renderGroup(dialect, attempt), InvalidQueryError, dialect.name);
      }
    });
  }

  it('refuses an array item that is not a string', () => {
    assert.throws(() => renderGroup(sqliteDialect, [1] as unknown as ColumnList), InvalidQueryError);
  });
});

describe('renderSelect', () => {
  testText('keeps *', (d) => renderSelect(d, '*'), { sqlite: '*', postgres: '*', mysql: '*' });

  testText('quotes the table of table.*', (d) => renderSelect(d, 'users.*'), {
    sqlite: '"users".*',
    postgres: '"users".*',
    mysql: '`users`.*',
  });

  testText(
    'quotes columns, table.column and AS aliases',
    (d) => renderSelect(d, 'id, users.name as n, age AS a'),
    {
      sqlite: '"id", "users"."name" AS "n", "age" AS "a"',
      postgres: '"id", "users"."name" AS "n", "age" AS "a"',
      mysql: '`id`, `users`.`name` AS `n`, `age` AS `a`',
    },
  );

  testText('reads an array of columns', (d) => renderSelect(d, ['select', 'users.*']), {
    sqlite: '"select", "users".*',
    postgres: '"select", "users".*',
    mysql: '`select`, `users`.*',
  });

  it('returns a sql fragment as it is', () => {
    const fragment = sql`COUNT(*) AS n`;
    assert.equal(renderSelect(mysqlDialect, fragment), fragment);
  });

  for (const attempt of [...INJECTIONS, 'COUNT(*)', 'name n', 'name AS', 'name AS n; DROP TABLE users', '']) {
    it(`refuses ${JSON.stringify(attempt)} with InvalidQueryError`, () => {
      for (const dialect of DIALECTS) {
        assert.throws(() => renderSelect(dialect, attempt), InvalidQueryError, dialect.name);
      }
    });
  }

  it('refuses an array item that is not a string', () => {
    assert.throws(() => renderSelect(sqliteDialect, [null] as unknown as ColumnList), InvalidQueryError);
  });
});

describe('quoteColumn', () => {
  it('quotes a plain or dotted name for the dialect', () => {
    assert.equal(quoteColumn(postgresDialect, 'user_id'), '"user_id"');
    assert.equal(quoteColumn(mysqlDialect, 'users.id'), '`users`.`id`');
  });

  it('refuses a name with spaces, quotes, or more than one dot, naming what it was', () => {
    for (const name of ['first name', 'a"b', 'a`b', 'a.b.c', '']) {
      assert.throws(() => quoteColumn(sqliteDialect, name, 'Table name'), {
        name: 'UnsafeSqlError',
        message: new RegExp(`^Table name "${name.replace('.', '\\.')}" is not`),
      });
    }
  });
});

describe('checkCount', () => {
  it('gives undefined for undefined and null', () => {
    assert.equal(checkCount('limit', undefined), undefined);
    assert.equal(checkCount('limit', null), undefined);
  });

  it('accepts zero and positive integers', () => {
    assert.equal(checkCount('limit', 0), 0);
    assert.equal(checkCount('offset', 25), 25);
    assert.equal(checkCount('offset', Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  });

  const refused: [string, unknown][] = [
    ['a negative number', -1],
    ['a non-integer', 1.5],
    ['a numeric string', '10'],
    ['a string carrying SQL', '1; DROP TABLE users'],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an unsafe integer', 2 ** 53],
    ['a bigint', 10n],
    ['an object', { valueOf: () => 3 }],
  ];
  for (const [what, value] of refused) {
    it(`refuses ${what} with InvalidQueryError`, () => {
      assert.throws(() => checkCount('limit', value), InvalidQueryError);
    });
  }

  it('names the clause and the value in its message', () => {
    assert.throws(() => checkCount('offset', -3), {
      name: 'InvalidQueryError',
      message: 'offset must be a non-negative integer, got -3.',
    });
  });
});
