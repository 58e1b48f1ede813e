import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { InvalidQueryError, UnsafeSqlError } from '../../src/errors.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';
import { sql } from '../../src/sql/fragments.js';
import { ALL_ROWS } from '../../src/sql/where.js';
import {
  adjustStatement,
  countStatement,
  deleteStatement,
  insertManyStatements,
  insertStatement,
  selectStatement,
  updateStatement,
  type Statement,
} from '../../src/sql/statements.js';
import { DIALECTS, testRefused, testSql, type DialectName } from '../support/dialects.js';

describe('identifier quoting', () => {
  it('doubles an embedded double quote on SQLite and PostgreSQL', () => {
    assert.equal(sqliteDialect.quoteIdentifier('a"b'), '"a""b"');
    assert.equal(postgresDialect.quoteIdentifier('a"b'), '"a""b"');
  });

  it('doubles an embedded backquote on MySQL', () => {
    assert.equal(mysqlDialect.quoteIdentifier('a`b'), '`a``b`');
  });

  it('quotes a dotted name part by part', () => {
    assert.equal(sqliteDialect.quoteIdentifier('users.id'), '"users"."id"');
    assert.equal(mysqlDialect.quoteIdentifier('users.id'), '`users`.`id`');
  });

  it('refuses an empty identifier', () => {
    for (const dialect of DIALECTS) assert.throws(() => dialect.quoteIdentifier(''), InvalidQueryError);
  });

  it('refuses an identifier with a lone surrogate, which the driver would send as another name', () => {
    for (const dialect of DIALECTS) {
      assert.throws(() => dialect.quoteIdentifier('col\ud800'), UnsafeSqlError);
      assert.equal(dialect.quoteIdentifier('😀').length, 4);
    }
  });

  testRefused('statements refuse a table name with an embedded quote', (d) => selectStatement(d, 'us"ers'));
  testRefused('statements refuse a column name with an embedded backquote', (d) =>
    insertStatement(d, 'users', { 'na`me': 1 }),
  );
  testRefused('statements refuse a table name carrying SQL', (d) =>
    deleteStatement(d, 'users; DROP TABLE users', ALL_ROWS),
  );
});

describe('column catalogues', () => {
  it('read the declared length of CHAR(n) and VARCHAR(n) columns, in characters', () => {
    const sqlite = sqliteDialect.parseColumns(
      [
        'VARCHAR(255)',
        'character(20)',
        'NVARCHAR( 7 )',
        'VARYING CHARACTER(9)',
        'TEXT',
        'INTEGER',
        'BLOB',
      ].map((type, i) => ({ name: `c${i}`, type, notnull: 0, pk: 0 })),
    );
    assert.deepEqual(
      sqlite.map((column) => column.maxLength),
      [255, 20, 7, 9, undefined, undefined, undefined],
    );
    const mysql = mysqlDialect.parseColumns(
      ['varchar(5)', 'char(3)', 'varbinary(5)', 'text', 'int(11)'].map((type, i) => ({
        name: `c${i}`,
        type,
        nullable: 'YES',
        pk: '',
        is_json: 0,
      })),
    );
    assert.deepEqual(
      mysql.map((column) => column.maxLength),
      [5, 3, undefined, undefined, undefined],
    );
    const postgres = postgresDialect.parseColumns(
      [
        ['character varying', 5],
        ['character', 3],
        ['bit', 8],
        ['text', null],
      ].map(([type, length], i) => ({ name: `c${i}`, type, nullable: 'YES', pk: false, max_length: length })),
    );
    assert.deepEqual(
      postgres.map((column) => column.maxLength),
      [5, 3, undefined, undefined],
    );
  });
});

