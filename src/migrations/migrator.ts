import type { ConnectionPool } from '../connection/connection-pool.js';
import { forgetColumns } from '../crud/schema-cache.js';
import { InvalidQueryError } from '../errors.js';
import { MigrationChangedError, MigrationFileError, MigrationLockError } from '../tooling-errors.js';
import { MIGRATIONS_TABLE } from '../schema/introspect-options.js';
import { MigrationDb } from './migration-db.js';
import {
  loadStep,
  readMigrationFiles,
  type Direction,
  type ImportModule,
  type MigrationFile,
  type MigrationStep,
} from './migration-files.js';
import { LockLost, type HeldLock, type MigrationLock } from '../dialects/migration-lock.js';
import { MigrationTable, type AppliedMigration } from './migration-table.js';
import { lockLostError, migrationError } from './migration-failure.js';
import { createMigrationFile, type MigrationFormat } from './new-migration.js';
import type {
  MigrateOptions,
  MigrationStatus,
  MigratorOptions,
  RollbackOptions,
} from './migrator-options.js';

export type {
  MigrateOptions,
  MigrationProgress,
  MigrationStatus,
  MigratorOptions,
  RollbackOptions,
} from './migrator-options.js';

/** The longest lockTimeoutMs: PostgreSQL's lock_timeout is a 32-bit number of milliseconds. */
const MAX_LOCK_TIMEOUT_MS = 2_147_483_647;

/** What a run will do, planned under the lock from the migrations table. */
interface RunPlan {
  readonly direction: Direction;
  readonly items: readonly { readonly file: MigrationFile; readonly step: MigrationStep }[];
  /** Records the migration as applied (up) or not (down), inside its transaction. */
  readonly record: (file: MigrationFile) => Promise<void>;
}

/**
 * Applies and reverts the migrations of a folder on a pool, recording them in a table, under a lock that
 * keeps concurrent runs (other processes included) from applying one twice.
 */
export class Migrator {
  readonly #pool: ConnectionPool;
  readonly #folder: string;
  readonly #table: MigrationTable;
  readonly #lock: MigrationLock;
  readonly #importModule: ImportModule | undefined;

  constructor(pool: ConnectionPool, options: MigratorOptions) {
    if (typeof options?.folder !== 'string' || options.folder === '') {
      throw new MigrationFileError(
        "A Migrator needs the folder of its migrations: new Migrator(pool, { folder: 'migrations' }).",
      );
    }
    const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
    if (typeof lockTimeoutMs !== 'number' || !(lockTimeoutMs >= 0 && lockTimeoutMs <= MAX_LOCK_TIMEOUT_MS)) {
      throw new InvalidQueryError(
        `lockTimeoutMs must be a number of milliseconds from 0 to ${MAX_LOCK_TIMEOUT_MS}, got ${String(lockTimeoutMs)}.`,
      );
    }
    this.#pool = pool;
    this.#folder = options.folder;
    this.#importModule = options.importModule;
    const tableName = options.tableName ?? MIGRATIONS_TABLE;
    this.#table = new MigrationTable(pool, tableName);
    this.#lock = pool.dialect.migrationLock(pool, tableName, lockTimeoutMs);
  }

  /** Applies the pending migrations in name order, as one new batch; resolves to their names. */
  async latest(options: MigrateOptions = {}): Promise<string[]> {
    const files = await readMigrationFiles(this.#folder);
    return this.#planAndRun(options, async () => {
      const applied = await this.#table.read();
      checkUnchanged(files, applied, options);
      const done = new Set(applied.map((row) => row.name));
      const pending = files.filter((file) => !done.has(file.name));
      const batch = Math.max(0, ...applied.map((row) => row.batch)) + 1;
      return {
        direction: 'up',
        items: await loadAll(pending, 'up', this.#pool, this.#importModule),
        record: (file) => this.#table.insert(file.name, file.checksum, batch),
      };
    });
  }

