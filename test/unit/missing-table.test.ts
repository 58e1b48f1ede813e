import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';
import { DIALECTS } from '../support/dialects.js';

describe('the table a driver says does not exist', () => {
  it('reads SQLite, PostgreSQL and MySQL/MariaDB errors', () => {
    const sqlite = (message: string) => Object.assign(new Error(message), { code: 'SQLITE_ERROR' });
    assert.equal(sqliteDialect.missingTable(sqlite('no such table: NoSuchTable')), 'NoSuchTable');
    assert.equal(sqliteDialect.missingTable(sqlite('no such table: main.albums')), 'albums');
    assert.equal(sqliteDialect.missingTable(sqlite('no such column: name')), undefined);
    const pg = (code: string, message: string) => Object.assign(new Error(message), { code });
    assert.equal(
      postgresDialect.missingTable(pg('42P01', 'relation "NoSuchTable" does not exist')),
      'NoSuchTable',
    );
    assert.equal(postgresDialect.missingTable(pg('42703', 'column "x" does not exist')), undefined);
    const mysql = (errno: number, message: string) => Object.assign(new Error(message), { errno });
    assert.equal(
      mysqlDialect.missingTable(mysql(1146, "Table 'shop.no_such_table' doesn't exist")),
      'no_such_table',
    );
    assert.equal(mysqlDialect.missingTable(mysql(1054, "Unknown column 'x' in 'field list'")), undefined);
    // A message in another language still says a table is missing, without its name.
    assert.equal(mysqlDialect.missingTable(mysql(1146, 'La table n’existe pas')), '');
    for (const dialect of DIALECTS) {
      assert.equal(dialect.missingTable(null), undefined);
      assert.equal(dialect.missingTable('text'), undefined);
    }
  });
});
