import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, Registry, type ConnectionPool } from '../../src/index.js';

import type { DialectName } from './dialects.js';

export type { DialectName } from './dialects.js';

// Run every test away from UTC (and off the hour), so that any Date handled in local time shows up;
// TWISTAR_TEST_TZ runs them in another zone (CI runs the date suites in four more).
process.env.TZ = process.env.TWISTAR_TEST_TZ ?? 'America/St_Johns';

interface BackendSpec {
  readonly name: DialectName;
  readonly env?: string;
  readonly url: string | undefined;
}

const SPECS: readonly BackendSpec[] = [
  { name: 'sqlite', url: process.env.TWISTAR_SQLITE_URL ?? 'sqlite::memory:' },
  { name: 'postgres', env: 'TWISTAR_PG_URL', url: process.env.TWISTAR_PG_URL },
  { name: 'mysql', env: 'TWISTAR_MYSQL_URL', url: process.env.TWISTAR_MYSQL_URL },
];

/** With TWISTAR_REQUIRE_ALL_BACKENDS=1 (as in CI) a backend without its URL fails instead of being skipped. */
const requireAll = process.env.TWISTAR_REQUIRE_ALL_BACKENDS === '1';

/** What a suite gets for the backend it runs on. */
export interface BackendContext {
  readonly name: DialectName;
  /** The URL of this backend's database (for other processes to connect to it). */
  readonly url: string;
  /** The pool of this backend, also set as Registry.DBPOOL while the suite runs. */
  readonly pool: ConnectionPool;
  /** Opens another pool on the same database (closed after the suite). */
  openPool(options?: Parameters<typeof connect>[1]): ConnectionPool;
}

/**
 * Declares `body` once per database: SQLite always, PostgreSQL and MySQL when their URL is set.
 * Without a URL the suite is reported as skipped, saying which variable to set.
 */
export function describeEachBackend(
  title: string,
  body: (ctx: BackendContext) => void,
  specs: readonly BackendSpec[] = SPECS,
): void {
  for (const spec of specs) {
    const label = `${title} [${spec.name}]`;
    if (spec.url === undefined) {
      if (requireAll) {
        describe(label, () => {
          it(`has a ${spec.name} database to run against`, () => {
            assert.fail(`${spec.env} is not set, and TWISTAR_REQUIRE_ALL_BACKENDS=1 requires ${spec.name}.`);
          });
        });
      } else {
        describe(
          label,
          { skip: `${spec.name} not tested: set ${spec.env} to run this suite against it` },
          () => {},
        );
      }
      continue;
    }
    const url = spec.url;
    describe(label, () => {
      let pool: ConnectionPool | undefined;
      const extra: ConnectionPool[] = [];
      const ctx: BackendContext = {
        name: spec.name,
        url,
        get pool() {
          if (pool === undefined)
            throw new Error('The backend pool is opened in before(); use it inside tests.');
          return pool;
        },
        openPool(options) {
          const opened = connect(url, options);
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
      body(ctx);
    });
  }
}

/** Declares `body` for the named databases only, for what the others cannot do. */
export function describeOn(
  names: readonly DialectName[],
  title: string,
  body: (ctx: BackendContext) => void,
): void {
  describeEachBackend(
    title,
    body,
    SPECS.filter((spec) => names.includes(spec.name)),
  );
}

/** Declares `body` for the database servers only (PostgreSQL, MySQL): for faults SQLite cannot have. */
export function describeEachServer(title: string, body: (ctx: BackendContext) => void): void {
  describeOn(['postgres', 'mysql'], title, body);
}
