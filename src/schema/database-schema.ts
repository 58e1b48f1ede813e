import type { DialectName } from '../dialects/dialect.js';
import type { TableSchema } from '../dialects/table-schema.js';

/** The tables of a database (or of PostgreSQL's current schema), sorted by name. */
export interface DatabaseSchema {
  readonly dialect: DialectName;
  readonly tables: readonly TableSchema[];
}
