import type { Dialect } from '../dialect.js';
import { compiler, quoteWith } from '../dialect-kit.js';
import { isolationSql } from '../isolation-level.js';
import { postgresMigrationLock } from './postgres-migration-lock.js';
import {
  postgresColumns,
  postgresColumnsQuery,
  postgresConstraintCatalogue,
  postgresType,
  postgresUniqueKeys,
} from './postgres-catalogue.js';
import { postgresDdl } from './postgres-ddl.js';
import {
  postgresConstraintViolation,
  postgresErrorKind,
  postgresMissingTable,
  postgresStaleColumns,
} from './postgres-errors.js';
import { introspectPostgres } from './postgres-introspector.js';
import { POSTGRES_LEXICAL } from './postgres-lexical.js';
import { postgresStoredTime } from './postgres-values.js';

const lexical = POSTGRES_LEXICAL;

// The bind message counts parameters in an Int16 (node-postgres would send a larger count wrapped).
const MAX_PARAMETERS = 65535;

/** PostgreSQL: `$n` placeholders, double-quoted identifiers, the new id through `RETURNING`. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  displayName: 'PostgreSQL',
  lexical,
  maxParameters: MAX_PARAMETERS,
  insertReturning: true,
  updateReturning: true,
  bulkInsertKeys: 'returning',
  beginTransaction: 'BEGIN',
  beginTransactionAt: (isolation) => [`BEGIN ISOLATION LEVEL ${isolationSql(isolation)}`],
  abortsTransactionOnError: true,
  transactionalDdl: true,
  lockClauses: { update: ' FOR UPDATE', share: ' FOR SHARE' },
  quoteIdentifier: (name) => quoteWith('"', name),
  compile: compiler(lexical, MAX_PARAMETERS, (index) => `$${index + 1}`),
  limitOffset: (limit, offset) =>
    (limit === undefined ? '' : ` LIMIT ${limit}`) + (offset === undefined ? '' : ` OFFSET ${offset}`),
  skipDuplicates: () => ' ON CONFLICT DO NOTHING',
  upsert: {
    // With nothing to update, the row is set to itself: DO NOTHING would leave it out of RETURNING.
    clause: ({ table, conflict, update, increment }) => {
      const sets = [
        ...update.map((c) => `${c} = EXCLUDED.${c}`),
        ...increment.map((c) => `${c} = ${table}.${c} + 1`),
      ];
      return ` ON CONFLICT (${conflict.join(', ')}) DO UPDATE SET ${sets.length > 0 ? sets.join(', ') : `${conflict[0] ?? ''} = EXCLUDED.${conflict[0] ?? ''}`}`;
    },
    // The row version an INSERT wrote has no deleting or locking transaction; an updated one has this one.
    inserted: '(xmax = 0)',
    uniqueKeys: postgresUniqueKeys,
  },
  insertDefaults: (table) => `INSERT INTO ${table} DEFAULT VALUES`,

  storedTime: postgresStoredTime,
  // Its text keeps the microseconds a Date drops; as an untyped parameter it is read back as the column's type.
  exactDateText: (quotedColumn) => `${quotedColumn}::text`,
  // The driver is configured to parse every type itself (see postgres-driver.ts).
  readConverter: () => undefined,

  columnsQuery: postgresColumnsQuery,
  parseColumns: postgresColumns,
  portableType: (declared) => postgresType(declared.toLowerCase()),
  introspect: introspectPostgres,
  constraintCatalogue: postgresConstraintCatalogue,

  errorKind: postgresErrorKind,
  constraintViolation: postgresConstraintViolation,
  printedValueSeparator: ', ',
  staleColumns: postgresStaleColumns,
  missingTable: postgresMissingTable,

  ddl: postgresDdl,
  migrationLock: postgresMigrationLock,
};
