import type { ConnectionPool } from '../connection/connection-pool.js';
import type { DatabaseSchema } from './database-schema.js';
import type { IntrospectOptions } from './introspect-options.js';

/**
 * Options of `Registry.verify()` / `verifyModels()`. `migrationsTable` and `exclude` are passed to
 * `introspect()` when the schema is read here: a model whose table they leave out is reported missing.
 */
export interface VerifyOptions extends IntrospectOptions {
  /** The database to compare with (default `Registry.DBPOOL`). */
  readonly pool?: ConnectionPool;
  /** The models to check (default: every registered model class). */
  readonly models?: readonly (abstract new (...args: never[]) => unknown)[];
  /** A schema already introspected, instead of reading the database. */
  readonly schema?: DatabaseSchema;
  /** Reject with SchemaMismatchError, listing the problems, instead of resolving to them. */
  readonly throw?: boolean;
}
