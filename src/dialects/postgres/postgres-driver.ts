import { randomBytes } from 'node:crypto';
import { connect as connectSocket } from 'node:net';
import pg from 'pg';
import { narrowInteger, type DriverConfig, type DriverConnection, type QueryResult } from '../driver.js';
import { misplacedBytesError } from './postgres-errors.js';
import { bindPostgresParameters, parsePostgresDate, parsePostgresTimestamp } from './postgres-values.js';

// Type OIDs, from pg_type.
const INT8 = 20;
const DATE = 1082;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === INT8) return (text: string) => narrowInteger(BigInt(text));
      if (oid === TIMESTAMP || oid === TIMESTAMPTZ) return parsePostgresTimestamp;
      if (oid === DATE) return parsePostgresDate;
    }
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Statements worth preparing: the ones Twistar builds and repeats. */
const PREPARABLE = /^\s*(SELECT|INSERT|UPDATE|DELETE|WITH)\b/i;
/** Distinct SQL texts prepared by name; beyond this, statements are sent unnamed (parsed each time). */
const MAX_NAMED_STATEMENTS = 2000;

/**
 * The prepared-statement names of one pool. The prefix is random, so that no other pool, in this process
 * or another, uses the same name for another text: behind a pooler that shares server sessions, a name
 * could otherwise run another pool's statement.
 */
class StatementNames {
  readonly #prefix = `twistar_${randomBytes(6).toString('hex')}_`;
  readonly #names = new Map<string, string>();
  /**
   * Statements go unnamed: the option said so, or a pooler was noticed (a session whose server process is
   * not the one announced at connect, or a server that did not know a name this session prepared).
   */
  unnamed: boolean;

  constructor(unnamed: boolean) {
    this.unnamed = unnamed;
  }

  nameFor(sql: string, generation: number): string | undefined {
    if (this.unnamed) return undefined;
    let name = this.#names.get(sql);
    if (name === undefined) {
      if (this.#names.size >= MAX_NAMED_STATEMENTS || !PREPARABLE.test(sql)) return undefined;
      name = `${this.#prefix}${this.#names.size + 1}`;
      this.#names.set(sql, name);
    }
    return generation === 0 ? name : `${name}_${generation}`;
  }
}

const errorCode = (error: unknown) => (error as { code?: unknown } | null)?.code;

/** PostgreSQL's "cached plan must not change result type", after ALTER or DROP/CREATE of a table. */
function isStalePlan(error: unknown): boolean {
  return errorCode(error) === '0A000' && /cached plan/i.test(String((error as Error).message));
}

/**
 * "prepared statement … does not exist" (26000) or "already exists" (42P05): the session is not the one
 * the name was prepared on (a pooler in between). Refused at Parse or Bind, so the statement did not run.
 */
function isNameMismatch(error: unknown): boolean {
  const code = errorCode(error);
  return code === '26000' || code === '42P05';
}

class PostgresConnection implements DriverConnection {
  readonly #client: pg.Client;
  broken = false;
  #inTransaction = false;
  /** Bumped when the server's prepared statements went stale, so that they are prepared anew. */
  #generation = 0;
  readonly #names: StatementNames;
  readonly #connectTimeoutMs: number;

  constructor(client: pg.Client, names: StatementNames, connectTimeoutMs: number) {
    this.#client = client;
    this.#names = names;
    this.#connectTimeoutMs = connectTimeoutMs;
    // Without a listener a server-side disconnect would be an unhandled 'error' event and end the process.
    client.on('error', () => {
      this.broken = true;
    });
    client.on('end', () => {
      this.broken = true;
    });
  }