describe('selectStatement', () => {
  testSql('selects every column of a table', (d) => selectStatement(d, 'users'), {
    sqlite: 'SELECT * FROM "users"',
    postgres: 'SELECT * FROM "users"',
    mysql: 'SELECT * FROM `users`',
  });

  testSql(
    'quotes a reserved word used as a table and column name',
    (d) => selectStatement(d, 'select', { select: ['from', 'order'], orderBy: 'group' }),
    {
      sqlite: 'SELECT "from", "order" FROM "select" ORDER BY "group"',
      postgres: 'SELECT "from", "order" FROM "select" ORDER BY "group"',
      mysql: 'SELECT `from`, `order` FROM `select` ORDER BY `group`',
    },
  );

  testSql(
    'keeps the where text and its ? placeholders as given, with its parameters',
    (d) => selectStatement(d, 'users', { where: ['age > ? AND name = ?', 21, 'Bob'] }),
    {
      sqlite: 'SELECT * FROM "users" WHERE age > ? AND name = ?',
      postgres: 'SELECT * FROM "users" WHERE age > ? AND name = ?',
      mysql: 'SELECT * FROM `users` WHERE age > ? AND name = ?',
    },
    [21, 'Bob'],
  );

  testSql(
    'accepts a where string without parameters',
    (d) => selectStatement(d, 'users', { where: 'id = 1' }),
    {
      sqlite: 'SELECT * FROM "users" WHERE id = 1',
      postgres: 'SELECT * FROM "users" WHERE id = 1',
      mysql: 'SELECT * FROM `users` WHERE id = 1',
    },
  );

  testSql(
    'leaves out WHERE for an empty where array, an empty string or null',
    (d) => {
      const a = selectStatement(d, 'users', { where: [] });
      const b = selectStatement(d, 'users', { where: '  ' });
      const c = selectStatement(d, 'users', { where: null });
      assert.deepEqual(b, a);
      assert.deepEqual(c, a);
      return a;
    },
    {
      sqlite: 'SELECT * FROM "users"',
      postgres: 'SELECT * FROM "users"',
      mysql: 'SELECT * FROM `users`',
    },
  );

  for (const dialect of DIALECTS) {
    it(`never emits an empty WHERE for a where array whose text is blank (${dialect.name})`, () => {
      let statement: Statement;
      try {
        statement = selectStatement(dialect, 'users', { where: ['  '] });
      } catch (error) {
        // Refusing it before anything is sent is as good as leaving it out.
        assert.ok(error instanceof InvalidQueryError);
        return;
      }
      assert.doesNotMatch(statement.sql, /WHERE\s*$/);
    });
  }

  testSql(
    'renders every clause in order: select, where, group by, order by, limit, offset',
    (d) =>
      selectStatement(d, 'users', {
        select: ['age', 'users.name AS n'],
        where: ['age > ?', 21],
        group: 'age, name',
        orderBy: [['age', 'desc'], 'id'],
        limit: 10,
        offset: 20,
      }),
    {
      sqlite:
        'SELECT "age", "users"."name" AS "n" FROM "users" WHERE age > ? GROUP BY "age", "name" ORDER BY "age" DESC, "id" LIMIT 10 OFFSET 20',
      postgres:
        'SELECT "age", "users"."name" AS "n" FROM "users" WHERE age > ? GROUP BY "age", "name" ORDER BY "age" DESC, "id" LIMIT 10 OFFSET 20',
      mysql:
        'SELECT `age`, `users`.`name` AS `n` FROM `users` WHERE age > ? GROUP BY `age`, `name` ORDER BY `age` DESC, `id` LIMIT 10 OFFSET 20',
    },
    [21],
  );

  testSql(
    'orders the parameters of sql fragments as their clauses appear in the text',
    (d) =>
      selectStatement(d, 'users', {
        select: sql`id, age > ${18} AS adult`,
        where: ['name = ?', 'Bob'],
        group: sql`id, age > ${18}`,
        orderBy: sql`LENGTH(name) > ${5} DESC`,
      }),
    {
      sqlite:
        'SELECT id, age > ? AS adult FROM "users" WHERE name = ? GROUP BY id, age > ? ORDER BY LENGTH(name) > ? DESC',
      postgres:
        'SELECT id, age > ? AS adult FROM "users" WHERE name = ? GROUP BY id, age > ? ORDER BY LENGTH(name) > ? DESC',
      mysql:
        'SELECT id, age > ? AS adult FROM `users` WHERE name = ? GROUP BY id, age > ? ORDER BY LENGTH(name) > ? DESC',
    },
    [18, 'Bob', 18, 5],
  );

  it('compiles to $1, $2… on PostgreSQL only when the dialect compiles it', () => {
    const statement = selectStatement(postgresDialect, 'users', { where: ['a = ? AND b = ?', 1, 2] });
    assert.equal(
      postgresDialect.compile(statement.sql).text,
      'SELECT * FROM "users" WHERE a = $1 AND b = $2',
    );
  });

  testSql('renders LIMIT alone', (d) => selectStatement(d, 'users', { limit: 5 }), {
    sqlite: 'SELECT * FROM "users" LIMIT 5',
    postgres: 'SELECT * FROM "users" LIMIT 5',
    mysql: 'SELECT * FROM `users` LIMIT 5',
  });

  testSql(
    'renders LIMIT 0 (zero is a limit, not its absence)',
    (d) => selectStatement(d, 'users', { limit: 0 }),
    {
      sqlite: 'SELECT * FROM "users" LIMIT 0',
      postgres: 'SELECT * FROM "users" LIMIT 0',
      mysql: 'SELECT * FROM `users` LIMIT 0',
    },
  );

  testSql(
    'renders OFFSET without a limit in each database’s own form',
    (d) => selectStatement(d, 'users', { offset: 7 }),
    {
      sqlite: 'SELECT * FROM "users" LIMIT -1 OFFSET 7',
      postgres: 'SELECT * FROM "users" OFFSET 7',
      mysql: 'SELECT * FROM `users` LIMIT 18446744073709551615 OFFSET 7',
    },
  );

  testSql('renders OFFSET 0 without a limit', (d) => selectStatement(d, 'users', { offset: 0 }), {
    sqlite: 'SELECT * FROM "users" LIMIT -1 OFFSET 0',
    postgres: 'SELECT * FROM "users" OFFSET 0',
    mysql: 'SELECT * FROM `users` LIMIT 18446744073709551615 OFFSET 0',
  });

  testSql(
    'ends with the locking clause for lock: update, after LIMIT (none on SQLite, which locks the database)',
    (d) => selectStatement(d, 'users', { where: ['id = ?', 1], limit: 1, lock: 'update' }),
    {
      sqlite: 'SELECT * FROM "users" WHERE id = ? LIMIT 1',
      postgres: 'SELECT * FROM "users" WHERE id = ? LIMIT 1 FOR UPDATE',
      mysql: 'SELECT * FROM `users` WHERE id = ? LIMIT 1 FOR UPDATE',
    },
    [1],
  );

  testSql(
    'ends with the shared locking clause for lock: share',
    (d) => selectStatement(d, 'users', { lock: 'share' }),
    {
      sqlite: 'SELECT * FROM "users"',
      postgres: 'SELECT * FROM "users" FOR SHARE',
      mysql: 'SELECT * FROM `users` LOCK IN SHARE MODE',
    },
  );

  testRefused('refuses a lock other than update or share', (d) =>
    selectStatement(d, 'users', { lock: 'update NOWAIT' as 'update' }),
  );

  testRefused('refuses a negative limit', (d) => selectStatement(d, 'users', { limit: -1 }));
  testRefused('refuses a fractional offset', (d) => selectStatement(d, 'users', { offset: 1.5 }));
  testRefused('refuses a limit given as a string', (d) =>
    selectStatement(d, 'users', { limit: '10; DROP TABLE users' as unknown as number }),
  );
  testRefused('refuses an order-by carrying SQL', (d) =>
    selectStatement(d, 'users', { orderBy: 'id; DROP TABLE users' }),
  );

  for (const dialect of DIALECTS) {
    it(`refuses an empty group list instead of emitting a bare GROUP BY (${dialect.name})`, () => {
      assert.throws(() => selectStatement(dialect, 'users', { group: [] }), InvalidQueryError);
    });
    it(`refuses an empty select list instead of emitting SELECT  FROM (${dialect.name})`, () => {
      assert.throws(() => selectStatement(dialect, 'users', { select: [] }), InvalidQueryError);
    });
  }
});

