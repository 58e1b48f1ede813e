import {
  compiler,
  limitOffsetWith,
  parseBoolean,
  parseJson,
  quoteWith,
  splitTableName,
  type ColumnInfo,
  type ColumnKind,
  type Dialect,
} from '../dialect.js';
import { yearRange } from '../../sql/values.js';

const lexical = {
  backslashEscapes: true,
  dollarQuotes: false,
  hashComments: true,
  backtickIdentifiers: true,
  bracketIdentifiers: false,
  nestedComments: false,
  dashCommentNeedsSpace: true,
};

function kindOf(columnType: string): ColumnKind {
  // MySQL's BOOLEAN is an alias of TINYINT(1).
  if (columnType === 'tinyint(1)' || columnType === 'boolean') return 'boolean';
  if (columnType === 'date') return 'date';
  if (columnType.startsWith('datetime') || columnType.startsWith('timestamp')) return 'datetime';
  if (/^(tiny|small|medium|big)?int\b/.test(columnType)) return 'integer';
  if (/^(?:decimal|numeric)\b/.test(columnType)) return 'decimal';
  if (columnType === 'json') return 'json';
  if (/^(?:var)?char\(|^(?:tiny|medium|long)?text$/.test(columnType)) return 'text';
  return 'other';
}

/** The n of `char(n)` / `varchar(n)`, in characters (not bytes). */
function maxLengthOf(columnType: string): number | undefined {
  const n = /^(?:var)?char\((\d+)\)/.exec(columnType)?.[1];
  return n === undefined ? undefined : Number(n);
}

// A prepared statement counts its placeholders in 16 bits.
const MAX_PARAMETERS = 65535;

/** MySQL and MariaDB: backquoted identifiers, server-side `?` placeholders, the new id from the OK packet. */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  lexical,
  maxParameters: MAX_PARAMETERS,
  insertReturning: false,
  bulkInsertKeys: 'first',
  beginTransaction: 'START TRANSACTION',
  abortsTransactionOnError: false,
  transactionalDdl: false,
  lockClauses: { update: ' FOR UPDATE', share: ' LOCK IN SHARE MODE' },
  quoteIdentifier: (name) => quoteWith('`', name),
  compile: compiler(lexical, MAX_PARAMETERS),
  limitOffset: limitOffsetWith('18446744073709551615'),
  // Not INSERT IGNORE, which also turns other errors (a foreign key, a truncation) into warnings.
  skipDuplicates: (column) => ` ON DUPLICATE KEY UPDATE ${column} = ${column}`,
  insertDefaults: (table) => `INSERT INTO ${table} () VALUES ()`,
  // The documented range of DATE and DATETIME on both. MariaDB keeps some earlier dates, but mysql2 reads the
  // years 0–99 as 1900–1999 and sends a year past 9999 as a zero date, so nothing outside is sent.
  dateRange: yearRange('1000', '9999', 'MySQL and MariaDB DATE and DATETIME columns hold only'),
  columnsQuery: (table) => [
    // MariaDB's JSON is LONGTEXT with a json_valid() CHECK constraint; MySQL reports json itself. The column is
    // found in the clause as text (LOCATE: a LIKE pattern would take a `_` in its name for any character).
    `SELECT c.column_name AS name, c.column_type AS type, c.is_nullable AS nullable, c.column_key AS pk,
            c.numeric_precision AS num_precision, c.numeric_scale AS num_scale,
            c.datetime_precision AS fraction_digits, c.character_set_name AS charset,
            EXISTS (SELECT 1 FROM information_schema.table_constraints tc
                      JOIN information_schema.check_constraints cc
                        ON cc.constraint_schema = tc.constraint_schema AND cc.constraint_name = tc.constraint_name
                     WHERE tc.table_schema = c.table_schema AND tc.table_name = c.table_name
                       AND tc.constraint_type = 'CHECK'
                       AND LOCATE(CONCAT('json_valid(\`', REPLACE(c.column_name, '\`', '\`\`'), '\`)'),
                                  cc.check_clause) > 0) AS is_json
       FROM information_schema.columns c
      WHERE c.table_schema = COALESCE(?, DATABASE()) AND c.table_name = ?
      ORDER BY c.ordinal_position`,
    splitTableName(table),
  ],
  // ER_BAD_FIELD_ERROR: "Unknown column … in 'field list'".
  staleColumns: (error) => (error as { errno?: unknown } | null)?.errno === 1054,
  // ER_NO_SUCH_TABLE: "Table 'shop.albums' doesn't exist".
  missingTable: (error) => {
    const { errno, message } = (error ?? {}) as { errno?: unknown; message?: unknown };
    if (errno !== 1146) return undefined;
    const named = /^Table '(?:[^'.]*\.)?(.*)' doesn't exist/.exec(String(message));
    return named?.[1] ?? '';
  },
  parseColumns: (rows) =>
    rows.map((row) => {
      const type = String(row.type).toLowerCase();
      const kind = Number(row.is_json) === 1 ? 'json' : kindOf(type);
      return {
        name: String(row.name),
        type,
        kind,
        nullable: row.nullable === 'YES',
        primaryKey: row.pk === 'PRI',
        maxLength: maxLengthOf(type),
        ...(kind === 'decimal' && row.num_precision != null
          ? { precision: Number(row.num_precision), scale: Number(row.num_scale ?? 0) }
          : {}),
        ...(kind === 'datetime' && row.fraction_digits != null
          ? { fractionDigits: Number(row.fraction_digits) }
          : {}),
        ...(row.charset != null ? { charset: String(row.charset).toLowerCase() } : {}),
      };
    }),
  // MariaDB cuts the fraction a DATETIME(n) does not keep; so does MySQL with TIME_TRUNCATE_FRACTIONAL (it
  // rounds without). Twistar sends the cut value, so both store what the object holds.
  storedTime: (time, fractionDigits) => {
    const step = 10 ** (3 - fractionDigits);
    return Math.floor(time / step) * step;
  },
  // DATETIME(6)'s microseconds, which a Date drops; compared with the column, the text is read as a date-time.
  exactDateText: (quotedColumn) => `CAST(${quotedColumn} AS CHAR)`,
  readConverter(column: ColumnInfo) {
    if (column.kind === 'boolean') return parseBoolean;
    // mysql2 parses MySQL's JSON type itself; MariaDB's LONGTEXT may arrive as text.
    if (column.kind === 'json') return parseJson;
    return undefined;
  },
};
