import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  after,
  before,
  describe,
  it as nodeIt,
  type TestFn as NodeTestFn,
  type TestOptions as NodeTestOptions,
} from 'node:test';
import { connect, Registry, type ConnectionPool } from '../../src/index.js';
import '../../src/pglite/index.js';

import type { DialectName } from './dialects.js';
import { GAPS } from './gaps.js';

export type { DialectName } from './dialects.js';

// Run every test away from UTC (and off the hour), so that any Date handled in local time shows up;
// TWISTAR_TEST_TZ runs them in another zone (CI runs the date suites in four more).
process.env.TZ = process.env.TWISTAR_TEST_TZ ?? 'America/St_Johns';

/**
 * A backend the suites run on: a database and the way the tests reach it. Its id labels suites and keys the gap
 * list; its dialect (which several backends may share) keys per-database SQL and expectations.
 */
export type BackendId = 'sqlite' | 'pglite' | 'postgres' | 'mysql';

interface BackendSpec {
  readonly backend: BackendId;
  readonly name: DialectName;
  /** The variable that gives the URL, when the backend needs one to run. */
  readonly env?: string;
  readonly url: string | undefined;
  /** For a database that lives in one pool (in memory): a URL in `dir` that several pools and processes share. */
  readonly sharedIn?: (dir: string) => string;
}

const sqliteUrl = process.env.TWISTAR_SQLITE_URL ?? 'sqlite::memory:';

const SPECS: readonly BackendSpec[] = [
  {
    backend: 'sqlite',
    name: 'sqlite',
    url: sqliteUrl,
    ...(sqliteUrl.includes(':memory:')
      ? { sharedIn: (dir: string) => `sqlite:${join(dir, 'shared.db')}` }
      : {}),
  },
  // PostgreSQL in process (twistar/pglite): the PostgreSQL suites without a server, on every run.
  { backend: 'pglite', name: 'postgres', url: 'pglite:' },
  { backend: 'postgres', name: 'postgres', env: 'TWISTAR_PG_URL', url: process.env.TWISTAR_PG_URL },
  { backend: 'mysql', name: 'mysql', env: 'TWISTAR_MYSQL_URL', url: process.env.TWISTAR_MYSQL_URL },
];

/** With TWISTAR_REQUIRE_ALL_BACKENDS=1 (as in CI) a backend without its URL fails instead of being skipped. */
const requireAll = process.env.TWISTAR_REQUIRE_ALL_BACKENDS === '1';

/** What a suite gets for the backend it runs on. */
export interface BackendContext {
  /** The backend: what the suite is labelled with and its gaps are listed under (test/support/gaps.ts). */
  readonly backend: BackendId;
  /** Its SQL dialect, the key of what differs per database in SQL text and expectations. */
  readonly name: DialectName;
  /** The URL of this backend's database (for other processes to connect to it). */
  readonly url: string;
  /**
   * A URL on which several pools and processes reach one database: `url` itself, or for a database that lives
   * in one pool (SQLite in memory) a file kept until the suite ends.
   */
  readonly sharedUrl: string;
  /** The pool of this backend, also set as Registry.DBPOOL while the suite runs. */
  readonly pool: ConnectionPool;
  /** Opens another pool on the same database (closed after the suite). */
  openPool(options?: Parameters<typeof connect>[1]): ConnectionPool;
}

/** Options of `describeEachBackend`. */
export interface BackendSuiteOptions {
  /** The backends to declare it for (all by default). */
  readonly on?: readonly BackendId[];
  /** The suite's label when it differs from its title in the gap list (a music store's naming style). */
  readonly label?: string;
}

/** The backend suite whose body is being declared, so that `it` can look up its gaps. */
let declaring: { readonly backend: BackendId; readonly suite: string } | undefined;

/** Per suite title: the backends it is declared for, and the tests its bodies declared (none ran: null). */
const suites = new Map<string, { backends: BackendId[]; tests: Set<string> | null }>();

/**
 * Declares `body` once per backend: SQLite always, PostgreSQL and MySQL when their URL is set. Without a URL the
 * suite is reported as skipped, saying which variable to set. Tests declared with this module's `it` skip where
 * test/support/gaps.ts lists them.
 */
