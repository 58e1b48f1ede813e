import { compiler, quoteWith, splitTableName, type ColumnKind, type Dialect } from '../dialect.js';

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
  insertDefaults: (table) => `INSERT INTO ${table} DEFAULT VALUES`,
  columnsQuery: (table) => [
    `SELECT c.column_name AS name, c.data_type AS type, c.is_nullable AS nullable,
            c.character_maximum_length AS max_length,
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
    rows.map((row) => ({
      name: String(row.name),
      type: String(row.type).toLowerCase(),
      kind: kindOf(String(row.type).toLowerCase()),
      nullable: row.nullable === 'YES',
      primaryKey: row.pk === true,
      // Only for text: information_schema gives bit(n) and bit varying(n) a length too.
      maxLength:
        row.max_length != null && String(row.type).startsWith('character')
          ? Number(row.max_length)
          : undefined,
    })),
  // 42703 undefined_column; 0A000 "cached plan must not change result type" (a prepared SELECT * after ALTER).
  staleColumns: (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    return code === '42703' || (code === '0A000' && /cached plan/i.test(String((error as Error).message)));
  },
  // Its text keeps the microseconds a Date drops; as an untyped parameter it is read back as the column's type.
  exactDateText: (quotedColumn) => `${quotedColumn}::text`,
  // The driver is configured to parse every type itself (see postgres-driver.ts).
  readConverter: () => undefined,
};
