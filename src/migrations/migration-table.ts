import type { ConnectionPool } from '../connection/connection-pool.js';
import { parseUtcDate } from '../dialects/dialect-kit.js';
import { deleteStatement, insertStatement } from '../sql/statements.js';
import { ddlName } from './ddl-literals.js';
import { SchemaBuilder } from './schema-builder.js';

/** One row of the migrations table. */
export interface AppliedMigration {
  readonly name: string;
  readonly checksum: string;
  readonly appliedAt: Date | null;
  readonly batch: number;
}

/** The table that records applied migrations: `(name, checksum, applied_at, batch)`. */
export class MigrationTable {
  readonly #pool: ConnectionPool;
  readonly #name: string;

  constructor(pool: ConnectionPool, name: string) {
    ddlName(pool.dialect, name, 'The migrations table name');
    this.#pool = pool;
    this.#name = name;
  }

  /** Creates the table unless it exists (run under the migration lock, so two runs do not race). */
  async ensure(): Promise<void> {
    await new SchemaBuilder(this.#pool).createTable(
      this.#name,
      (t) => {
        t.string('name').primary();
        t.string('checksum', 64).notNull();
        t.datetime('applied_at').notNull();
        t.integer('batch').notNull();
      },
      { ifNotExists: true },
    );
  }

  /** Whether the table exists yet (the first run creates it). */
  async exists(): Promise<boolean> {
    return new SchemaBuilder(this.#pool).hasTable(this.#name);
  }

  /** Every applied migration, by name; none when the table does not exist yet. */
  async read(): Promise<AppliedMigration[]> {
    if (!(await this.exists())) return [];
    const quote = (name: string) => this.#pool.dialect.quoteIdentifier(name);
    const rows = await this.#pool.runQuery(
      `SELECT ${['name', 'checksum', 'applied_at', 'batch'].map(quote).join(', ')} FROM ${quote(this.#name)} ` +
        `ORDER BY ${quote('name')}`,
    );
    return rows.map((row) => {
      const appliedAt = parseUtcDate(row.applied_at);
      return {
        name: String(row.name),
        checksum: String(row.checksum),
        appliedAt: appliedAt instanceof Date ? appliedAt : null,
        batch: Number(row.batch),
      };
    });
  }

  /** Records `name` as applied in `batch`, now. */
  async insert(name: string, checksum: string, batch: number): Promise<void> {
    const { sql, params } = insertStatement(this.#pool.dialect, this.#name, {
      name,
      checksum,
      applied_at: new Date(),
      batch,
    });
    await this.#pool.runOperation(sql, params);
  }

  /** Forgets `name` (it was rolled back). */
  async remove(name: string): Promise<void> {
    const { sql, params } = deleteStatement(this.#pool.dialect, this.#name, ['name = ?', name]);
    await this.#pool.runOperation(sql, params);
  }
}
