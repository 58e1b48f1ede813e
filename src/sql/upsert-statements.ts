import { InvalidQueryError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import type { UpsertRules } from '../dialects/upsert-rules.js';
import { quoteColumn } from './fragments.js';
import { insertManyStatements, quoteTable, type Statement } from './statements.js';

/*
 * The statements of an upsert: `INSERT … VALUES … <the dialect's conflict clause>`, and, where the database's
 * RETURNING cannot tell an inserted row from an updated one, the reads of the rows the keys hold, matched to the
 * values by the database's own comparison (its collation), each row tagged with the number of its values.
 */

/** The name of the column that numbers the values in the reads of keyed rows, and flags RETURNING's inserts. */
export const ROW_NUMBER = 'twistar_row';
export const INSERTED = 'twistar_inserted';

/** The upsert rules of `dialect`, or InvalidQueryError for a database without them. */
export function upsertRulesOf(dialect: Dialect, what: string): UpsertRules {
  if (dialect.upsert === undefined) {
    throw new InvalidQueryError(
      `${what}: the ${dialect.displayName} dialect has no upsert (Dialect.upsert); save or createMany instead.`,
    );
  }
  return dialect.upsert;
}

/**
 * Multi-row upserts of `rows` (each setting the same columns) under the parameter limit: a row holding the unique
 * key of `conflict` gets the `update` columns of the row given. `returning` is appended as it is.
 */
export function upsertStatements(
  dialect: Dialect,
  table: string,
  rows: readonly Readonly<Record<string, unknown>>[],
  conflict: readonly string[],
  update: readonly string[],
  returning = '',
  increment: readonly string[] = [],
): Statement[] {
  const rules = upsertRulesOf(dialect, 'upsert');
  const quote = (name: string) => quoteColumn(dialect, name);
  const target = {
    table: quoteTable(dialect, table),
    conflict: conflict.map(quote),
    update: update.map(quote),
    increment: increment.map(quote),
  };
  const clause = rules.clause(target) + returning;
  return insertManyStatements(dialect, table, rows).map(({ sql, params }) => ({ sql: sql + clause, params }));
}

/** ` RETURNING *, <inserted> AS twistar_inserted`, for a dialect whose RETURNING tells inserts. */
export function returningInserted(dialect: Dialect, inserted: string): string {
  return ` RETURNING *, ${inserted} AS ${quoteColumn(dialect, INSERTED)}`;
}

/** The most SELECTs one UNION ALL joins: SQLite's limit (SQLITE_MAX_COMPOUND_SELECT) by default. */
const MAX_UNION_TERMS = 500;

/**
 * SELECTs of the rows holding the key (`conflict` columns) of each of `keys`, as `twistar_row` (the key's index
 * in `keys`) and, with `all`, every column, else the key's columns only; locked with `lock`. Each under the
 * parameter limit. The table's column is compared on the left, so that its collation decides what matches.
 */
export function keyedRowsStatements(
  dialect: Dialect,
  table: string,
  conflict: readonly string[],
  keys: readonly (readonly unknown[])[],
  all: boolean,
  lock = '',
): Statement[] {
  const quote = (name: string) => quoteColumn(dialect, name);
  const row = quote(ROW_NUMBER);
  const columns = conflict.map(quote);
  const target = quoteTable(dialect, table);
  const on = columns.map((column) => `t.${column} = v.${column}`).join(' AND ');
  const selected = all ? 't.*' : columns.map((column) => `t.${column}`).join(', ');
  const perStatement = Math.min(
    MAX_UNION_TERMS,
    Math.max(1, Math.floor(dialect.maxParameters / columns.length)),
  );
  const statements: Statement[] = [];
  for (let start = 0; start < keys.length; start += perStatement) {
    const chunk = keys.slice(start, start + perStatement);
    const values = chunk.map((_, i) =>
      i === 0
        ? `SELECT ${start} AS ${row}, ${columns.map((column) => `? AS ${column}`).join(', ')}`
        : `SELECT ${start + i}, ${columns.map(() => '?').join(', ')}`,
    );
    statements.push({
      sql:
        `SELECT v.${row}, ${selected} FROM (${values.join(' UNION ALL ')}) v ` +
        `JOIN ${target} t ON ${on}${lock}`,
      params: chunk.flatMap((key) => [...key]),
    });
  }
  return statements;
}
