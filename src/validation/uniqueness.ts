import { Registry } from '../registry.js';
import { quoteColumn } from '../sql/fragments.js';
import { joinWheres, type Where } from '../sql/where.js';
import { validatorsOf, type Validator } from './validators.js';
import { columnValue } from '../options.js';
import type { QueryModel } from '../query/query-state.js';
import { softDeleteColumn } from '../query/soft-delete-rows.js';

interface Keyed {
  readonly constructor: {
    tablename(): string;
    readonly PRIMARY_KEY: string;
    readonly SOFT_DELETE?: string | null | undefined;
  };
  readonly id: unknown;
}

/** Marks a uniqueness validator with what it checks, so that a unique index's refusal can use its message. */
const CHECKS = Symbol('twistar.uniqueness');

interface Checks {
  readonly props: readonly string[];
  readonly message: string;
}

/**
 * The message `model`'s `validatesUniquenessOf` gives `column` (the last one declared, a subclass's over its
 * parents'), or undefined when none checks it.
 */
export function uniquenessMessageOf(model: object, column: string): string | undefined {
  let found: string | undefined;
  for (const validator of validatorsOf(model)) {
    const checks = (validator as { [CHECKS]?: Checks })[CHECKS];
    if (checks?.props.includes(column)) found = checks.message;
  }
  return found;
}

/** While an upsert validates an object: the unique key it conflicts on, and the object's values of it. */
const upserting = new WeakMap<object, { readonly columns: readonly string[]; readonly values: unknown[] }>();

/**
 * Runs `validate` for an upsert of `obj` on the unique key of `columns`: a row holding that key is the row the
 * upsert updates, so uniqueness checks neither look at those columns nor count that row.
 */
export async function validatingUpsert<T>(
  obj: object,
  columns: readonly string[],
  validate: () => Promise<T>,
): Promise<T> {
  upserting.set(obj, { columns, values: columns.map((column) => columnValue(obj, column)) });
  try {
    return await validate();
  } finally {
    upserting.delete(obj);
  }
}

/** Objects validated for `createMany(…, { onConflict: 'ignore' })`: a duplicate is skipped, not refused. */
const ignoringConflicts = new WeakSet<object>();

/** Runs `validate` for an insert that skips a row a unique key already holds: uniqueness checks pass. */
export async function validatingIgnoringConflicts<T>(obj: object, validate: () => Promise<T>): Promise<T> {
  ignoringConflicts.add(obj);
  try {
    return await validate();
  } finally {
    ignoringConflicts.delete(obj);
  }
}

/**
 * Fails when another row already has the object's value in one of `props` (a live row, for a model with
 * SOFT_DELETE). It reads the database, so two concurrent saves can both pass: back it with a UNIQUE index (for
 * soft deletes, a partial one: `t.unique(['email'], { whereNull: 'deleted_at' })`).
 */
export function uniquenessOf(props: readonly string[], message = 'is not unique.'): Validator<Keyed> {
  const validator: Validator<Keyed> = async (obj) => {
    const config = Registry.getConfig();
    const dialect = config.pool.dialect;
    const model = obj.constructor;
    if (ignoringConflicts.has(obj)) return;
    const upsert = upserting.get(obj);
    for (const prop of props) {
      const value = columnValue(obj as object, prop);
      if (value === undefined || value === null || upsert?.columns.includes(prop) === true) continue;
      let where: Where | [] = [`${quoteColumn(dialect, prop)} = ?`, value];
      if (obj.id !== null && obj.id !== undefined) {
        where = joinWheres(where, [`${quoteColumn(dialect, model.PRIMARY_KEY)} <> ?`, obj.id]);
      }
      if (upsert !== undefined) {
        const key = upsert.columns.map((column) => `${quoteColumn(dialect, column)} = ?`).join(' AND ');
        where = joinWheres(where, [`NOT (${key})`, ...upsert.values]);
      }
      // A soft-deleted row no longer holds its values (a partial unique index over the live rows agrees).
      const soft = softDeleteColumn(model as unknown as QueryModel);
      if (soft !== null) where = joinWheres(where, `${quoteColumn(dialect, soft)} IS NULL`);
      if ((await config.count(model.tablename(), where)) > 0) obj.errors.add(prop, message);
    }
  };
  const checks: Checks = { props: [...props], message };
  return Object.defineProperty(validator, CHECKS, { value: checks });
}
