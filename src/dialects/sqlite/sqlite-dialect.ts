import { decimalParts, decimalText } from '../../sql/decimals.js';
import { yearRange } from '../../sql/values.js';
import type { ColumnInfo, Dialect } from '../dialect.js';
import {
  compiler,
  limitOffsetWith,
  parseBoolean,
  parseJson,
  parseUtcDate,
  quoteWith,
} from '../dialect-kit.js';
import { isolationLevel } from '../isolation-level.js';
import {
  sqliteColumns,
  sqliteColumnsQuery,
  sqliteConstraintCatalogue,
  sqliteType,
  sqliteUniqueKeys,
} from './sqlite-catalogue.js';
import { sqliteDdl } from './sqlite-ddl.js';
import {
  sqliteConstraintViolation,
  sqliteErrorKind,
  sqliteMissingTable,
  sqliteStaleColumns,
} from './sqlite-errors.js';
import { introspectSqlite } from './sqlite-introspector.js';
import { sqliteMigrationLock } from './sqlite-migration-lock.js';

/**
 * A value of a `NUMERIC(p,s)` column as PostgreSQL and MySQL give it: text with `s` places (`0.99`, `2.00`).
 * SQLite keeps numbers as integers or doubles; a double's shortest text is its value. Digits past the scale
 * (another tool's write) are kept, never rounded away; text that is not a number is left as it is.
 */
export function sqliteDecimalText(value: unknown, scale: number): unknown {
  const parts = decimalParts(value);
  return parts === undefined ? value : decimalText(parts, scale);
}

const lexical = {
  backslashEscapes: false,
  dollarQuotes: false,
  hashComments: false,
  backtickIdentifiers: true,
  bracketIdentifiers: true,
  nestedComments: false,
  dashCommentNeedsSpace: false,
};

// SQLITE_MAX_VARIABLE_NUMBER since SQLite 3.32.
const MAX_PARAMETERS = 32766;

/** SQLite: double-quoted identifiers, `?` placeholders as they are, the new id from `lastInsertRowid`. */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  displayName: 'SQLite',
  lexical,
  maxParameters: MAX_PARAMETERS,
  insertReturning: false,
  // better-sqlite3 bundles SQLite 3.35 or later.
  updateReturning: true,
  bulkInsertKeys: 'last',
  beginTransaction: 'BEGIN IMMEDIATE',
  // SQLite's transactions are all serializable (BEGIN IMMEDIATE takes the write lock): every level is kept.
  beginTransactionAt: (isolation) => {
    isolationLevel(isolation);
    return ['BEGIN IMMEDIATE'];
  },
  abortsTransactionOnError: false,
  transactionalDdl: true,
  // BEGIN IMMEDIATE already holds the write lock.
  lockClauses: { update: '', share: '' },
  quoteIdentifier: (name) => quoteWith('"', name),
  compile: compiler(lexical, MAX_PARAMETERS),
  limitOffset: limitOffsetWith('-1'),
  // Not INSERT OR IGNORE, which also skips rows breaking NOT NULL or CHECK constraints.
  skipDuplicates: () => ' ON CONFLICT DO NOTHING',
  // RETURNING cannot tell an inserted row from an updated one, nor is its order the rows' (see UpsertRules).
  upsert: {
    clause: ({ conflict, update, increment }) => {
      const sets = [...update.map((c) => `${c} = excluded.${c}`), ...increment.map((c) => `${c} = ${c} + 1`)];
      return ` ON CONFLICT (${conflict.join(', ')}) DO ${sets.length > 0 ? `UPDATE SET ${sets.join(', ')}` : 'NOTHING'}`;
    },
    uniqueKeys: sqliteUniqueKeys,
  },
  insertDefaults: (table) => `INSERT INTO ${table} DEFAULT VALUES`,

  // A Date is stored as text with a four-digit year, the form that sorts as the instants do and that SQLite's
  // date functions read; a year beyond it (ISO's ±YYYYYY) would sort and compare wrongly, so it is refused.
  dateRange: yearRange(
    '0000',
    '9999',
    'SQLite dates are text (YYYY-MM-DD HH:MM:SS[.sss], which sorts and compares as the instants do), holding only',
  ),
  readConverter(column: ColumnInfo) {
    switch (column.kind) {
      case 'boolean':
        return parseBoolean;
      case 'date':
      case 'datetime':
        return parseUtcDate;
      case 'json':
        return parseJson;
      case 'decimal':
        return (value) => sqliteDecimalText(value, column.scale ?? 0);
      default:
        return undefined;
    }
  },

  columnsQuery: sqliteColumnsQuery,
  parseColumns: sqliteColumns,
  portableType: sqliteType,
  introspect: introspectSqlite,
  constraintCatalogue: sqliteConstraintCatalogue,

  errorKind: sqliteErrorKind,
  constraintViolation: sqliteConstraintViolation,
  // SQLite prints no values; its violations are matched by the values written (see culprits).
  printedValueSeparator: '-',
  staleColumns: sqliteStaleColumns,
  missingTable: sqliteMissingTable,

  ddl: sqliteDdl,
  migrationLock: (session, _table, timeoutMs) => sqliteMigrationLock(session, timeoutMs),
};
