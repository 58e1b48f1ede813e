import {
  compiler,
  limitOffsetWith,
  parseBoolean,
  parseJson,
  parseUtcDate,
  quoteWith,
  splitTableName,
  type ColumnInfo,
  type ColumnKind,
  type Dialect,
} from '../dialect.js';
import { yearRange } from '../../sql/values.js';
import { decimalParts, decimalText } from '../../sql/decimals.js';

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

/** SQLite keeps a declared type as text; its affinity rules decide storage, ours decide conversion. */
function kindOf(declared: string): ColumnKind {
  const type = declared.toUpperCase();
  if (decimalOf(declared) !== undefined) return 'decimal';
  if (type.includes('BOOL')) return 'boolean';
  if (type.includes('DATETIME') || type.includes('TIMESTAMP')) return 'datetime';
  if (type === 'DATE') return 'date';
  if (type.includes('INT')) return 'integer';
  if (type.includes('JSON')) return 'json';
  // SQLite's TEXT affinity.
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'text';
  return 'other';
}

/**
 * The n of a declared `VARCHAR(n)`, `CHARACTER(n)`, `NCHAR(n)`, `VARYING CHARACTER(n)`…: SQLite ignores it,
 * Twistar's save() enforces it as the servers do.
 */
function maxLengthOf(declared: string): number | undefined {
  const n = /CHAR[A-Z ]*\(\s*(\d+)\s*\)/i.exec(declared)?.[1];
  return n === undefined ? undefined : Number(n);
}

/**
 * The precision and scale of a declared `NUMERIC(p,s)` / `DECIMAL(p,s)`: SQLite stores any number (or text) in
 * it, Twistar's save() enforces them and reads the values back as the servers give them (text, `s` places).
 * A plain `NUMERIC` without digits is not read as a decimal: SQLite tools use it for dates and booleans too.
 */
function decimalOf(declared: string): { precision: number; scale: number; exactDigits?: number } | undefined {
  const match = /^\s*(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)\s*$/i.exec(declared);
  if (match === null) return undefined;
  const [precision, scale] = [Number(match[1]), Number(match[2] ?? 0)];
  // NUMERIC affinity stores a number of more digits as a double: exact to 15 significant digits.
  return precision > DOUBLE_DIGITS ? { precision, scale, exactDigits: DOUBLE_DIGITS } : { precision, scale };
}

/** The significant decimal digits a 64-bit float keeps exactly. */
const DOUBLE_DIGITS = 15;

// SQLITE_MAX_VARIABLE_NUMBER since SQLite 3.32.
const MAX_PARAMETERS = 32766;

/** SQLite: double-quoted identifiers, `?` placeholders as they are, the new id from `lastInsertRowid`. */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  lexical,
  maxParameters: MAX_PARAMETERS,
  insertReturning: false,
  bulkInsertKeys: 'last',
  beginTransaction: 'BEGIN IMMEDIATE',
  abortsTransactionOnError: false,
  transactionalDdl: true,
  // BEGIN IMMEDIATE already holds the write lock.
  lockClauses: { update: '', share: '' },
  quoteIdentifier: (name) => quoteWith('"', name),
  compile: compiler(lexical, MAX_PARAMETERS),
  limitOffset: limitOffsetWith('-1'),
  // Not INSERT OR IGNORE, which also skips rows breaking NOT NULL or CHECK constraints.
  skipDuplicates: () => ' ON CONFLICT DO NOTHING',
  insertDefaults: (table) => `INSERT INTO ${table} DEFAULT VALUES`,
  // A Date is stored as text with a four-digit year, the form that sorts as the instants do and that SQLite's
  // date functions read; a year beyond it (ISO's ±YYYYYY) would sort and compare wrongly, so it is refused.
  dateRange: yearRange(
    '0000',
    '9999',
    'SQLite dates are text (YYYY-MM-DD HH:MM:SS[.sss], which sorts and compares as the instants do), holding only',
  ),
  // A null schema looks in every attached database, main first, as an unqualified name does.
  columnsQuery: (table) => {
    const [schema, name] = splitTableName(table);
    return ['SELECT name, type, "notnull", pk FROM pragma_table_info(?, ?)', [name, schema]];
  },
  // "no such column: x" (UPDATE, WHERE), "table t has no column named x" (INSERT).
  staleColumns: (error) => {
    const message = String((error as Error | null)?.message);
    return /^no such column: |has no column named /.test(message);
  },
  // "no such table: albums", or "main.albums" when the statement named its schema.
  missingTable: (error) =>
    /^no such table: (?:main\.)?(.*)$/.exec(String((error as Error | null)?.message))?.[1],
  parseColumns: (rows) =>
    rows.map((row) => ({
      name: String(row.name),
      type: String(row.type).toLowerCase(),
      kind: kindOf(String(row.type)),
      nullable: Number(row.notnull) === 0,
      primaryKey: Number(row.pk) > 0,
      maxLength: maxLengthOf(String(row.type)),
      ...decimalOf(String(row.type)),
    })),
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
};
