import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitTableName } from '../../src/dialects/dialect-kit.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';

describe('column lookups of schema-qualified tables', () => {
  it('splits schema.table at its first dot', () => {
    assert.deepEqual(splitTableName('invoices'), [null, 'invoices']);
    assert.deepEqual(splitTableName('billing.invoices'), ['billing', 'invoices']);
  });

  it('looks in the named schema, or the connection’s own when there is none', () => {
    const [pgSql, pgParams] = postgresDialect.columnsQuery('billing.invoices');
    assert.match(
      pgSql,
      /WHERE c\.table_schema = COALESCE\(CAST\(\? AS text\), current_schema\(\)\) AND c\.table_name = \?/,
    );
    assert.deepEqual(pgParams, ['billing', 'invoices']);
    assert.deepEqual(postgresDialect.columnsQuery('invoices')[1], [null, 'invoices']);

    const [mySql, myParams] = mysqlDialect.columnsQuery('otherdb.items');
    assert.match(mySql, /WHERE c\.table_schema = COALESCE\(\?, DATABASE\(\)\) AND c\.table_name = \?/);
    assert.deepEqual(myParams, ['otherdb', 'items']);
    assert.deepEqual(mysqlDialect.columnsQuery('items')[1], [null, 'items']);

    assert.deepEqual(sqliteDialect.columnsQuery('main.items'), [
      'SELECT name, type, "notnull", pk FROM pragma_table_info(?, ?)',
      ['items', 'main'],
    ]);
    assert.deepEqual(sqliteDialect.columnsQuery('items')[1], ['items', null]);
  });

  it('quotes each part of a qualified name', () => {
    assert.equal(postgresDialect.quoteIdentifier('billing.invoices'), '"billing"."invoices"');
    assert.equal(mysqlDialect.quoteIdentifier('otherdb.items'), '`otherdb`.`items`');
    assert.equal(sqliteDialect.quoteIdentifier('main.items'), '"main"."items"');
  });
});

describe('errors that say the columns changed', () => {
  const error = (fields: Record<string, unknown>) =>
    Object.assign(new Error(String(fields.message ?? '')), fields);

  it('PostgreSQL: undefined_column, and a cached plan of other columns', () => {
    assert.equal(
      postgresDialect.staleColumns(error({ code: '42703', message: 'column "plan" does not exist' })),
      true,
    );
    assert.equal(
      postgresDialect.staleColumns(
        error({ code: '0A000', message: 'cached plan must not change result type' }),
      ),
      true,
    );
    assert.equal(postgresDialect.staleColumns(error({ code: '0A000', message: 'something else' })), false);
    assert.equal(
      postgresDialect.staleColumns(error({ code: '42P01', message: 'relation does not exist' })),
      false,
    );
  });

  it('MySQL: ER_BAD_FIELD_ERROR (1054)', () => {
    assert.equal(mysqlDialect.staleColumns(error({ errno: 1054, message: "Unknown column 'plan'" })), true);
    assert.equal(mysqlDialect.staleColumns(error({ errno: 1146, message: "Table doesn't exist" })), false);
  });

  it('SQLite: no such column, has no column named', () => {
    assert.equal(sqliteDialect.staleColumns(error({ message: 'no such column: plan' })), true);
    assert.equal(
      sqliteDialect.staleColumns(error({ message: 'table items has no column named plan' })),
      true,
    );
    assert.equal(sqliteDialect.staleColumns(error({ message: 'no such table: items' })), false);
    assert.equal(sqliteDialect.staleColumns(undefined), false);
  });
});