  /** Called once connected: a session answered by another server process than announced is a pooler's. */
  async detectPooler(): Promise<void> {
    if (this.#names.unnamed) return;
    const announced = (this.#client as pg.Client & { processID?: number | null }).processID;
    const result = await this.#client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    if (result.rows[0]?.pid !== announced) this.#names.unnamed = true;
  }

  async execute(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    const bound = bindPostgresParameters(sql, params);
    let result: pg.QueryResult;
    try {
      result = await this.#send(bound.sql, bound.values);
    } catch (error) {
      throw (bound.hasBytes ? misplacedBytesError(error, sql) : undefined) ?? error;
    }
    return { rows: result.rows, affectedRows: result.rowCount ?? 0, insertId: null };
  }

  async #send(sql: string, values: unknown[]): Promise<pg.QueryResult> {
    const name = this.#names.nameFor(sql, this.#generation);
    let result: pg.QueryResult;
    try {
      result = await this.#client.query({ name, text: sql, values });
    } catch (error) {
      // Refused before it ran, on a session that does not hold this pool's statements (a pooler in
      // between): from now on statements go unnamed, and this one is sent again unnamed. In a transaction
      // the server has marked the transaction failed, so it cannot be sent again there.
      if (name !== undefined && isNameMismatch(error)) {
        this.#names.unnamed = true;
        if (this.#inTransaction) throw error;
        return this.#client.query({ text: sql, values });
      }
      // After a table's columns change, a prepared statement over it must be prepared again, in a transaction
      // too (or every later transaction would fail the same way). Outside a transaction the statement did not
      // run, so it is safe to send it once more under a new name.
      if (!isStalePlan(error)) throw error;
      this.#generation++;
      if (this.#inTransaction) throw error;
      result = await this.#client.query({
        name: this.#names.nameFor(sql, this.#generation),
        text: sql,
        values,
      });
    }
    // Named statements are SELECT/INSERT/UPDATE/DELETE/WITH: only the others can begin or end a transaction.
    if (name === undefined) this.#track(sql);
    return result;
  }

  #track(sql: string): void {
    const word = /^\s*(\w+)(\s+TO\b)?/i.exec(sql);
    const verb = word?.[1]?.toUpperCase();
    if (verb === 'BEGIN' || verb === 'START') this.#inTransaction = true;
    else if (verb === 'COMMIT' || verb === 'END' || (verb === 'ROLLBACK' && word?.[2] === undefined))
      this.#inTransaction = false;
  }

  /**
   * Sends the protocol's CancelRequest (this session's process id and secret key) on a new socket, as
   * libpq's PQcancel does: it needs no login, and a pooler such as PgBouncer passes it to the server
   * session running the statement.
   */
  async cancel(): Promise<void> {
    const client = this.#client as pg.Client & {
      processID?: number | null;
      secretKey?: number | null;
      host?: string;
      port?: number;
    };
    const { processID, secretKey, host = 'localhost', port = 5432 } = client;
    if (processID === null || processID === undefined || secretKey === null || secretKey === undefined)
      return;
    const request = Buffer.alloc(16);
    request.writeInt32BE(16, 0);
    request.writeInt32BE(80877102, 4); // the cancel request code: 1234 << 16 | 5678
    request.writeInt32BE(processID, 8);
    request.writeInt32BE(secretKey, 12);
    await new Promise<void>((resolve, reject) => {
      const socket = host.startsWith('/')
        ? connectSocket(`${host}/.s.PGSQL.${port}`)
        : connectSocket(port, host);
      socket.setTimeout(this.#connectTimeoutMs, () => socket.destroy(new Error('cancel request timed out')));
      // Not ended after the request: PgBouncer drops a cancel whose client hangs up before it is forwarded.
      // The server (or PgBouncer) closes the socket once it has handled the request.
      socket.once('connect', () => socket.write(request));
      socket.once('end', () => socket.end());
      socket.once('close', () => resolve());
      socket.once('error', reject);
      socket.resume();
    });
  }

  async close(): Promise<void> {
    this.broken = true;
    await this.#client.end().catch(() => undefined);
  }
}

/**
 * Opens node-postgres clients, with 64-bit integers and dates read without loss. Nothing depends on the
 * session's settings (a pooler in transaction mode would not keep them): dates are bound and read with
 * their UTC offset. One per pool: its prepared-statement names are the pool's own.
 * @internal
 */
export function postgresConnector(config: DriverConfig): () => Promise<DriverConnection> {
  const { connectTimeoutMs } = config;
  const names = new StatementNames(config.preparedStatements === false);
  return async () => {
    const client = new pg.Client({
      connectionString: config.url,
      connectionTimeoutMillis: connectTimeoutMs,
      ...(config.driverOptions as pg.ClientConfig | undefined),
      types: typeParsers,
    });
    const connection = new PostgresConnection(client, names, connectTimeoutMs);
    await client.connect();
    try {
      await connection.detectPooler();
    } catch {
      // The connection broke at once (e.g. its session was killed): handed out marked broken, its first
      // statement fails unsent and goes to a fresh connection, as it would have without this query.
      connection.broken = true;
    }
    return connection;
  };
}
