import pg from 'pg';
import {
  narrowInteger,
  type ConnectOptions,
  type Driver,
  type DriverConnection,
  type QueryResult,
} from '../../connection/driver.js';
import { postgresDialect } from './postgres-dialect.js';

/** Options for PostgreSQL connections: a URL and/or node-postgres client options. */
export interface PostgresOptions {
  connectionString?: string;
  /** Passed to `new pg.Client()`; `types` is set by Twistar. */
  driverOptions?: pg.ClientConfig;
}

// Type OIDs, from pg_type.
const INT8 = 20;
const DATE = 1082;
const TIMESTAMP = 1114;

/** TIMESTAMP WITHOUT TIME ZONE and DATE hold UTC here; node-postgres would read them as local time. */
function parseTimestamp(text: string): Date | string {
  if (text === 'infinity' || text === '-infinity') return text;
  return new Date(`${text.replace(' ', 'T')}Z`);
}

function parseDate(text: string): Date | string {
  if (text === 'infinity' || text === '-infinity') return text;
  return new Date(`${text}T00:00:00Z`);
}

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === INT8) return (text: string) => narrowInteger(BigInt(text));
      if (oid === TIMESTAMP) return parseTimestamp;
      if (oid === DATE) return parseDate;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Dates go as UTC ISO text (a TIMESTAMP column drops the zone, a DATE keeps the day); the rest as node-postgres does. */
function bindable(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

/** Statements worth preparing: the ones Twistar builds and repeats. */
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;
/** Distinct SQL texts prepared by name; beyond this, statements are sent unnamed (parsed each time). */
const MAX_NAMED_STATEMENTS = 2000;
const statementNames = new Map<string, string>();

/** PostgreSQL's "cached plan must not change result type", after ALTER or DROP/CREATE of a table. */
function isStalePlan(error: unknown): boolean {
  return (
    (error as { code?: unknown } | null)?.code === '0A000' &&
    /cached plan/i.test(String((error as Error).message))
  );
}

class PostgresConnection implements DriverConnection {
  readonly #client: pg.Client;
  broken = false;
  #inTransaction = false;
  /** Bumped when the server's prepared statements went stale, so that they are prepared anew. */
  #generation = 0;

  readonly #config: pg.ClientConfig;

  constructor(client: pg.Client, config: pg.ClientConfig) {
    this.#client = client;
    this.#config = config;
    // Without a listener a server-side disconnect would be an unhandled 'error' event and end the process.
    client.on('error', () => {
      this.broken = true;
    });
    client.on('end', () => {
      this.broken = true;
    });
  }

  async execute(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    const values = params.map(bindable);
    const name = this.#nameFor(sql);
    let result: pg.QueryResult;
    try {
      result = await this.#client.query({ name, text: sql, values });
    } catch (error) {
      // After a table's columns change, a prepared statement over it must be prepared again, in a transaction
      // too (or every later transaction would fail the same way). Outside a transaction the statement did not
      // run, so it is safe to send it once more under a new name.
      if (!isStalePlan(error)) throw error;
      this.#generation++;
      if (this.#inTransaction) throw error;
      result = await this.#client.query({ name: this.#nameFor(sql), text: sql, values });
    }
    // Named statements are SELECT/INSERT/UPDATE/DELETE/WITH: only the others can begin or end a transaction.
    if (name === undefined) this.#track(sql);
    return { rows: result.rows, affectedRows: result.rowCount ?? 0, insertId: null };
  }

  /** Statements are prepared once per connection, under a name per SQL text (bounded); others go unnamed. */
  #nameFor(sql: string): string | undefined {
    let name = statementNames.get(sql);
    if (name === undefined) {
      if (statementNames.size >= MAX_NAMED_STATEMENTS || !PREPARABLE.test(sql)) return undefined;
      name = `twistar_${statementNames.size + 1}`;
      statementNames.set(sql, name);
    }
    return this.#generation === 0 ? name : `${name}_${this.#generation}`;
  }

  #track(sql: string): void {
    const word = /^\s*(\w+)(\s+TO\b)?/i.exec(sql);
    const verb = word?.[1]?.toUpperCase();
    if (verb === 'BEGIN' || verb === 'START') this.#inTransaction = true;
    else if (verb === 'COMMIT' || verb === 'END' || (verb === 'ROLLBACK' && word?.[2] === undefined))
      this.#inTransaction = false;
  }

  async cancel(): Promise<void> {
    // The server's id of this session, which node-postgres reads at connect but does not declare.
    const pid = (this.#client as pg.Client & { processID?: number | null }).processID;
    if (pid === null || pid === undefined) return;
    const canceller = new pg.Client(this.#config);
    canceller.on('error', () => undefined);
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } finally {
      await canceller.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.#client.end().catch(() => undefined);
  }
}

/** Opens node-postgres clients, in UTC, with 64-bit integers and dates read without loss. */
export function postgresDriver(options: PostgresOptions, { connectTimeoutMs }: ConnectOptions): Driver {
  return {
    dialect: postgresDialect,
    defaultPoolSize: 10,
    async connect() {
      const config: pg.ClientConfig = {
        connectionString: options.connectionString,
        // CURRENT_TIMESTAMP defaults and ::date casts then agree with the UTC values Twistar writes.
        options: '-c TimeZone=UTC',
        connectionTimeoutMillis: connectTimeoutMs,
        ...options.driverOptions,
        types: typeParsers,
      };
      const client = new pg.Client(config);
      const connection = new PostgresConnection(client, config);
      await client.connect();
      return connection;
    },
  };
}