export function describeEachBackend(
  title: string,
  body: (ctx: BackendContext) => void,
  options: BackendSuiteOptions = {},
): void {
  const specs = SPECS.filter((spec) => options.on?.includes(spec.backend) ?? true);
  const suite = suites.get(title) ?? { backends: [], tests: null };
  suite.backends.push(...specs.map((spec) => spec.backend));
  suites.set(title, suite);
  for (const spec of specs) {
    const label = `${options.label ?? title} [${spec.backend}]`;
    if (spec.url === undefined) {
      if (requireAll) {
        describe(label, () => {
          nodeIt(`has a ${spec.backend} database to run against`, () => {
            assert.fail(
              `${spec.env} is not set, and TWISTAR_REQUIRE_ALL_BACKENDS=1 requires ${spec.backend}.`,
            );
          });
        });
      } else {
        describe(
          label,
          { skip: `${spec.backend} not tested: set ${spec.env} to run this suite against it` },
          () => {},
        );
      }
      continue;
    }
    const url = spec.url;
    describe(label, () => {
      let pool: ConnectionPool | undefined;
      let sharedDir: string | undefined;
      const extra: ConnectionPool[] = [];
      const ctx: BackendContext = {
        backend: spec.backend,
        name: spec.name,
        url,
        get sharedUrl() {
          if (spec.sharedIn === undefined) return url;
          sharedDir ??= mkdtempSync(join(tmpdir(), `twistar-${spec.backend}-shared-`));
          return spec.sharedIn(sharedDir);
        },
        get pool() {
          if (pool === undefined)
            throw new Error('The backend pool is opened in before(); use it inside tests.');
          return pool;
        },
        openPool(poolOptions) {
          const opened = connect(url, poolOptions);
          extra.push(opened);
          return opened;
        },
      };
      before(() => {
        pool = connect(url);
        Registry.DBPOOL = pool;
      });
      after(async () => {
        Registry.DBPOOL = null;
        await Promise.all([...extra.splice(0), pool].map((p) => p?.close()));
      });
      suite.tests ??= new Set();
      const outer = declaring;
      declaring = { backend: spec.backend, suite: title };
      try {
        body(ctx);
      } finally {
        declaring = outer;
      }
      // After the suite's own hooks, which may close pools on the shared file.
      after(() => {
        if (sharedDir !== undefined) rmSync(sharedDir, { recursive: true, force: true });
      });
    });
  }
}

/** Declares `body` for the named backends only, for a behaviour only they have. */
export function describeOn(
  backends: readonly BackendId[],
  title: string,
  body: (ctx: BackendContext) => void,
): void {
  describeEachBackend(title, body, { on: backends });
}

/** Declares `body` for the database servers only (PostgreSQL, MySQL): for faults SQLite cannot have. */
export function describeEachServer(title: string, body: (ctx: BackendContext) => void): void {
  describeOn(['postgres', 'mysql'], title, body);
}

/**
 * node:test's `it`, which in a backend suite skips a test that test/support/gaps.ts lists for the backend,
 * reporting the listed reason.
 */
export function it(name: string, fn: NodeTestFn): void;
export function it(name: string, options: NodeTestOptions, fn: NodeTestFn): void;
export function it(name: string, optionsOrFn: NodeTestOptions | NodeTestFn, maybeFn?: NodeTestFn): void {
  const [options, fn] = typeof optionsOrFn === 'function' ? [{}, optionsOrFn] : [optionsOrFn, maybeFn];
  if (declaring === undefined) {
    void nodeIt(name, options, fn);
    return;
  }
  suites.get(declaring.suite)?.tests?.add(name);
  const reason = GAPS[declaring.backend][`${declaring.suite} > ${name}`];
  void nodeIt(
    name,
    reason === undefined ? options : { ...options, skip: `gap on ${declaring.backend}: ${reason}` },
    fn,
  );
}

/**
 * The entries of the gap list that name a suite declared here but none of its tests, or a backend it is not
 * declared for. (test/unit/gaps.test.ts checks that each entry's suite is declared somewhere.)
 */
function staleGaps(): string[] {
  const stale: string[] = [];
  for (const [backend, entries] of Object.entries(GAPS) as [BackendId, Readonly<Record<string, string>>][]) {
    for (const key of Object.keys(entries)) {
      const title = [...suites.keys()].find((each) => key.startsWith(`${each} > `));
      const suite = title === undefined ? undefined : suites.get(title);
      if (title === undefined || suite === undefined) continue;
      if (!suite.backends.includes(backend))
        stale.push(`"${key}" is listed for ${backend}, which the suite is not declared for`);
      // No body ran when no backend of the suite had its URL: there is nothing to compare with.
      else if (suite.tests !== null && !suite.tests.has(key.slice(title.length + 3)))
        stale.push(`"${key}" (${backend}) names no test of the suite`);
    }
  }
  return stale;
}

// A gap that no longer names a test fails the file that declares its suite, so that the list cannot rot.
after(() => {
  const stale = staleGaps();
  if (stale.length > 0)
    assert.fail(`test/support/gaps.ts lists tests that do not exist:\n${stale.join('\n')}`);
});
