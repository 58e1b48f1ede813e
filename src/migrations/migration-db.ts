import type { ConnectionPool, OperationResult } from '../connection/connection-pool.js';
import type { QueryResult, Row } from '../dialects/driver.js';
import { isReadOnly } from '../connection/replicas.js';
import { sql } from '../sql/fragments.js';
import { SchemaBuilder, type SchemaBuilderOptions } from './schema-builder.js';

/** Options of a MigrationDb. @internal */
export interface MigrationDbOptions extends SchemaBuilderOptions {
  /** Awaited before each statement is sent (the Migrator checks there that it still holds its lock). */
  readonly beforeStatement?: () => Promise<void>;
}

/**
 * What a migration's `up(db)` and `down(db)` receive: the schema builder (`db.createTable(…)`, …), plus
 * `runQuery`/`runOperation` for any other SQL and the `sql` tag. Every statement goes through it, so that a
 * dry run can show it and a failure can say which statements ran.
 */
export class MigrationDb extends SchemaBuilder {
  /** The `sql` tag, for defaults such as sql`CURRENT_TIMESTAMP`. */
  readonly sql = sql;
  readonly #beforeStatement: (() => Promise<void>) | undefined;

  /** Made by the Migrator for each migration. @internal */
  constructor(pool: ConnectionPool, options: MigrationDbOptions = {}) {
    super(pool, options);
    this.#beforeStatement = options.beforeStatement;
  }

  /**
   * Runs a statement that returns rows. In a dry run, a plain SELECT still runs (a migration may read to
   * decide what to do); anything else is only recorded and resolves to no rows.
   */
  async runQuery(text: string, params: readonly unknown[] = []): Promise<Row[]> {
    const pool = this.pool;
    if (this.dryRun && pool !== undefined && isReadOnly(text)) return pool.runQuery(text, params);
    return (await this.send(text, params)).rows;
  }

  /** Runs a statement for its effect (in a dry run, records it) and resolves to the rows it changed. */
  async runOperation(text: string, params: readonly unknown[] = []): Promise<OperationResult> {
    const { affectedRows, insertId } = await this.send(text, params);
    return { affectedRows, insertId };
  }

  protected override async send(text: string, params: readonly unknown[] = []): Promise<QueryResult> {
    await this.#beforeStatement?.();
    return super.send(text, params);
  }
}
