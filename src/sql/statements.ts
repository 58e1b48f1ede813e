import { InvalidQueryError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';
import {
  checkCount,
  quoteColumn,
  renderGroup,
  renderOrderBy,
  renderSelect,
  type ColumnList,
  type OrderBy,
} from './fragments.js';
import { ALL_ROWS, hasCondition, toCondition, type AllRows, type WhereInput } from './where.js';
import { ownProperties } from '../options.js';

/** A statement ready for `pool.execute`. */
export interface Statement {
  readonly sql: string;
  readonly params: unknown[];
}

/** The clauses of a SELECT. */
export interface SelectClauses {
  where?: WhereInput;
  orderBy?: OrderBy;
  group?: ColumnList;
  limit?: number;
  offset?: number;
  select?: ColumnList;
  /** Lock the rows read until the transaction ends (FOR UPDATE, or FOR SHARE); use inside a transaction. */
  lock?: 'update' | 'share';
  /** With `lock`: fail at once on a row another transaction holds (NOWAIT), or leave it out (SKIP LOCKED). */
  lockWait?: 'wait' | 'noWait' | 'skipLocked';
  /** The condition on groups, after GROUP BY. */
  having?: WhereInput;
  /** The name the table goes by in the statement (`FROM table AS alias`), for a subquery. */
  alias?: string;
}

const LOCK_WAITS = { wait: '', noWait: ' NOWAIT', skipLocked: ' SKIP LOCKED' } as const;

/** A table name, checked and quoted. */
export function quoteTable(dialect: Dialect, table: string): string {
  return quoteColumn(dialect, table, 'Table name');
}

function appendWhere(dialect: Dialect, where: WhereInput, params: unknown[]): string {
  const condition = toCondition(where);
  if (condition === null) return '';
  params.push(...condition.params);
  return ` WHERE ${condition.text}`;
}

/** SELECT … FROM table [WHERE] [GROUP BY] [ORDER BY] [LIMIT/OFFSET]. */
export function selectStatement(dialect: Dialect, table: string, given: SelectClauses = {}): Statement {
  // Own properties only: a clause inherited from a polluted Object.prototype is no clause.
  const clauses = ownProperties(given);
  const params: unknown[] = [];
  let columns = '*';
  if (clauses.select !== undefined) {
    const select = renderSelect(dialect, clauses.select);
    columns = select.text;
    params.push(...select.params);
  }
  let sql = `SELECT ${columns} FROM ${quoteTable(dialect, table)}`;
  if (clauses.alias !== undefined) sql += ` AS ${quoteTable(dialect, clauses.alias)}`;
  sql += appendWhere(dialect, clauses.where, params);
  if (clauses.group !== undefined) {
    const group = renderGroup(dialect, clauses.group);
    sql += ` GROUP BY ${group.text}`;
    params.push(...group.params);
  }
  const having = toCondition(clauses.having);
  if (having !== null) {
    if (clauses.group === undefined)
      throw new InvalidQueryError('having needs a group: call group(…) first.');
    sql += ` HAVING ${having.text}`;
    params.push(...having.params);
  }
  if (clauses.orderBy !== undefined) {
    const order = renderOrderBy(dialect, clauses.orderBy);
    sql += ` ORDER BY ${order.text}`;
    params.push(...order.params);
  }
  sql += dialect.limitOffset(checkCount('limit', clauses.limit), checkCount('offset', clauses.offset));
  if (clauses.lock !== undefined) {
    if (clauses.lock !== 'update' && clauses.lock !== 'share') {
      throw new InvalidQueryError(`lock must be 'update' or 'share', got ${String(clauses.lock)}.`);
    }
    const clause = dialect.lockClauses[clauses.lock];
    const wait = clauses.lockWait ?? 'wait';
    if (!Object.hasOwn(LOCK_WAITS, wait)) {
      throw new InvalidQueryError(`lockWait must be 'wait', 'noWait' or 'skipLocked', got ${String(wait)}.`);
    }
    // A database without row locks (SQLite: a write transaction holds the whole database) has no clause.
    sql += clause === '' ? '' : clause + LOCK_WAITS[wait];
  }
  return { sql, params };
}

/** SELECT COUNT(*) AS count FROM table [WHERE]. */
export function countStatement(dialect: Dialect, table: string, where?: WhereInput): Statement {
  const params: unknown[] = [];
  const sql = `SELECT COUNT(*) AS count FROM ${quoteTable(dialect, table)}${appendWhere(dialect, where, params)}`;
  return { sql, params };
}

/** The columns of a values object that have a value; `undefined` means "not given". */
function definedColumns(values: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(values).filter((name) => values[name] !== undefined);
}

/** INSERT of one row; `returning` names the key column PostgreSQL should send back. */
export function insertStatement(
  dialect: Dialect,
  table: string,
  values: Readonly<Record<string, unknown>>,
  returning?: string,
): Statement {
  const quotedTable = quoteTable(dialect, table);
  const columns = definedColumns(values);
  const tail =
    returning !== undefined && dialect.insertReturning ? ` RETURNING ${quoteColumn(dialect, returning)}` : '';
  if (columns.length === 0) return { sql: dialect.insertDefaults(quotedTable) + tail, params: [] };
  const names = columns.map((name) => quoteColumn(dialect, name)).join(', ');
  const placeholders = columns.map(() => '?').join(', ');
  return {
    sql: `INSERT INTO ${quotedTable} (${names}) VALUES (${placeholders})${tail}`,
    params: columns.map((name) => values[name]),
  };
}

/**
 * Multi-row INSERTs for `rows`, each under the database's parameter limit. Rows may name different
 * columns: every statement lists the union of its rows' columns, NULL where a row has none.
 */
export function insertManyStatements(
  dialect: Dialect,
  table: string,
  rows: readonly Readonly<Record<string, unknown>>[],
): Statement[] {
  const quotedTable = quoteTable(dialect, table);
  const columnSet = new Set<string>();
  for (const row of rows) for (const name of definedColumns(row)) columnSet.add(name);
  const columns = [...columnSet];
  if (columns.length === 0) return rows.map(() => ({ sql: dialect.insertDefaults(quotedTable), params: [] }));
  const names = columns.map((name) => quoteColumn(dialect, name)).join(', ');
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const perStatement = Math.max(1, Math.floor(dialect.maxParameters / columns.length));
  const statements: Statement[] = [];
  for (let start = 0; start < rows.length; start += perStatement) {
    const chunk = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    for (const row of chunk)
      for (const name of columns)
        params.push(Object.hasOwn(row, name) && row[name] !== undefined ? row[name] : null);
    statements.push({
      sql: `INSERT INTO ${quotedTable} (${names}) VALUES ${chunk.map(() => tuple).join(', ')}`,
      params,
    });
  }
  return statements;
}

function describeEmpty(where: WhereInput): string {
  if (where === undefined || where === null) return String(where);
  return typeof where === 'string' || Array.isArray(where) ? JSON.stringify(where) : 'a blank sql fragment';
}

/**
 * The WHERE of an UPDATE or DELETE: ALL_ROWS for none, else a condition that must not be empty, since a
 * missing value (an undefined variable, a list filtered to nothing) would otherwise reach every row.
 */
function requiredWhere(
  dialect: Dialect,
  verb: 'update' | 'delete',
  table: string,
  where: WhereInput | AllRows,
  params: unknown[],
): string {
  if (where === ALL_ROWS) return '';
  if (!hasCondition(where)) {
    throw new InvalidQueryError(
      `${verb}(${table}) was given no condition (where is ${describeEmpty(where)}), so it would ${verb} every ` +
        `row. Pass a where such as ['id = ?', 7], or ALL_ROWS (import { ALL_ROWS } from 'twistar') to ${verb} ` +
        'every row on purpose.',
    );
  }
  return appendWhere(dialect, where, params);
}

/** UPDATE table SET … WHERE …; `ALL_ROWS` updates every row, an empty where is refused. */
export function updateStatement(
  dialect: Dialect,
  table: string,
  values: Readonly<Record<string, unknown>>,
  where: WhereInput | AllRows,
): Statement {
  const columns = definedColumns(values);
  if (columns.length === 0) throw new InvalidQueryError(`update(${table}) needs at least one column to set.`);
  const params: unknown[] = columns.map((name) => values[name]);
  const assignments = columns.map((name) => `${quoteColumn(dialect, name)} = ?`).join(', ');
  const condition = requiredWhere(dialect, 'update', table, where, params);
  return { sql: `UPDATE ${quoteTable(dialect, table)} SET ${assignments}${condition}`, params };
}

/**
 * UPDATE table SET column = column + ? WHERE …: an atomic change of a number column, whatever other writers do
 * meanwhile; with `returning`, the rows send back the column's new value (where the dialect can).
 */
export function adjustStatement(
  dialect: Dialect,
  table: string,
  column: string,
  by: unknown,
  where: WhereInput,
  returning = false,
): Statement {
  const quoted = quoteColumn(dialect, column);
  const params: unknown[] = [by];
  const condition = requiredWhere(dialect, 'update', table, where, params);
  const tail = returning ? ` RETURNING ${quoted}` : '';
  return {
    sql: `UPDATE ${quoteTable(dialect, table)} SET ${quoted} = ${quoted} + ?${condition}${tail}`,
    params,
  };
}

/** DELETE FROM table WHERE …; `ALL_ROWS` deletes every row, an empty where is refused. */
export function deleteStatement(dialect: Dialect, table: string, where: WhereInput | AllRows): Statement {
  const params: unknown[] = [];
  const quotedTable = quoteTable(dialect, table);
  return {
    sql: `DELETE FROM ${quotedTable}${requiredWhere(dialect, 'delete', table, where, params)}`,
    params,
  };
}
