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
import { toCondition, type WhereInput } from './where.js';

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
}

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
export function selectStatement(dialect: Dialect, table: string, clauses: SelectClauses = {}): Statement {
  const params: unknown[] = [];
  let columns = '*';
  if (clauses.select !== undefined) {
    const select = renderSelect(dialect, clauses.select);
    columns = select.text;
    params.push(...select.params);
  }
  let sql = `SELECT ${columns} FROM ${quoteTable(dialect, table)}`;
  sql += appendWhere(dialect, clauses.where, params);
  if (clauses.group !== undefined) {
    const group = renderGroup(dialect, clauses.group);
    sql += ` GROUP BY ${group.text}`;
    params.push(...group.params);
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
    sql += dialect.lockClauses[clauses.lock];
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
      for (const name of columns) params.push(row[name] === undefined ? null : row[name]);
    statements.push({
      sql: `INSERT INTO ${quotedTable} (${names}) VALUES ${chunk.map(() => tuple).join(', ')}`,
      params,
    });
  }
  return statements;
}

/** UPDATE table SET … [WHERE]. */
export function updateStatement(
  dialect: Dialect,
  table: string,
  values: Readonly<Record<string, unknown>>,
  where?: WhereInput,
): Statement {
  const columns = definedColumns(values);
  if (columns.length === 0) throw new InvalidQueryError(`update(${table}) needs at least one column to set.`);
  const params: unknown[] = columns.map((name) => values[name]);
  const assignments = columns.map((name) => `${quoteColumn(dialect, name)} = ?`).join(', ');
  const sql = `UPDATE ${quoteTable(dialect, table)} SET ${assignments}${appendWhere(dialect, where, params)}`;
  return { sql, params };
}

/** DELETE FROM table [WHERE]. */
export function deleteStatement(dialect: Dialect, table: string, where?: WhereInput): Statement {
  const params: unknown[] = [];
  return { sql: `DELETE FROM ${quoteTable(dialect, table)}${appendWhere(dialect, where, params)}`, params };
}
