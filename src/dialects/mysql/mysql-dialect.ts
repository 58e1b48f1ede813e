import {
  compiler,
  limitOffsetWith,
  parseBoolean,
  quoteWith,
  type ColumnInfo,
  type ColumnKind,
  type Dialect,
} from '../dialect.js';

const lexical = {
  backslashEscapes: true,
  dollarQuotes: false,
  hashComments: true,
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
  if (columnType === 'json') return 'json';
  return 'other';
}

/** MySQL and MariaDB: backquoted identifiers, server-side `?` placeholders, the new id from the OK packet. */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  lexical,
  maxParameters: 65535,
  insertReturning: false,
  beginTransaction: 'START TRANSACTION',
  lockClauses: { update: ' FOR UPDATE', share: ' LOCK IN SHARE MODE' },
  quoteIdentifier: (name) => quoteWith('`', name),
  compile: compiler(lexical),
  limitOffset: limitOffsetWith('18446744073709551615'),
  insertDefaults: (table) => `INSERT INTO ${table} () VALUES ()`,
  columnsQuery: (table) => [
    `SELECT column_name AS name, column_type AS type, is_nullable AS nullable, column_key AS pk
       FROM information_schema.columns
      WHERE table_schema = DATABASE() AND table_name = ?
      ORDER BY ordinal_position`,
    [table],
  ],
  parseColumns: (rows) =>
    rows.map((row) => ({
      name: String(row.name),
      type: String(row.type).toLowerCase(),
      kind: kindOf(String(row.type).toLowerCase()),
      nullable: row.nullable === 'YES',
      primaryKey: row.pk === 'PRI',
    })),
  readConverter(column: ColumnInfo) {
    return column.kind === 'boolean' ? parseBoolean : undefined;
  },
};