describe('countStatement', () => {
  testSql('counts every row', (d) => countStatement(d, 'users'), {
    sqlite: 'SELECT COUNT(*) AS count FROM "users"',
    postgres: 'SELECT COUNT(*) AS count FROM "users"',
    mysql: 'SELECT COUNT(*) AS count FROM `users`',
  });

  testSql(
    'counts the rows matching a where',
    (d) => countStatement(d, 'users', ['age > ?', 30]),
    {
      sqlite: 'SELECT COUNT(*) AS count FROM "users" WHERE age > ?',
      postgres: 'SELECT COUNT(*) AS count FROM "users" WHERE age > ?',
      mysql: 'SELECT COUNT(*) AS count FROM `users` WHERE age > ?',
    },
    [30],
  );
});

describe('insertStatement', () => {
  testSql(
    'inserts the given columns with one ? each, in key order',
    (d) => insertStatement(d, 'users', { name: 'Ann', age: 30 }),
    {
      sqlite: 'INSERT INTO "users" ("name", "age") VALUES (?, ?)',
      postgres: 'INSERT INTO "users" ("name", "age") VALUES (?, ?)',
      mysql: 'INSERT INTO `users` (`name`, `age`) VALUES (?, ?)',
    },
    ['Ann', 30],
  );

  testSql(
    'leaves out undefined values but keeps null ones',
    (d) => insertStatement(d, 'users', { name: undefined, age: null, key: 'k' }),
    {
      sqlite: 'INSERT INTO "users" ("age", "key") VALUES (?, ?)',
      postgres: 'INSERT INTO "users" ("age", "key") VALUES (?, ?)',
      mysql: 'INSERT INTO `users` (`age`, `key`) VALUES (?, ?)',
    },
    [null, 'k'],
  );

  testSql(
    'adds RETURNING only on PostgreSQL when a key column is asked for',
    (d) => insertStatement(d, 'users', { name: 'Ann' }, 'id'),
    {
      sqlite: 'INSERT INTO "users" ("name") VALUES (?)',
      postgres: 'INSERT INTO "users" ("name") VALUES (?) RETURNING "id"',
      mysql: 'INSERT INTO `users` (`name`) VALUES (?)',
    },
    ['Ann'],
  );

  testSql(
    'has no RETURNING when no key column is asked for',
    (d) => insertStatement(d, 'users', { name: 'Ann' }),
    {
      sqlite: 'INSERT INTO "users" ("name") VALUES (?)',
      postgres: 'INSERT INTO "users" ("name") VALUES (?)',
      mysql: 'INSERT INTO `users` (`name`) VALUES (?)',
    },
    ['Ann'],
  );

  testSql('inserts a row of defaults when no column has a value', (d) => insertStatement(d, 'users', {}), {
    sqlite: 'INSERT INTO "users" DEFAULT VALUES',
    postgres: 'INSERT INTO "users" DEFAULT VALUES',
    mysql: 'INSERT INTO `users` () VALUES ()',
  });

  testSql(
    'inserts a row of defaults, with RETURNING on PostgreSQL, when every value is undefined',
    (d) => insertStatement(d, 'users', { name: undefined }, 'id'),
    {
      sqlite: 'INSERT INTO "users" DEFAULT VALUES',
      postgres: 'INSERT INTO "users" DEFAULT VALUES RETURNING "id"',
      mysql: 'INSERT INTO `users` () VALUES ()',
    },
  );

  it('refuses a returning column carrying SQL (postgres, the dialect that emits RETURNING)', () => {
    assert.throws(
      () => insertStatement(postgresDialect, 'users', { name: 'Ann' }, 'id; DROP TABLE users'),
      InvalidQueryError,
    );
  });
});

