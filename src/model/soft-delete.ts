import { CannotRefreshError, ReferenceNotSavedError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn } from '../sql/fragments.js';
import { joinWheres } from '../sql/where.js';
import { columnValue } from '../options.js';
import { setOwnProperty } from '../own-property.js';
import type { QueryModel } from '../query/query-state.js';
import {
  checkSoftDeleteColumn,
  requiredSoftDeleteColumn,
  softDeleteColumn,
} from '../query/soft-delete-rows.js';
import { markSaved } from './attributes.js';
import { runAfter, runBefore } from './lifecycle.js';
import { modelSchema, type ModelSchema } from './model-schema.js';
import { STATE } from './object-state.js';
import { byKey, describe, modelOf, oneRow, refreshObject, type Persistable } from './object-statements.js';
import { softDeleteValues } from './soft-delete-values.js';
import { holdStored } from './stored-values.js';
import { staleObject, versionCheck } from './optimistic-locking.js';

/*
 * Soft deletes of one object (a model with `static SOFT_DELETE = 'deleted_at'`): delete() sets the column
 * rather than removing the row, restore() clears it; forceDelete() is persistence's DELETE.
 */

/** The SOFT_DELETE column of the object's model, or null when its delete() removes the row. */
export function softDeleteColumnOf(obj: Persistable): string | null {
  return softDeleteColumn(modelOf(obj) as unknown as QueryModel);
}

/** isDeleted(): its row was deleted by this object, or it is soft-deleted (its SOFT_DELETE column is set). */
export function isDeletedObject(obj: Persistable): boolean {
  if (obj[STATE].deleted) return true;
  const column = softDeleteColumnOf(obj);
  return column !== null && columnValue(obj, column) != null;
}

/** Refuses to soft-delete an object that is soft-deleted already (as far as it knows). */
export function checkNotSoftDeleted(obj: Persistable, column: string): void {
  if (columnValue(obj, column) == null) return;
  throw new ReferenceNotSavedError(
    `Cannot delete ${describe(obj)}: it was soft-deleted already (${column} is set); restore() brings it ` +
      'back, forceDelete() removes its row.',
  );
}

/** The UPDATE setting (or clearing) the column on the object's row, only where it is not so already. */
async function writeMark(
  obj: Persistable,
  config: InteractionBase,
  schema: ModelSchema,
  column: string,
  deletedAt: Date | null,
): Promise<boolean> {
  const id = obj.id;
  if (id === null) throw new ReferenceNotSavedError(`Cannot change ${describe(obj)}: it was never saved.`);
  checkSoftDeleteColumn(modelOf(obj) as unknown as QueryModel, column, schema);
  const { dialect } = config.pool;
  const now = deletedAt ?? new Date();
  const values = softDeleteValues(schema, column, deletedAt, now, dialect);
  const guard = `${quoteColumn(dialect, column)} ${deletedAt === null ? 'IS NOT NULL' : 'IS NULL'}`;
  // Optimistic locking: the row must hold the version the object read, and takes the next.
  const lock = versionCheck(dialect, schema, obj, modelOf(obj).name);
  if (lock !== undefined) values[lock.column] = lock.next;
  const guarded = joinWheres(byKey(config, schema, id), guard);
  const where = lock === undefined ? guarded : joinWheres(guarded, lock.where);
  const action = deletedAt === null ? 'restore' : 'delete';
  const touched = await oneRow(obj, config, schema, action, () => config.update(schema.table, values, where));
  if (touched === 0 && lock !== undefined) throw staleObject(`${action} ${describe(obj)}`, lock.column);
  if (touched === 0) return false;
  if (lock !== undefined) setOwnProperty(obj as unknown as Record<string, unknown>, lock.column, lock.next);
  const target = obj as unknown as Record<string, unknown>;
  setOwnProperty(target, column, deletedAt);
  if (Object.hasOwn(values, 'updated_at') && column !== 'updated_at') target.updated_at = now;
  markSaved(obj, Object.keys(values));
  holdStored(obj, schema, values, dialect);
  return true;
}

/**
 * The soft delete of delete(), between its hooks: sets the column to the client's time on the row, where it is
 * still NULL. When another caller deleted the row first, the object takes the row as it is (its time), or, if
 * the row is gone, counts as deleted.
 */
export async function softDeleteRow(
  obj: Persistable,
  config: InteractionBase,
  column: string,
): Promise<void> {
  const schema = await modelSchema(config, modelOf(obj));
  if (await writeMark(obj, config, schema, column, new Date())) return;
  try {
    await refreshObject(obj, config);
  } catch (error) {
    if (!(error instanceof CannotRefreshError)) throw error;
    obj[STATE].deleted = true;
    obj[STATE].persisted = false;
  }
}

/**
 * restore(): clears the column of a soft-deleted object (beforeRestore, UPDATE, afterRestore); false when it is
 * not deleted (nothing sent), a hook cancelled, or its row was live already (the object then takes the row).
 */
export async function restoreNow(obj: Persistable, config: InteractionBase): Promise<boolean> {
  const model = modelOf(obj);
  const column = requiredSoftDeleteColumn(model as unknown as QueryModel, `${model.name}#restore()`);
  const state = obj[STATE];
  if (!state.persisted || obj.id === null || obj.id === undefined) {
    const why = state.deleted ? 'its row was deleted (forceDelete)' : 'it was never saved';
    throw new ReferenceNotSavedError(`Cannot restore ${describe(obj)}: ${why}.`);
  }
  if (columnValue(obj, column) == null) return false;
  if (!(await runBefore(obj, 'restore'))) return false;
  const schema = await modelSchema(config, model);
  if (!(await writeMark(obj, config, schema, column, null))) {
    await refreshObject(obj, config);
    return false;
  }
  await runAfter(obj, 'restore');
  return true;
}
