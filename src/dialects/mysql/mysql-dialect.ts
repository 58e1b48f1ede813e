import { yearRange } from '../../sql/values.js';
import type { ColumnInfo, Dialect } from '../dialect.js';
import { compiler, limitOffsetWith, parseBoolean, parseJson, quoteWith } from '../dialect-kit.js';
import { isolationSql } from '../isolation-level.js';
import {
  mysqlColumns,
  mysqlColumnsQuery,
  mysqlConstraintCatalogue,
  mysqlType,
  mysqlGeneratedKey,
  mysqlUniqueIndexes,
} from './mysql-catalogue.js';
import { unholdableText } from './mysql-charsets.js';
import { mysqlDdl } from './mysql-ddl.js';
import {
  mysqlConstraintViolation,
  mysqlErrorKind,
  mysqlMissingTable,
  mysqlStaleColumns,
} from './mysql-errors.js';
import { introspectMysql } from './mysql-introspector.js';
import { mysqlMigrationLock } from './mysql-migration-lock.js';

const lexical = {
  backslashEscapes: true,
  dollarQuotes: false,
  hashComments: true,
  backtickIdentifiers: true,
  bracketIdentifiers: false,
  nestedComments: false,
  dashCommentNeedsSpace: true,
};

// A prepared statement counts its placeholders in 16 bits.
const MAX_PARAMETERS = 65535;

/** MySQL and MariaDB: backquoted identifiers, server-side `?` placeholders, the new id from the OK packet. */
export const mysqlDialect: Dialect = {
  name: 'mysql',
  displayName: 'MySQL',
  lexical,
  maxParameters: MAX_PARAMETERS,
  insertReturning: false,
  bulkInsertKeys: 'first',
  beginTransaction: 'START TRANSACTION',
  // START TRANSACTION takes no isolation level: SET TRANSACTION (without SESSION) sets the next transaction's.
  beginTransactionAt: (isolation) => [
    `SET TRANSACTION ISOLATION LEVEL ${isolationSql(isolation)}`,
    'START TRANSACTION',
  ],
  abortsTransactionOnError: false,
  transactionalDdl: false,
  lockClauses: { update: ' FOR UPDATE', share: ' LOCK IN SHARE MODE' },
  quoteIdentifier: (name) => quoteWith('`', name),
  compile: compiler(lexical, MAX_PARAMETERS),
  limitOffset: limitOffsetWith('18446744073709551615'),
  // Not INSERT IGNORE, which also turns other errors (a foreign key, a truncation) into warnings.
  skipDuplicates: (column) => ` ON DUPLICATE KEY UPDATE ${column} = ${column}`,
  // ON DUPLICATE KEY names no key: it acts on a conflict with any unique key (see docs/queries.md, "Upsert").
  // VALUES(c) is the inserted row's value on MySQL and MariaDB alike (MySQL 8.0.20's row alias is not MariaDB's).
  upsert: {
    clause: ({ conflict, update, increment }) => {
      const sets = [...update.map((c) => `${c} = VALUES(${c})`), ...increment.map((c) => `${c} = ${c} + 1`)];
      return ` ON DUPLICATE KEY UPDATE ${sets.length > 0 ? sets.join(', ') : `${conflict[0] ?? ''} = ${conflict[0] ?? ''}`}`;
    },
    uniqueKeys: (table) => mysqlUniqueIndexes(table),
    generatedKey: mysqlGeneratedKey,
  },
  insertDefaults: (table) => `INSERT INTO ${table} () VALUES ()`,

  // The documented range of DATE and DATETIME on both. MariaDB keeps some earlier dates, but mysql2 reads the
  // years 0–99 as 1900–1999 and sends a year past 9999 as a zero date, so nothing outside is sent.
  dateRange: yearRange('1000', '9999', 'MySQL and MariaDB DATE and DATETIME columns hold only'),
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
  unholdableText,

  columnsQuery: mysqlColumnsQuery,
  parseColumns: mysqlColumns,
  portableType: (declared) => mysqlType(declared.toLowerCase()),
  introspect: introspectMysql,
  constraintCatalogue: mysqlConstraintCatalogue,

  errorKind: mysqlErrorKind,
  constraintViolation: mysqlConstraintViolation,
  printedValueSeparator: '-',
  staleColumns: mysqlStaleColumns,
  missingTable: mysqlMissingTable,

  ddl: mysqlDdl,
  migrationLock: mysqlMigrationLock,
};
