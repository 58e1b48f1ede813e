import type { Direction, ImportModule } from './migration-files.js';

/** Where the migrations are and how they are recorded. */
export interface MigratorOptions {
  /** The folder of migration files. */
  readonly folder: string;
  /** The table that records applied migrations; default `twistar_migrations`. */
  readonly tableName?: string;
  /** How long to wait for another run's lock before MigrationLockError; default 60 000 ms. */
  readonly lockTimeoutMs?: number;
  /** Imports a `.ts`/`.js` migration by its file URL; `import()` unless the CLI finds a TypeScript loader first. @internal */
  readonly importModule?: ImportModule;
}

/**
 * What `onProgress` hears: a migration starts, one of its statements is sent (or, in a dry run, shown), it is
 * done. `index` counts from 1 to `total`, the number of migrations in the run; `statementIndex` counts the
 * statements of one migration from 1.
 */
export type MigrationProgress =
  | {
      readonly type: 'migrating';
      readonly migration: string;
      readonly direction: Direction;
      readonly index: number;
      readonly total: number;
      readonly dryRun: boolean;
    }
  | {
      readonly type: 'statement';
      readonly migration: string;
      readonly statementIndex: number;
      readonly sql: string;
      readonly params: readonly unknown[];
      readonly dryRun: boolean;
    }
  | {
      readonly type: 'migrated';
      readonly migration: string;
      readonly direction: Direction;
      readonly index: number;
      readonly total: number;
      readonly durationMs: number;
      /** How many statements the migration sent (in a dry run, showed) through `db`: 0 for an unfilled template. */
      readonly statements: number;
      readonly dryRun: boolean;
    };

/** Options of `latest()`. */
export interface MigrateOptions {
  /** Show the statements (through `onProgress`) without running them or recording anything. */
  readonly dryRun?: boolean;
  readonly onProgress?: (event: MigrationProgress) => void;
  /** Go on even though applied migrations were edited since (MigrationChangedError otherwise). */
  readonly allowChanged?: boolean;
}

/** Options of `rollback()`. */
export interface RollbackOptions extends MigrateOptions {
  /** How many batches (runs of `latest()`) to revert; default 1. */
  readonly steps?: number;
}

/** One migration in `status()`: applied, pending, applied but edited since (`changed`), or applied without a file (`missing`). */
export interface MigrationStatus {
  readonly name: string;
  readonly state: 'applied' | 'pending' | 'changed' | 'missing';
  readonly appliedAt: Date | null;
  readonly batch: number | null;
}
