import type * as PgliteLibrary from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ConnectionError,
  bindPostgresParameters,
  misplacedBytesError,
  narrowInteger,
  parsePostgresDate,
  parsePostgresTimestamp,
  type DriverConfig,
  type DriverConnection,
  type QueryResult,
  type Row,
} from '../index.js';

// Type OIDs, from pg_type.
const INT8 = 20;
const BYTEA = 17;
const DATE = 1082;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;

/**
 * Values read as Twistar reads them from PostgreSQL: 64-bit integers without loss, dates in UTC whatever the
 * process time zone (PGlite's own parser reads a `timestamp` in local time), bytes as Buffers.
 */
const parsers = {
  [INT8]: (text: string) => narrowInteger(BigInt(text)),
  [TIMESTAMP]: parsePostgresTimestamp,
  [TIMESTAMPTZ]: parsePostgresTimestamp,
  [DATE]: parsePostgresDate,
  [BYTEA]: (text: string) => Buffer.from(text.slice(2), 'hex'),
};

type Library = typeof PgliteLibrary;

/**
 * An empty database, made once per process: every new database starts as a copy of it. Making one runs
 * initdb (about 3 s); a copy opens in well under one.
 */
let template: Promise<Blob> | undefined;

function emptyDatabase(library: Library): Promise<Blob> {
  template ??= (async () => {
    const db = await library.PGlite.create();
    try {
      return await db.dumpDataDir('none');
    } finally {
      await db.close();
    }
  })().catch((error: unknown) => {
    template = undefined;
    throw error;
  });
  return template;
}

/** The data folders open in this process: PGlite has no lock of its own, and two instances lose writes. */
const openFolders = new Set<string>();

/**
 * Claims `folder` for this process: in it, a lock file naming the process; refused while another process that
 * is still running holds it (a lock left by one that stopped is taken over). Returns the release.
 */
function claimFolder(folder: string): () => void {
  const refuse = (holder: string) =>
    new ConnectionError(
      `The PGlite database in ${folder} is open in ${holder}; PGlite lets one instance use a folder at a ` +
        "time (two would lose each other's writes). Share that pool, or close it first.",
    );
  if (openFolders.has(folder)) throw refuse('another pool of this process');
  mkdirSync(folder, { recursive: true });
  const lock = join(folder, 'twistar.lock');
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lock, 'utf8'));
      if (Number.isInteger(pid) && pid !== process.pid && running(pid)) throw refuse(`process ${pid}`);
      rmSync(lock, { force: true });
    }
  }
  openFolders.add(folder);
  return () => {
    openFolders.delete(folder);
    rmSync(lock, { force: true });
  };
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/** The one connection of a pool: a PGlite instance, which is the database itself. */
class PgliteConnection implements DriverConnection {
  readonly #db: PGlite;
  readonly #release: () => void;
  broken = false;

  constructor(db: PGlite, release: () => void) {
    this.#db = db;
    this.#release = release;
  }

  async execute(sql: string, params: readonly unknown[]): Promise<QueryResult> {
    const bound = bindPostgresParameters(sql, params);
    try {
      const result = await this.#db.query<Row>(bound.sql, bound.values);
      return { rows: result.rows, affectedRows: result.affectedRows ?? 0, insertId: null };
    } catch (error) {
      throw (bound.hasBytes ? misplacedBytesError(error, sql) : undefined) ?? error;
    }
  }

  async close(): Promise<void> {
    if (this.broken) return;
    this.broken = true;
    try {
      await this.#db.close();
    } finally {
      this.#release();
    }
  }
}

/** PGlite options Twistar sets itself: given in `driverOptions`, they would undo how it reads values or where. */
const OWN_OPTIONS = ['parsers', 'serializers', 'dataDir', 'loadDataDir'];

/** Refuses `driverOptions` that would undo what Twistar sets (see OWN_OPTIONS). @internal */
export function checkPgliteOptions(driverOptions: object | undefined): void {
  const own = OWN_OPTIONS.find((key) => driverOptions !== undefined && Object.hasOwn(driverOptions, key));
  if (own !== undefined) {
    throw new ConnectionError(
      `The PGlite option ${own} is Twistar's to set (it reads values and names the folder itself); remove it ` +
        'from driverOptions, and name the folder in the URL (pglite:./data).',
    );
  }
}

/**
 * Opens the PGlite database of a pool: in memory (`:memory:`, a new database each time) or in a folder. The
 * library is loaded on first use (see lazyDriver), so that importing `twistar/pglite` costs nothing until then.
 * @internal
 */
export function pgliteConnector(config: DriverConfig, library: Library): () => Promise<DriverConnection> {
  const filename = config.filename ?? ':memory:';
  const inMemory = filename === ':memory:' || filename === '';
  return async () => {
    const options = { ...(config.driverOptions as object | undefined), parsers };
    if (inMemory) {
      const db = await library.PGlite.create({ ...options, loadDataDir: await emptyDatabase(library) });
      return new PgliteConnection(db, () => undefined);
    }
    const folder = resolve(filename);
    const release = claimFolder(folder);
    try {
      const db = await library.PGlite.create({ ...options, dataDir: folder });
      return new PgliteConnection(db, release);
    } catch (error) {
      release();
      throw error;
    }
  };
}
