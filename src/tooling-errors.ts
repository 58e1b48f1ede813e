import { TwistarError } from './errors.js';
import type { SchemaProblem } from './schema/schema-problem.js';

/** The errors of Twistar's tooling: migrations, the schema builder and schema tools, and the `twistar` command. */

/**
 * The registered models and the live schema disagree (`Registry.verify({ throw: true })`): `problems` lists each
 * missing table, column, join table or class, and the message repeats them one per line.
 */
export class SchemaMismatchError extends TwistarError {
  readonly problems: readonly SchemaProblem[];

  constructor(problems: readonly SchemaProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `The models do not match the database (${count}):\n` +
        problems.map((problem) => `- ${problem.message}`).join('\n'),
    );
    this.problems = problems;
  }
}

/**
 * A migration failed. `migration` and `direction` say which; `failedStatement` is the statement the database
 * refused (undefined when the migration's own code threw); `appliedStatements` are the statements of that
 * migration that stay applied: none where DDL is transactional (PostgreSQL, SQLite: the migration was rolled
 * back, `rolledBack` is true), on MySQL/MariaDB those that ran before the failure. `completed` lists the
 * migrations of the same run that succeeded before it. `cause` is the underlying error.
 */
/** Where a migration run stopped: in which migration, going which way, and what stays applied. */
export interface MigrationStop {
  readonly migration: string;
  readonly direction: 'up' | 'down';
  readonly appliedStatements: readonly string[];
  readonly completed: readonly string[];
}

export class MigrationError extends TwistarError {
  readonly migration: string;
  readonly direction: 'up' | 'down';
  readonly appliedStatements: readonly string[];
  readonly failedStatement: string | undefined;
  readonly rolledBack: boolean;
  readonly completed: readonly string[];

  constructor(
    message: string,
    details: MigrationStop & { failedStatement: string | undefined; rolledBack: boolean },
    cause: unknown,
  ) {
    super(message, { cause });
    this.migration = details.migration;
    this.direction = details.direction;
    this.appliedStatements = details.appliedStatements;
    this.failedStatement = details.failedStatement;
    this.rolledBack = details.rolledBack;
    this.completed = details.completed;
  }
}

/** Applied migrations whose files were edited afterwards (their checksum differs); `migrations` names them. */
export class MigrationChangedError extends TwistarError {
  readonly migrations: readonly string[];

  constructor(message: string, migrations: readonly string[]) {
    super(message);
    this.migrations = migrations;
  }
}

/** A migration file or folder is malformed: a bad file name, no `-- up` section, no `up`/`down` export, a missing file. */
export class MigrationFileError extends TwistarError {}

/** The migration lock could not be taken (another run held it past the timeout, or the pool cannot hold it). */
export class MigrationLockError extends TwistarError {}

/**
 * The run lost the migration lock while it ran (the connection holding it was closed or killed, which releases
 * it), so another run could take it: the run stopped before applying anything further. `migration` is the one it
 * stopped at and `completed` the ones applied (or reverted) before it; `appliedStatements` are the statements of
 * `migration` that stay applied (on MySQL/MariaDB; none where DDL is transactional, as it was rolled back). Run the
 * migrations again to apply the rest.
 */
export class MigrationLockLostError extends MigrationLockError {
  readonly migration: string;
  readonly direction: 'up' | 'down';
  readonly appliedStatements: readonly string[];
  readonly completed: readonly string[];

  constructor(message: string, details: MigrationStop, cause: unknown) {
    super(message, { cause });
    this.migration = details.migration;
    this.direction = details.direction;
    this.appliedStatements = details.appliedStatements;
    this.completed = details.completed;
  }
}

/**
 * The schema builder was asked for a change the database cannot make in place (SQLite cannot add a foreign
 * key or a primary key to an existing table); nothing was sent.
 */
export class UnsupportedSchemaChangeError extends TwistarError {}

/**
 * The `twistar` command's configuration is wrong: the config file named by `--config` does not exist, it does
 * not export an object, or a setting has an unknown name or the wrong type. The message names the file and
 * the setting.
 */
export class ConfigError extends TwistarError {}

/**
 * An option of the schema tools (`introspect`, `verifyModels`, `generateModels`) has the wrong type, such as an
 * `exclude` entry that is neither a table name nor a RegExp. The message says what the option takes.
 */
export class InvalidSchemaOptionError extends TwistarError {}

/**
 * A seed file of `twistar seed` failed (its own error is the `cause`): `seed` names the file. Its writes were
 * rolled back, the seeds before it stay written, and the ones after it did not run.
 */
export class SeedError extends TwistarError {
  readonly seed: string;

  constructor(message: string, seed: string, options?: { cause?: unknown }) {
    super(message, options);
    this.seed = seed;
  }
}

/** A model factory was used wrongly (`defineFactory`, a factory's `build` or `create`): the message says how. */
export class FactoryError extends TwistarError {}
