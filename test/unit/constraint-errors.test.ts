import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError, ValidationError } from '../../src/errors.js';
import type { ConstraintViolation } from '../../src/dialects/driver-errors.js';
import {
  checkColumns,
  constraintMessages,
  culprits,
  violationOf,
} from '../../src/model/constraint-violations.js';
import { Errors } from '../../src/validation/errors.js';
import { DIALECT, type DialectName } from '../support/dialects.js';

/** The violation a dialect reads from a driver's error (or a QueryError wrapping one). */
const readConstraintViolation = (dialect: DialectName, error: unknown) =>
  violationOf(DIALECT[dialect], error);

// The driver errors below are the fields better-sqlite3, pg and mysql2 gave for real statements.

const sqlite = (code: string, message: string) => readConstraintViolation('sqlite', { code, message });
const postgres = (fields: Record<string, string>) => readConstraintViolation('postgres', fields);
const mysql = (errno: number, message: string, code = 'ER_X') =>
  readConstraintViolation('mysql', { errno, code, message, sqlMessage: message });

describe('readConstraintViolation on SQLite', () => {
  it('reads the columns of a unique constraint, without their table', () => {
    assert.deepEqual(sqlite('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: users.email'), {
      kind: 'unique',
      constraint: null,
      columns: ['email'],
      values: null,
    });
    assert.deepEqual(
      sqlite('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed: users.a, users.b')?.columns,
      ['a', 'b'],
    );
    assert.deepEqual(sqlite('SQLITE_CONSTRAINT_PRIMARYKEY', 'UNIQUE constraint failed: users.id'), {
      kind: 'unique',
      constraint: null,
      columns: ['id'],
      values: null,
    });
  });

  it('names the index of a unique index on expressions, which has no column', () => {
    assert.deepEqual(
      sqlite('SQLITE_CONSTRAINT_UNIQUE', "UNIQUE constraint failed: index 'users_lower_email'"),
      { kind: 'unique', constraint: 'users_lower_email', columns: [], values: null },
    );
  });

  it('reads not-null, check and foreign-key failures', () => {
    assert.deepEqual(sqlite('SQLITE_CONSTRAINT_NOTNULL', 'NOT NULL constraint failed: users.name'), {
      kind: 'not-null',
      constraint: null,
      columns: ['name'],
      values: null,
    });
    assert.deepEqual(sqlite('SQLITE_CONSTRAINT_CHECK', 'CHECK constraint failed: age >= 0'), {
      kind: 'check',
      constraint: 'age >= 0',
      columns: [],
      values: null,
    });
    assert.equal(
      sqlite('SQLITE_CONSTRAINT_CHECK', 'CHECK constraint failed: score_small')?.constraint,
      'score_small',
    );
    assert.deepEqual(sqlite('SQLITE_CONSTRAINT_FOREIGNKEY', 'FOREIGN KEY constraint failed'), {
      kind: 'foreign-key',
      constraint: null,
      columns: [],
      values: null,
    });
  });

  it('reads the driver error inside a QueryError, and nothing from other errors', () => {
    const cause = Object.assign(new Error('UNIQUE constraint failed: users.email'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    const error = new QueryError('failed', 'INSERT …', [], cause);
    assert.deepEqual(readConstraintViolation('sqlite', error)?.columns, ['email']);
    assert.equal(sqlite('SQLITE_ERROR', 'no such table: users'), null);
    assert.equal(sqlite('SQLITE_BUSY', 'database is locked'), null);
    assert.equal(readConstraintViolation('sqlite', new Error('x')), null);
    assert.equal(readConstraintViolation('sqlite', null), null);
    assert.equal(readConstraintViolation('sqlite', 'SQLITE_CONSTRAINT_UNIQUE'), null);
  });
});

describe('readConstraintViolation on PostgreSQL', () => {
  it('reads a unique violation from detail: columns, and the values as printed', () => {
    assert.deepEqual(
      postgres({
        code: '23505',
        constraint: 'ab_uniq',
        detail: 'Key (a, b)=(1, 2) already exists.',
        message: 'duplicate key value violates unique constraint "ab_uniq"',
      }),
      { kind: 'unique', constraint: 'ab_uniq', columns: ['a', 'b'], values: '1, 2' },
    );
    assert.deepEqual(
      postgres({ code: '23505', constraint: 'u_key', detail: 'Key ("Mixed ""Case""")=(x) already exists.' })
        ?.columns,
      ['Mixed "Case"'],
    );
  });

  it('keeps the expression of an index on one, and has no columns without detail', () => {
    assert.deepEqual(
      postgres({
        code: '23505',
        constraint: 'lower_email',
        detail: 'Key (lower(email::text))=(a) already exists.',
      })?.columns,
      ['lower(email::text)'],
    );
    assert.deepEqual(postgres({ code: '23505', constraint: 'users_email_key' }), {
      kind: 'unique',
      constraint: 'users_email_key',
      columns: [],
      values: null,
    });
  });

  it('reads not-null from column (or the message), and check by name', () => {
    assert.deepEqual(
      postgres({
        code: '23502',
        column: 'name',
        message: 'null value in column "name" of relation "users" violates not-null constraint',
      })?.columns,
      ['name'],
    );
    assert.deepEqual(
      postgres({
        code: '23502',
        message: 'null value in column "name" of relation "users" violates not-null constraint',
      })?.columns,
      ['name'],
    );
    assert.deepEqual(
      postgres({ code: '23514', constraint: 'users_age_check', detail: 'Failing row contains (6, n, -1).' }),
      { kind: 'check', constraint: 'users_age_check', columns: [], values: null },
    );
  });

  it('tells a missing parent (foreign-key) from a row still referred to (referenced)', () => {
    assert.deepEqual(
      postgres({
        code: '23503',
        constraint: 'kids_user_id_fkey',
        detail: 'Key (user_id)=(99) is not present in table "users".',
      }),
      { kind: 'foreign-key', constraint: 'kids_user_id_fkey', columns: ['user_id'], values: '99' },
    );
    assert.equal(
      postgres({
        code: '23503',
        constraint: 'kids_user_id_fkey',
        detail: 'Key (id)=(1) is still referenced from table "kids".',
      })?.kind,
      'referenced',
    );
  });

  it('reads nothing from other codes', () => {
    assert.equal(postgres({ code: '42P01', message: 'relation "users" does not exist' }), null);
    assert.equal(postgres({ code: '40P01', message: 'deadlock detected' }), null);
  });
});

describe('readConstraintViolation on MySQL and MariaDB', () => {
  it('reads the index name and the printed values of a duplicate (MariaDB and MySQL 8 forms)', () => {
    assert.deepEqual(mysql(1062, "Duplicate entry '1-2' for key 'ab_uniq'", 'ER_DUP_ENTRY'), {
      kind: 'unique',
      constraint: 'ab_uniq',
      columns: [],
      values: '1-2',
    });
    assert.equal(
      mysql(1062, "Duplicate entry 'x' for key 'users.users_email'")?.constraint,
      'users.users_email',
    );
    assert.equal(mysql(1062, "Duplicate entry '1' for key 'PRIMARY'")?.constraint, 'PRIMARY');
  });

  it('reads the column of a NULL given, and of a NOT NULL column left out', () => {
    assert.deepEqual(mysql(1048, "Column 'name' cannot be null"), {
      kind: 'not-null',
      constraint: null,
      columns: ['name'],
      values: null,
    });
    assert.deepEqual(mysql(1364, "Field 'name' doesn't have a default value")?.columns, ['name']);
  });

  it('reads the constraint and columns of a foreign key, either way round', () => {
    assert.deepEqual(
      mysql(
        1452,
        'Cannot add or update a child row: a foreign key constraint fails (`db`.`kids`, CONSTRAINT `kids_ibfk_1` ' +
          'FOREIGN KEY (`user_id`) REFERENCES `users` (`id`))',
      ),
      { kind: 'foreign-key', constraint: 'kids_ibfk_1', columns: ['user_id'], values: null },
    );
    assert.deepEqual(
      mysql(
        1451,
        'Cannot delete or update a parent row: a foreign key constraint fails (`db`.`kids`, CONSTRAINT `kids_ibfk_1` ' +
          'FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE RESTRICT)',
      ),
      { kind: 'referenced', constraint: 'kids_ibfk_1', columns: ['id'], values: null },
    );
  });

  it("reads a failed CHECK by errno: MariaDB's 4025 (whatever code mysql2 names) and MySQL's 3819", () => {
    assert.deepEqual(
      mysql(4025, 'CONSTRAINT `users.age` failed for `db`.`users`', 'ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE'),
      { kind: 'check', constraint: 'users.age', columns: [], values: null },
    );
    assert.equal(mysql(3819, "Check constraint 'score_small' is violated.")?.constraint, 'score_small');
  });

  it('reads nothing from other errors', () => {
    assert.equal(mysql(1146, "Table 'db.users' doesn't exist", 'ER_NO_SUCH_TABLE'), null);
    assert.equal(mysql(1213, 'Deadlock found when trying to get lock', 'ER_LOCK_DEADLOCK'), null);
  });
});

describe('checkColumns', () => {
  const columns = new Set(['id', 'age', 'name', 'first_name', 'score']);

  it("finds the column of MariaDB's and PostgreSQL's names for a column's own check", () => {
    assert.deepEqual(checkColumns('users.age', 'users', columns), ['age']);
    assert.deepEqual(checkColumns('users_age_check', 'users', columns), ['age']);
    assert.deepEqual(checkColumns('users_first_name_check1', 'users', columns), ['first_name']);
  });

  it('finds the columns an expression or a definition mentions, once each', () => {
    assert.deepEqual(checkColumns('age >= 0 AND length(name) > 0 AND age < 200', 'users', columns), [
      'age',
      'name',
    ]);
    assert.deepEqual(checkColumns('CHECK ((score < 10))', 'users', columns), ['score']);
    assert.deepEqual(checkColumns('`score` < 10', 'users', columns), ['score']);
    assert.deepEqual(checkColumns('"first_name" <> \'\'', 'users', columns), ['first_name']);
  });

  it('finds none in a name that is not a column', () => {
    assert.deepEqual(checkColumns('score_small', 'users', columns), []);
    assert.deepEqual(checkColumns('users_check', 'users', columns), []);
  });
});

describe('constraintMessages', () => {
  it('words column messages like the validators', () => {
    assert.deepEqual(constraintMessages('unique', 'ab_uniq', ['a', 'b']), [
      { prop: 'a', message: 'is not unique.' },
      { prop: 'b', message: 'is not unique.' },
    ]);
    assert.deepEqual(constraintMessages('not-null', null, ['name']), [
      { prop: 'name', message: 'cannot be blank.' },
    ]);
    assert.deepEqual(constraintMessages('foreign-key', 'fk', ['user_id']), [
      { prop: 'user_id', message: 'must refer to an existing row.' },
    ]);
    assert.deepEqual(constraintMessages('check', 'users_age_check', ['age']), [
      { prop: 'age', message: 'is not valid (check users_age_check).' },
    ]);
  });

  it("uses a unique column's own message when one is given", () => {
    const message = (column: string) => (column === 'email' ? 'is already registered.' : undefined);
    assert.deepEqual(constraintMessages('unique', null, ['email', 'org'], message), [
      { prop: 'email', message: 'is already registered.' },
      { prop: 'org', message: 'is not unique.' },
    ]);
  });

  it('puts a constraint without known columns under base, naming it', () => {
    assert.deepEqual(constraintMessages('check', 'score_small', []), [
      {
        prop: 'base',
        message: 'The database refused the record: it violates the check constraint score_small.',
      },
    ]);
    assert.deepEqual(constraintMessages('foreign-key', null, []), [
      { prop: 'base', message: 'The database refused the record: it violates a foreign key constraint.' },
    ]);
  });

  it('reads as whole sentences in Errors', () => {
    const errors = new Errors();
    for (const { prop, message } of [
      ...constraintMessages('unique', null, ['first_name']),
      ...constraintMessages('check', 'score_small', []),
    ]) {
      errors.add(prop, message);
    }
    assert.deepEqual(errors.fullMessages(), [
      'First name is not unique.',
      'The database refused the record: it violates the check constraint score_small.',
    ]);
  });
});

describe('culprits (which objects of a multi-row INSERT a violation is about)', () => {
  const rows = [
    { email: 'a', n: 1 },
    { email: 'b', n: null },
    { email: 'a', n: 3 },
  ];
  const of = (fields: Partial<ConstraintViolation>): ConstraintViolation => ({
    kind: 'unique',
    constraint: null,
    columns: ['email'],
    values: null,
    ...fields,
  });

  it('matches the values the database printed', () => {
    assert.deepEqual(culprits(of({ values: 'b' }), DIALECT.postgres, rows, []), [rows[1]]);
    assert.deepEqual(culprits(of({ columns: ['email', 'n'], values: 'a-3' }), DIALECT.mysql, rows, []), [
      rows[2],
    ]);
    assert.deepEqual(culprits(of({ columns: ['email', 'n'], values: 'a, 1' }), DIALECT.postgres, rows, []), [
      rows[0],
    ]);
  });

  it('finds the empty NOT NULL column, and repeated values when the database prints none', () => {
    assert.deepEqual(culprits(of({ kind: 'not-null', columns: ['n'] }), DIALECT.sqlite, rows, []), [rows[1]]);
    assert.deepEqual(culprits(of({}), DIALECT.sqlite, rows, []), [rows[2]]);
    assert.deepEqual(culprits(of({}), DIALECT.sqlite, rows.slice(1), [rows[0]!]), [rows[2]]);
  });

  it('blames every object when none can be told apart', () => {
    assert.deepEqual(culprits(of({ values: 'zzz' }), DIALECT.postgres, rows, []), rows);
    assert.deepEqual(culprits(of({ columns: [] }), DIALECT.postgres, rows, []), rows);
    assert.deepEqual(culprits(of({ kind: 'check', columns: ['n'] }), DIALECT.sqlite, rows, []), rows);
  });
});

describe('ValidationError', () => {
  it('carries the record and its errors, and lists the messages', () => {
    class User {
      id = 3;
    }
    const errors = new Errors();
    errors.add('email', 'is not unique.');
    errors.add('base', 'Ann is on leave.');
    const user = new User();
    const error = new ValidationError(user, errors);
    assert.equal(error.name, 'ValidationError');
    assert.equal(error.message, 'User #3 is not valid: Email is not unique. Ann is on leave.');
    assert.equal(error.record, user);
    assert.equal(error.errors, errors);
  });
});