describe('insertManyStatements', () => {
  testSql(
    'inserts several rows in one statement',
    (d) => {
      const statements = insertManyStatements(d, 'users', [
        { name: 'Ann', age: 30 },
        { name: 'Bob', age: 40 },
      ]);
      assert.equal(statements.length, 1);
      return statements[0] as Statement;
    },
    {
      sqlite: 'INSERT INTO "users" ("name", "age") VALUES (?, ?), (?, ?)',
      postgres: 'INSERT INTO "users" ("name", "age") VALUES (?, ?), (?, ?)',
      mysql: 'INSERT INTO `users` (`name`, `age`) VALUES (?, ?), (?, ?)',
    },
    ['Ann', 30, 'Bob', 40],
  );

  testSql(
    'lists the union of the rows’ columns and fills NULL where a row has none',
    (d) => {
      const statements = insertManyStatements(d, 'users', [
        { name: 'Ann' },
        { age: 40, name: undefined },
        { name: 'Cy', key: 'k' },
      ]);
      assert.equal(statements.length, 1);
      return statements[0] as Statement;
    },
    {
      sqlite: 'INSERT INTO "users" ("name", "age", "key") VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)',
      postgres: 'INSERT INTO "users" ("name", "age", "key") VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)',
      mysql: 'INSERT INTO `users` (`name`, `age`, `key`) VALUES (?, ?, ?), (?, ?, ?), (?, ?, ?)',
    },
    ['Ann', null, null, null, 40, null, 'Cy', null, 'k'],
  );

  for (const dialect of DIALECTS) {
    it(`gives no statement for no rows (${dialect.name})`, () => {
      assert.deepEqual(insertManyStatements(dialect, 'users', []), []);
    });
  }

  testSql(
    'inserts one row of defaults per row when no row has a value',
    (d) => {
      const statements = insertManyStatements(d, 'users', [{}, { name: undefined }]);
      assert.equal(statements.length, 2);
      assert.deepEqual(statements[1], statements[0]);
      return statements[0] as Statement;
    },
    {
      sqlite: 'INSERT INTO "users" DEFAULT VALUES',
      postgres: 'INSERT INTO "users" DEFAULT VALUES',
      mysql: 'INSERT INTO `users` () VALUES ()',
    },
  );

  const expectedChunks: Record<DialectName, { maxParameters: number; rows: number[] }> = {
    // floor(32766 / 2) = 16383 rows per statement; ceil(80000 / 32766) = 3 statements.
    sqlite: { maxParameters: 32766, rows: [16383, 16383, 7234] },
    // floor(65535 / 2) = 32767 rows per statement.
    postgres: { maxParameters: 65535, rows: [32767, 7233] },
    mysql: { maxParameters: 65535, rows: [32767, 7233] },
  };

  for (const dialect of DIALECTS) {
    it(`splits 40,000 rows × 2 columns under the parameter limit (${dialect.name})`, () => {
      const expected = expectedChunks[dialect.name];
      assert.equal(dialect.maxParameters, expected.maxParameters);
      const rows = Array.from({ length: 40_000 }, (_, i) => ({ name: `n${i}`, age: i }));
      const statements = insertManyStatements(dialect, 'users', rows);

      assert.deepEqual(
        statements.map((s) => s.params.length / 2),
        expected.rows,
      );
      const head = `INSERT INTO ${dialect.quoteIdentifier('users')} (${dialect.quoteIdentifier('name')}, ${dialect.quoteIdentifier('age')}) VALUES `;
      for (const statement of statements) {
        assert.ok(statement.params.length <= dialect.maxParameters);
        assert.ok(statement.sql.startsWith(head));
        assert.equal(dialect.compile(statement.sql).placeholders, statement.params.length);
      }
      // Every row is sent once, in order.
      const names = statements.flatMap((s) => s.params.filter((_, i) => i % 2 === 0));
      assert.equal(names.length, 40_000);
      assert.equal(names[0], 'n0');
      assert.equal(names[16_383], 'n16383');
      assert.equal(names[39_999], 'n39999');
    });
  }

  it('fills each statement up to the limit when the column count does not divide it (sqlite, 3 columns)', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ a: i, b: i, c: i }));
    const statements = insertManyStatements(sqliteDialect, 't', rows);
    // floor(32766 / 3) = 10922 rows, 32766 parameters.
    assert.deepEqual(
      statements.map((s) => s.params.length),
      [32766, (20_000 - 10_922) * 3],
    );
  });
});