  /** Reverts the migrations of the last `steps` batches, newest first; resolves to their names. */
  async rollback(options: RollbackOptions = {}): Promise<string[]> {
    const steps = options.steps ?? 1;
    if (!Number.isInteger(steps) || steps < 1) {
      throw new InvalidQueryError(`steps must be a positive integer, got ${String(steps)}.`);
    }
    const files = new Map((await readMigrationFiles(this.#folder)).map((file) => [file.name, file]));
    return this.#planAndRun(options, async () => {
      const applied = await this.#table.read();
      const batches = [...new Set(applied.map((row) => row.batch))].sort((a, b) => b - a).slice(0, steps);
      // Newest batch first, and in each batch the reverse of the order they were applied in.
      const targets = applied
        .filter((row) => batches.includes(row.batch))
        .sort((a, b) => b.batch - a.batch || (a.name < b.name ? 1 : -1));
      const missing = targets.filter((row) => !files.has(row.name)).map((row) => row.name);
      if (missing.length > 0) {
        throw new MigrationFileError(
          `Cannot roll back ${missing.join(', ')}: no such file in ${this.#folder} (restore it first).`,
        );
      }
      const chosen = targets.map((row) => files.get(row.name) as MigrationFile);
      checkUnchanged(chosen, applied, options);
      return {
        direction: 'down',
        items: await loadAll(chosen, 'down', this.#pool, this.#importModule),
        record: (file) => this.#table.remove(file.name),
      };
    });
  }

  /** Every migration, applied or in the folder, by name, with its state. */
  async status(): Promise<MigrationStatus[]> {
    const [files, applied] = await Promise.all([
      readMigrationFiles(this.#folder),
      this.#pool.primary(() => this.#table.read()),
    ]);
    const rows = new Map(applied.map((row) => [row.name, row]));
    const names = [...new Set([...files.map((file) => file.name), ...rows.keys()])].sort();
    const byName = new Map(files.map((file) => [file.name, file]));
    return names.map((name) => {
      const row = rows.get(name);
      const file = byName.get(name);
      if (row === undefined) return { name, state: 'pending', appliedAt: null, batch: null };
      const state = file === undefined ? 'missing' : file.checksum === row.checksum ? 'applied' : 'changed';
      return { name, state, appliedAt: row.appliedAt, batch: row.batch };
    });
  }

  /** Writes a new migration file named `<UTC timestamp>_<name>` from a template; resolves to its path. */
  create(name: string, options: { readonly format?: MigrationFormat } = {}): Promise<string> {
    return createMigrationFile(this.#folder, name, options.format ?? 'ts');
  }

  /**
   * Plans a run with `plan` and runs it: under the lock, one migration after the other, each recorded in its
   * own step; or, in a dry run, against a recording db without the lock or the table. A failed migration
   * ends the run with MigrationError once the ones before it are committed.
   */
  async #planAndRun(options: MigrateOptions, plan: () => Promise<RunPlan>): Promise<string[]> {
    const dryRun = options.dryRun === true;
    if (dryRun) return this.#run(await this.#pool.primary(plan), options, undefined);
    if (this.#pool.inTransaction) {
      throw new MigrationLockError(
        'Run migrations outside a transaction: each one runs in a transaction of its own.',
      );
    }
    try {
      const outcome = await this.#pool.primary(() =>
        this.#lock.hold(async (held) => {
          await this.#lock.step(() => this.#table.ensure());
          const run = await plan();
          // A failure leaves the lock's transaction as a value, so that the migrations before it commit (SQLite).
          return this.#run(run, options, held).then(
            (names) => ({ names }),
            (error: unknown) => ({ error }),
          );
        }),
      );
      if ('error' in outcome) throw outcome.error;
      return outcome.names;
    } finally {
      forgetColumns(this.#pool);
    }
  }

  /**
   * Runs the planned migrations in order. `held` is the lock (none in a dry run): it is verified before each
   * migration and before each is recorded, and, where statements commit as they go (no transactional DDL),
   * before each statement, so that a run which lost its lock applies nothing further.
   */
  async #run(run: RunPlan, options: MigrateOptions, held: HeldLock | undefined): Promise<string[]> {
    const dryRun = options.dryRun === true;
    const report = options.onProgress ?? (() => undefined);
    const verifyEachStatement = held !== undefined && !this.#pool.dialect.transactionalDdl;
    const completed: string[] = [];
    const total = run.items.length;
    const { direction } = run;
    for (const [at, { file, step }] of run.items.entries()) {
      const migration = file.name;
      const index = at + 1;
      try {
        await held?.verify();
      } catch (error) {
        throw lockLostError(this.#pool, file, direction, undefined, completed, error);
      }
      report({ type: 'migrating', migration, direction, index, total, dryRun });
      const started = performance.now();
      let statementIndex = 0;
      const db = new MigrationDb(this.#pool, {
        dryRun,
        onStatement: (sql, params) =>
          report({ type: 'statement', migration, statementIndex: ++statementIndex, sql, params, dryRun }),
        beforeStatement: verifyEachStatement ? () => held.verify() : undefined,
      });
      try {
        if (dryRun) await step(db);
        else {
          await this.#lock.step(async () => {
            await step(db);
            await held?.verify();
            await run.record(file);
          });
        }
      } catch (error) {
        throw error instanceof LockLost
          ? lockLostError(this.#pool, file, direction, db, completed, error)
          : migrationError(this.#pool, file, direction, db, completed, error);
      }
      completed.push(migration);
      report({
        type: 'migrated',
        migration,
        direction,
        index,
        total,
        durationMs: performance.now() - started,
        statements: statementIndex,
        dryRun,
      });
    }
    return completed;
  }
}

async function loadAll(
  files: readonly MigrationFile[],
  direction: Direction,
  pool: ConnectionPool,
  importModule: ImportModule | undefined,
): Promise<{ file: MigrationFile; step: MigrationStep }[]> {
  const items = [];
  // Every file is checked before the first migration runs.
  for (const file of files)
    items.push({ file, step: await loadStep(file, direction, pool.dialect.lexical, importModule) });
  return items;
}

function checkUnchanged(
  files: readonly MigrationFile[],
  applied: readonly AppliedMigration[],
  options: MigrateOptions,
): void {
  if (options.allowChanged === true) return;
  const checksums = new Map(applied.map((row) => [row.name, row.checksum]));
  const changed = files.filter((file) => {
    const checksum = checksums.get(file.name);
    return checksum !== undefined && checksum !== file.checksum;
  });
  if (changed.length === 0) return;
  const names = changed.map((file) => file.name);
  throw new MigrationChangedError(changedMigrationsMessage(names, 'pass { allowChanged: true }'), names);
}

/**
 * The message of MigrationChangedError for `names`; `override` says how to go on regardless, in the words of
 * the caller: the option of `latest()`/`rollback()`, or the flag of the `twistar` command.
 */
export function changedMigrationsMessage(names: readonly string[], override: string): string {
  return (
    `Applied migration${names.length > 1 ? 's were' : ' was'} edited after running: ${names.join(', ')}. An edit ` +
    `does not run again: restore the file and write a new migration for the change, or ${override} to go on ` +
    'regardless (when the edit changes nothing that matters, such as a comment).'
  );
}
