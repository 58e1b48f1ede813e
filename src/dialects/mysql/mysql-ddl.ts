import type { DdlRules } from '../ddl-rules.js';
import {
  detectMysqlServer,
  mysqlIndexExistsQuery,
  takesCreateIndexIfNotExists,
  type MysqlServer,
} from './mysql-server.js';

/** MySQL's and MariaDB's schema changes: AUTO_INCREMENT keys, LONGTEXT, per-table index names. */
export const mysqlDdl: DdlRules = {
  types: {
    integer: 'INT',
    bigint: 'BIGINT',
    // MySQL's TEXT stops at 64 KiB; LONGTEXT holds what PostgreSQL's and SQLite's TEXT hold.
    text: 'LONGTEXT',
    boolean: 'BOOLEAN',
    date: 'DATE',
    datetime: 'DATETIME(3)',
    float: 'DOUBLE',
    json: 'JSON',
    binary: 'LONGBLOB',
    uuid: 'CHAR(36)',
  },
  idColumn: 'BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY',
  now: (day) => (day ? '(UTC_DATE())' : '(UTC_TIMESTAMP(3))'),
  // No partial indexes: a unique index over the live rows is a generated column that is NULL for deleted rows.
  partialIndexAdvice:
    'MySQL and MariaDB have no partial indexes. Add a generated column that is NULL for deleted rows and index it ' +
    'with the columns: `alive TINYINT AS (IF(deleted_at IS NULL, 1, NULL)) STORED` and UNIQUE (email, alive) ' +
    '(NULLs never collide), in SQL of your own (see docs/migrations.md, "Unique among live rows").',
  booleanLiteral: (value) => (value ? '1' : '0'),
  bytesLiteral: (hex) => `X'${hex}'`,
  // MySQL 8 takes a literal default of these types only as an expression in parentheses (MariaDB takes both).
  expressionDefaults: new Set(['text', 'json', 'binary']),
  // Index names are per table.
  dropIndex: (index, table) => `DROP INDEX ${index} ON ${table}`,
  dropForeignKey: (table, name) => `ALTER TABLE ${table} DROP FOREIGN KEY ${name}`,
  renameTable: (from, to) => `RENAME TABLE ${from} TO ${to}`,
  // MySQL ignores a foreign key written inline in ADD COLUMN.
  addedColumnForeignKey: 'separate',
  // MariaDB takes CREATE INDEX IF NOT EXISTS, MySQL does not; a builder without a pool assumes MariaDB.
  indexIfNotExists: async (session, server) =>
    takesCreateIndexIfNotExists(
      (server as MysqlServer | undefined) ??
        (session === undefined ? 'mariadb' : await detectMysqlServer(session)),
    ),
  indexExistsQuery: mysqlIndexExistsQuery,
};
