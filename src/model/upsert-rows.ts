import { DBObjectSaveError, InvalidQueryError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import type { Row } from '../dialects/driver.js';
import {
  INSERTED,
  ROW_NUMBER,
  keyedRowsStatements,
  returningInserted,
  upsertRulesOf,
  upsertStatements,
} from '../sql/upsert-statements.js';
import type { ModelSchema } from './model-schema.js';

/**
 * A row whose upsert met another unique key than `uniqueBy` (MySQL's ON DUPLICATE KEY updates the row holding it):
 * thrown in the upsert's transaction, which rolls back, and reported as that key's uniqueness error (see upsert.ts).
 */
export class OtherKeyConflict extends Error {
  constructor(readonly values: Readonly<Record<string, unknown>>) {
    super('The row conflicted on another unique key than uniqueBy.');
  }
}

/** Rows of an upsert that set the same columns: one statement (or a few, under the parameter limit) for all. */
export interface UpsertGroup {
  readonly columns: readonly string[];
  readonly rows: Record<string, unknown>[];
}

/** How the rows are upserted: the key they conflict on, the columns updated, the column the database numbers. */
export interface RowOptions {
  readonly uniqueBy: readonly string[];
  readonly update?: readonly string[] | undefined;
  readonly generatedKey?: string | undefined;
  /** The table's other unique keys, which a conflict other than uniqueBy's is reported on. */
  readonly otherKeys?: readonly (readonly string[])[];
}

/** A row as the database holds it after the upsert, and whether the upsert inserted it. */
export interface UpsertedRow {
  readonly row: Row;
  readonly created: boolean;
}

/**
 * The columns a row already holding the key takes from the values: those named in `update`, each of which the
 * values must set, else every column they set but the key's, the primary key and `created_at`; `updated_at`
 * whenever anything is updated and the values set it (a timestamped model's do).
 */
function updateColumns(
  schema: ModelSchema,
  columns: readonly string[],
  options: RowOptions,
  what: string,
): string[] {
  const { uniqueBy, update } = options;
  if (update !== undefined) {
    const unset = update.filter((name) => !columns.includes(name));
    if (unset.length > 0) {
      throw new InvalidQueryError(
        `${what}: update names ${unset.join(', ')}, which the values do not set; set them, or leave them out ` +
          'of update. Nothing was written.',
      );
    }
  }
  if (schema.lockVersion !== undefined && update?.includes(schema.lockVersion) === true) {
    throw new InvalidQueryError(
      `${what}: update names ${schema.lockVersion}, the lock version, which an upsert that updates a row adds 1 to ` +
        'itself; leave it out of update. Nothing was written.',
    );
  }
  const chosen =
    update ??
    columns.filter(
      (name) =>
        !uniqueBy.includes(name) &&
        name !== schema.primaryKey &&
        name !== schema.lockVersion &&
        !(schema.createdAt && name === 'created_at'),
    );
  if (
    chosen.length > 0 &&
    schema.updatedAt &&
    columns.includes('updated_at') &&
    !chosen.includes('updated_at')
  )
    return [...chosen, 'updated_at'];
  return [...chosen];
}

/**
 * Upserts the group's rows and resolves to each one's row as the database then holds it, in order. Where RETURNING
 * tells inserts, one statement per chunk; else the rows the keys hold are read first (locked, so that they stay
 * there), then written, then read back, matched to the values by the database's own comparison.
 */
export async function upsertRows(
  config: InteractionBase,
  schema: ModelSchema,
  group: UpsertGroup,
  options: RowOptions,
  what: string,
): Promise<UpsertedRow[]> {
  const { dialect } = config.pool;
  const rules = upsertRulesOf(dialect, what);
  const { uniqueBy } = options;
  const update = updateColumns(schema, group.columns, options, what);
  // A row updated gets the next lock version, so that a copy read before fails its save.
  const bump = update.length > 0 && schema.lockVersion !== undefined ? [schema.lockVersion] : [];
  const results: UpsertedRow[] = [];
  if (rules.inserted !== undefined) {
    const returning = returningInserted(dialect, rules.inserted);
    for (const statement of upsertStatements(
      dialect,
      schema.table,
      group.rows,
      uniqueBy,
      update,
      returning,
      bump,
    )) {
      for (const row of (await config.pool.execute(statement.sql, statement.params)).rows) {
        const created = row[INSERTED] === true || row[INSERTED] === 1 || row[INSERTED] === 't';
        Reflect.deleteProperty(row, INSERTED);
        results.push({ row, created });
      }
    }
    if (results.length !== group.rows.length)
      throw new DBObjectSaveError(
        `${what}: the database returned ${results.length} of ${group.rows.length} rows.`,
      );
    return checkDistinct(results, schema, what);
  }
  if (options.generatedKey !== undefined && group.rows.length === 1 && group.rows[0] !== undefined)
    return [await upsertOne(config, schema, group.rows[0], uniqueBy, update, bump)];
  const keys = group.rows.map((row) => uniqueBy.map((name) => row[name]));
  const read = async (all: boolean, lock: string): Promise<Map<number, Row>> => {
    const found = new Map<number, Row>();
    for (const statement of keyedRowsStatements(dialect, schema.table, uniqueBy, keys, all, lock))
      for (const row of (await config.pool.execute(statement.sql, statement.params)).rows)
        found.set(Number(row[ROW_NUMBER]), row);
    return found;
  };
  const existing = await read(false, dialect.lockClauses.update);
  for (const statement of upsertStatements(dialect, schema.table, group.rows, uniqueBy, update, '', bump))
    await config.pool.execute(statement.sql, statement.params);
  const after = await read(true, dialect.lockClauses.update);
  for (let i = 0; i < group.rows.length; i++) {
    const row = after.get(i);
    // MySQL's ON DUPLICATE KEY acts on a conflict with any unique key: this row met another one.
    if (row === undefined) throw new OtherKeyConflict(group.rows[i] ?? {});
    results.push({ row, created: !existing.has(i) });
  }
  return checkDistinct(results, schema, what);
}

/**
 * One row on a database whose result tells an insert (one row affected, and the key it generated) from an update
 * (see UpsertRules.generatedKey): the upsert, then the row read back, locked (the upsert holds its lock already).
 */
async function upsertOne(
  config: InteractionBase,
  schema: ModelSchema,
  values: Record<string, unknown>,
  uniqueBy: readonly string[],
  update: readonly string[],
  bump: readonly string[],
): Promise<UpsertedRow> {
  const { dialect } = config.pool;
  let created = false;
  for (const statement of upsertStatements(dialect, schema.table, [values], uniqueBy, update, '', bump)) {
    const { affectedRows, insertId } = await config.pool.execute(statement.sql, statement.params);
    created = affectedRows === 1 && insertId !== undefined && insertId !== null && Number(insertId) !== 0;
  }
  const key = [uniqueBy.map((name) => values[name])];
  for (const statement of keyedRowsStatements(
    dialect,
    schema.table,
    uniqueBy,
    key,
    true,
    dialect.lockClauses.update,
  )) {
    const [row] = (await config.pool.execute(statement.sql, statement.params)).rows;
    if (row !== undefined) return { row, created };
  }
  throw new OtherKeyConflict(values);
}

/** Refuses two values that met one row (keys equal as the database compares them: `a@x` and `A@x` in MySQL). */
function checkDistinct(results: UpsertedRow[], schema: ModelSchema, what: string): UpsertedRow[] {
  const seen = new Map<string, number>();
  results.forEach(({ row }, i) => {
    const key = String(row[schema.primaryKey]);
    const first = seen.get(key);
    if (first !== undefined) {
      throw new InvalidQueryError(
        `${what}: items ${first} and ${i} have keys the database holds equal (its collation), so they would ` +
          'write one row; pass each key once. Nothing was written.',
      );
    }
    seen.set(key, i);
  });
  return results;
}
