import pg from 'pg';
import {
  narrowInteger,
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

class PostgresConnection implements DriverConnection {
  readonly #client: pg.Client;
  broken = false;

  constructor(client: pg.Client) {
    this.#client = client;
    // Without a listener a server-side disconnect would be an unhandled 'error' event and end the process.
    client.on('error', () => {
      this.broken = true;
    });
    client.on('end', () => {
      this.broken = true;
    });
  }

  async execute(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    const result = await this.#client.query({ text: sql, values: params.map(bindable) });
    return { rows: result.rows, affectedRows: result.rowCount ?? 0, insertId: null };
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.#client.end().catch(() => undefined);
  }
}

/** Opens node-postgres clients, in UTC, with 64-bit integers and dates read without loss. */
export function postgresDriver(options: PostgresOptions): Driver {
  return {
    dialect: postgresDialect,
    defaultPoolSize: 10,
    async connect() {
      const client = new pg.Client({
        connectionString: options.connectionString,
        // CURRENT_TIMESTAMP defaults and ::date casts then agree with the UTC values Twistar writes.
        options: '-c TimeZone=UTC',
        ...options.driverOptions,
        types: typeParsers,
      });
      const connection = new PostgresConnection(client);
      await client.connect();
      return connection;
    },
  };
}
