import type { Database, OperationName, UserRow } from '../workload.js';

/** Where an ORM connects: a file path for SQLite, a URL otherwise. */
export interface Target {
  database: Database;
  url: string;
  /** The server's own name for itself, e.g. 'MariaDB 10.11.19', for ORMs that must know. */
  server: string;
}

/** The workload through one ORM's idiomatic API. Results are the ORM's own records, checked by the harness. */
export interface PeerClient {
  findByPk(id: number): Promise<unknown>;
  findWhere(low: number, high: number): Promise<readonly unknown[]>;
  count(age: number): Promise<number>;
  /**
   * Users with an age from `age` up, ordered by id: `limit` of them from `offset`, and how many there are in all,
   * through the ORM's own pagination where it has one.
   */
  paginate(age: number, limit: number, offset: number): Promise<Page>;
  /** Users with ids up to `lastId`, ordered by id, with their pictures loaded through the ORM's relation. */
  eagerLoad(lastId: number): Promise<readonly unknown[]>;
  /** Loads user `id` once (on the first call), then changes its age and saves it through the ORM. */
  updateOne(id: number, age: number): Promise<void>;
  /** Inserts one row as the ORM creates a record; returns the new id. */
  insertOne(row: UserRow): Promise<unknown>;
  /** Inserts all rows through the ORM's bulk API, `chunk` rows a statement, in one transaction. */
  insertBulk(rows: readonly UserRow[], chunk: number): Promise<void>;
  close(): Promise<void>;
  /** How an operation is done where that is not the ORM's obvious API. */
  notes?: Partial<Record<OperationName, string>>;
  /** A fact about the ORM on this database that bears on every operation (e.g. another driver). */
  remark?: string;
  /** Operations the ORM cannot do on this database, and why. */
  unsupported?: Partial<Record<OperationName, string>>;
}

/** One page of rows and the count of all the rows the query matches. */
export interface Page {
  total: number;
  rows: readonly unknown[];
}

/** One ORM: its name, the packages whose versions the report names, and how to connect it. */
export interface Peer {
  name: string;
  packages: readonly string[];
  /** Set when the ORM reaches SQLite through node-sqlite3 rather than better-sqlite3: it then gets a copy of its own. */
  sqliteLibrary?: 'node-sqlite3';
  open(target: Target): Promise<PeerClient>;
}

/** Splits `rows` into consecutive chunks of `size`. */
export function chunks<T>(rows: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < rows.length; start += size) out.push(rows.slice(start, start + size));
  return out;
}

/** The user, password, host, port and database of a mysql:// URL, for clients that want them apart. */
export function mysqlParts(url: string): {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
} {
  const parsed = new URL(url);
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1),
  };
}
