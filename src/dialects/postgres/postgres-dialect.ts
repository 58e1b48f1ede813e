import { compiler, quoteWith, splitTableName, type ColumnKind, type Dialect } from '../dialect.js';
import { postgresStoredTime } from './postgres-values.js';

const lexical = {
  backslashEscapes: false,
  dollarQuotes: true,
  hashComments: false,
  backtickIdentifiers: false,
  bracketIdentifiers: false,
  nestedComments: true,
  dashCommentNeedsSpace: false,
};

function kindOf(dataType: string): ColumnKind {
  if (dataType === 'boolean') return 'boolean';
  if (dataType === 'date') return 'date';
  if (dataType.startsWith('timestamp')) return 'datetime';
  if (dataType === 'integer' || dataType === 'bigint' || dataType === 'smallint') return 'integer';
  if (dataType === 'numeric') return 'decimal';
  if (dataType === 'json' || dataType === 'jsonb') return 'json';
  if (dataType === 'text' || dataType === 'character varying' || dataType === 'character') return 'text';
  return 'other';
}

// The bind message counts parameters in an Int16 (node-postgres would send a larger count wrapped).
const MAX_PARAMETERS = 65535;

/** PostgreSQL: `$n` placeholders, double-quoted identifiers, the new id through `RETURNING`. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  lexical,
  maxParameters: MAX_PARAMETERS,
  insertReturning: true,
  bulkInsertKeys: 'returning',
  beginTransaction: 'BEGIN',
  abortsTransactionOnError: true,
  transactionalDdl: true,
  lockClauses: { update: ' FOR UPDATE', share: ' FOR SHARE' },
  quoteIdentifier: (name) => quoteWith('"', name),
  compile: compiler(lexical, MAX_PARAMETERS, (index) => `$${index + 1}`),
  limitOffset: (limit, offset) =>
    (limit === undefined ? '' : ` LIMIT ${limit}`) + (offset === undefined ? '' : ` OFFSET ${offset}`),
  skipDuplicates: () => ' ON CONFLICT DO NOTHING',
  insertDefaults: (table) => `INSERT INTO ${table} DEFAULT VALUES`,
  columnsQuery: (table) => [
    `SELECT c.column_name AS name, c.data_type AS type, c.is_nullable AS nullable,
            c.character_maximum_length AS max_length, c.numeric_precision AS num_precision,
            c.numeric_scale AS num_scale, c.datetime_precision AS fraction_digits,
            EXISTS (SELECT 1 FROM information_schema.table_constraints tc
                      JOIN information_schema.key_column_usage k
                        ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
                     WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema
                       AND tc.table_name = c.table_name AND k.column_name = c.column_name) AS pk
       FROM information_schema.columns c
      WHERE c.table_schema = COALESCE(CAST(? AS text), current_schema()) AND c.table_name = ?
      ORDER BY c.ordinal_position`,
    splitTableName(table),
  ],
  parseColumns: (rows) =>
    rows.map((row) => {
      const kind = kindOf(String(row.type).toLowerCase());
      return {
        name: String(row.name),
        type: String(row.type).toLowerCase(),
        kind,
        nullable: row.nullable === 'YES',
        primaryKey: row.pk === true,
        // Only for text: information_schema gives bit(n) and bit varying(n) a length too.
        maxLength:
          row.max_length != null && String(row.type).startsWith('character')
            ? Number(row.max_length)
            : undefined,
        // An unconstrained NUMERIC has no precision: it holds any decimal.
        ...(kind === 'decimal' && row.num_precision != null
          ? { precision: Number(row.num_precision), scale: Number(row.num_scale ?? 0) }
          : {}),
        ...(kind === 'datetime' && row.fraction_digits != null
          ? { fractionDigits: Number(row.fraction_digits) }
          : {}),
      };
    }),
  storedTime: postgresStoredTime,
  // 42703 undefined_column; 0A000 "cached plan must not change result type" (a prepared SELECT * after ALTER).
  staleColumns: (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    return code === '42703' || (code === '0A000' && /cached plan/i.test(String((error as Error).message)));
  },
  // undefined_table: 'relation "albums" does not exist'.
  missingTable: (error) => {
    const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
    if (code !== '42P01') return undefined;
    return /^relation "(.*)" does not exist/.exec(String(message))?.[1] ?? '';
  },
  // Its text keeps the microseconds a Date drops; as an untyped parameter it is read back as the column's type.
  exactDateText: (quotedColumn) => `${quotedColumn}::text`,
  // The driver is configured to parse every type itself (see postgres-driver.ts).
  readConverter: () => undefined,
};