describe('adjustStatement', () => {
  testSql(
    'adds to the column in the database, the amount before the where parameters',
    (d) => adjustStatement(d, 'users', 'age', 2, ['id = ?', 7]),
    {
      sqlite: 'UPDATE "users" SET "age" = "age" + ? WHERE id = ?',
      postgres: 'UPDATE "users" SET "age" = "age" + ? WHERE id = ?',
      mysql: 'UPDATE `users` SET `age` = `age` + ? WHERE id = ?',
    },
    [2, 7],
  );
  testSql(
    'returns the new value when asked',
    (d) => adjustStatement(d, 'users', 'age', -1, ['id = ?', 7], true),
    {
      sqlite: 'UPDATE "users" SET "age" = "age" + ? WHERE id = ? RETURNING "age"',
      postgres: 'UPDATE "users" SET "age" = "age" + ? WHERE id = ? RETURNING "age"',
      mysql: 'UPDATE `users` SET `age` = `age` + ? WHERE id = ? RETURNING `age`',
    },
    [-1, 7],
  );
  testRefused('refuses an empty condition, which would reach every row', (d) =>
    adjustStatement(d, 'users', 'age', 1, []),
  );
});

describe('updateStatement', () => {
  testSql(
    'sets the given columns, then the where parameters',
    (d) => updateStatement(d, 'users', { name: 'Ann', age: 31 }, ['id = ?', 7]),
    {
      sqlite: 'UPDATE "users" SET "name" = ?, "age" = ? WHERE id = ?',
      postgres: 'UPDATE "users" SET "name" = ?, "age" = ? WHERE id = ?',
      mysql: 'UPDATE `users` SET `name` = ?, `age` = ? WHERE id = ?',
    },
    ['Ann', 31, 7],
  );

  testSql(
    'updates every row with ALL_ROWS, leaving out undefined values and keeping null',
    (d) => updateStatement(d, 'users', { name: undefined, age: null }, ALL_ROWS),
    {
      sqlite: 'UPDATE "users" SET "age" = ?',
      postgres: 'UPDATE "users" SET "age" = ?',
      mysql: 'UPDATE `users` SET `age` = ?',
    },
    [null],
  );

  testSql(
    'quotes a reserved word used as a column',
    (d) => updateStatement(d, 'order', { select: 1 }, 'id = 2'),
    {
      sqlite: 'UPDATE "order" SET "select" = ? WHERE id = 2',
      postgres: 'UPDATE "order" SET "select" = ? WHERE id = 2',
      mysql: 'UPDATE `order` SET `select` = ? WHERE id = 2',
    },
    [1],
  );

  for (const dialect of DIALECTS) {
    it(`throws InvalidQueryError when there is no column to set (${dialect.name})`, () => {
      assert.throws(() => updateStatement(dialect, 'users', {}, ALL_ROWS), {
        name: 'InvalidQueryError',
        message: 'update(users) needs at least one column to set.',
      });
      assert.throws(
        () => updateStatement(dialect, 'users', { name: undefined }, ALL_ROWS),
        InvalidQueryError,
      );
    });

    it(`refuses a missing or empty where, saying how to update every row (${dialect.name})`, () => {
      for (const where of [undefined, null, [], '', '  ', [''], sql``] as const) {
        assert.throws(() => updateStatement(dialect, 'users', { age: 1 }, where), {
          name: 'InvalidQueryError',
          message: /update\(users\) was given no condition .*ALL_ROWS/,
        });
      }
    });
  }
});

