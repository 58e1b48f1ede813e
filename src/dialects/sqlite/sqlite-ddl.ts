import type { DdlRules } from '../ddl-rules.js';

/** SQLite's schema changes: its rowid key, text dates, and an ALTER TABLE that changes little. */
export const sqliteDdl: DdlRules = {
  types: {
    integer: 'INTEGER',
    bigint: 'BIGINT',
    text: 'TEXT',
    boolean: 'BOOLEAN',
    date: 'DATE',
    datetime: 'DATETIME',
    float: 'REAL',
    // TEXT affinity keeps the JSON text as written; "JSON" in the name lets Twistar parse it on read.
    json: 'JSON TEXT',
    binary: 'BLOB',
    uuid: 'CHAR(36)',
  },
  idColumn: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  now: (day) => (day ? "(date('now'))" : "(strftime('%Y-%m-%d %H:%M:%f', 'now'))"),
  partialIndexes: true,
  booleanLiteral: (value) => (value ? '1' : '0'),
  bytesLiteral: (hex) => `X'${hex}'`,
  expressionDefaults: new Set(),
  dropIndex: (index) => `DROP INDEX ${index}`,
  // Never called: limitedAlterTable refuses dropping a foreign key first.
  dropForeignKey: (table, name) => `ALTER TABLE ${table} DROP CONSTRAINT ${name}`,
  renameTable: (from, to) => `ALTER TABLE ${from} RENAME TO ${to}`,
  // SQLite takes a new column's foreign key only inline.
  addedColumnForeignKey: 'inline',
  limitedAlterTable: {
    advice:
      'Create a new table with the schema you want, copy the rows over, drop the old table and rename the new ' +
      'one (https://www.sqlite.org/lang_altertable.html#otheralter).',
  },
  indexIfNotExists: () => Promise.resolve(true),
};
