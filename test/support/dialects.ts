import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Dialect } from '../../src/dialects/dialect.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';
import { InvalidQueryError } from '../../src/errors.js';
import type { Statement } from '../../src/sql/statements.js';

/** Twistar's own dialects, the ones the suites run on. */
export type DialectName = 'sqlite' | 'postgres' | 'mysql';

/** One of Twistar's own dialects. */
export type BuiltinDialect = Omit<Dialect, 'name'> & { readonly name: DialectName };

/** Twistar's own dialects, for the tests that check each one's exact SQL. */
export const DIALECTS = [sqliteDialect, postgresDialect, mysqlDialect] as readonly BuiltinDialect[];

/** Each dialect under its name. */
export const DIALECT = Object.fromEntries(DIALECTS.map((dialect) => [dialect.name, dialect])) as Readonly<
  Record<DialectName, BuiltinDialect>
>;

/** One test per dialect: `build` must give exactly `expected[dialect]` as SQL and `params` as parameters. */
export function testSql(
  title: string,
  build: (dialect: BuiltinDialect) => Statement,
  expected: Record<DialectName, string>,
  params: unknown[] = [],
): void {
  for (const dialect of DIALECTS) {
    it(`${title} (${dialect.name})`, () => {
      assert.deepEqual(build(dialect), { sql: expected[dialect.name], params });
    });
  }
}

/** One test per dialect that `build` throws InvalidQueryError. */
export function testRefused(title: string, build: (dialect: BuiltinDialect) => unknown): void {
  for (const dialect of DIALECTS) {
    it(`${title} (${dialect.name})`, () => {
      assert.throws(() => build(dialect), InvalidQueryError);
    });
  }
}