describe('deleteStatement', () => {
  testSql('deletes every row with ALL_ROWS', (d) => deleteStatement(d, 'users', ALL_ROWS), {
    sqlite: 'DELETE FROM "users"',
    postgres: 'DELETE FROM "users"',
    mysql: 'DELETE FROM `users`',
  });

  testSql(
    'deletes the rows matching a where',
    (d) => deleteStatement(d, 'users', ['id IN (?, ?)', 1, 2]),
    {
      sqlite: 'DELETE FROM "users" WHERE id IN (?, ?)',
      postgres: 'DELETE FROM "users" WHERE id IN (?, ?)',
      mysql: 'DELETE FROM `users` WHERE id IN (?, ?)',
    },
    [1, 2],
  );

  testSql(
    'accepts a sql fragment as the where',
    (d) => deleteStatement(d, 'users', sql`age < ${18}`),
    {
      sqlite: 'DELETE FROM "users" WHERE age < ?',
      postgres: 'DELETE FROM "users" WHERE age < ?',
      mysql: 'DELETE FROM `users` WHERE age < ?',
    },
    [18],
  );

  for (const dialect of DIALECTS) {
    it(`refuses a missing or empty where, saying how to delete every row (${dialect.name})`, () => {
      for (const where of [undefined, null, [], '', '  ', [''], sql` `] as const) {
        assert.throws(() => deleteStatement(dialect, 'users', where), {
          name: 'InvalidQueryError',
          message: /delete\(users\) was given no condition .*ALL_ROWS/,
        });
      }
    });
  }
});

describe('parameter limit', () => {
  for (const dialect of DIALECTS) {
    it(`compiles up to maxParameters placeholders and refuses more (${dialect.name})`, () => {
      const marks = (n: number) =>
        `SELECT 1 WHERE id IN (${Array.from({ length: n }, () => '?').join(', ')})`;
      assert.equal(dialect.compile(marks(dialect.maxParameters)).placeholders, dialect.maxParameters);
      assert.throws(() => dialect.compile(marks(dialect.maxParameters + 1)), {
        name: 'InvalidQueryError',
        message: new RegExp(
          `has ${dialect.maxParameters + 1} placeholders, more than the ${dialect.maxParameters}`,
        ),
      });
      // A "?" that is text does not count.
      assert.equal(dialect.compile(`SELECT '${'?'.repeat(70_000)}'`).placeholders, 0);
    });
  }
});

describe('column lists that are not strings, lists or fragments', () => {
  for (const value of [42, { text: '1; DROP TABLE users', params: [] }, null, true]) {
    testRefused(`orderBy ${JSON.stringify(value)} is refused`, (d) =>
      selectStatement(d, 'users', { orderBy: value as never }),
    );
    testRefused(`group ${JSON.stringify(value)} is refused`, (d) =>
      selectStatement(d, 'users', { group: value as never }),
    );
    testRefused(`select ${JSON.stringify(value)} is refused`, (d) =>
      selectStatement(d, 'users', { select: value as never }),
    );
  }
});

describe('skipDuplicates', () => {
  it('skips only a row a unique key holds: never INSERT IGNORE / INSERT OR IGNORE, which hide other errors', () => {
    const clauses = Object.fromEntries(
      DIALECTS.map((dialect) => [
        dialect.name,
        dialect.skipDuplicates(dialect.quoteIdentifier('PlaylistId')),
      ]),
    );
    assert.deepEqual(clauses, {
      sqlite: ' ON CONFLICT DO NOTHING',
      postgres: ' ON CONFLICT DO NOTHING',
      mysql: ' ON DUPLICATE KEY UPDATE `PlaylistId` = `PlaylistId`',
    });
  });
});
