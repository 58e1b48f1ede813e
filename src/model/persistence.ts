import { checkMassAssignment } from './mass-assignment.js';
import {
  DBObjectSaveError,
  InvalidQueryError,
  QueryError,
  ReferenceNotSavedError,
  ValidationError,
} from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn } from '../sql/fragments.js';
import { joinWheres, type Where } from '../sql/where.js';
import { staleObject, versionCheck } from './optimistic-locking.js';
import { changedColumns } from './attributes.js';
import { columnValue } from '../options.js';
import { reportViolation, tableViolation, violationOf } from './constraint-violations.js';
import { runBefore } from './lifecycle.js';
import { afterWrite } from './write-outcome.js';
import { inHookOf } from '../connection/context.js';
import type { ConnectionPool } from '../connection/connection-pool.js';
import { validatorsOf } from '../validation/validators.js';
import { checkColumnsAfter, knownModelSchema, modelSchema } from './model-schema.js';
import { BUILTIN_VALIDATE, STATE, errorsOf } from './object-state.js';
import { findObjectsBy } from './finders.js';
import { castsOf } from './model-casts.js';
import type { Loadable, Loaded } from './hydration.js';
import {
  byKey,
  describe,
  insertObject,
  modelOf,
  oneRow,
  updateObject,
  type Persistable,
} from './object-statements.js';

export {
  insertObject,
  modelOf,
  refreshObject,
  updateObject,
  valuesForInsert,
  type Persistable,
} from './object-statements.js';
import { joinTableOf, relationsOf } from './relation-declarations.js';
import { applyDependents, dependentsOf } from './dependents.js';
import { checkNotSoftDeleted, restoreNow, softDeleteColumnOf, softDeleteRow } from './soft-delete.js';

/** How a save() ended: written (or nothing to write), refused (see `errors`), or cancelled by a before-hook. */
export type SaveOutcome = 'saved' | 'invalid' | 'cancelled';

/**
 * Runs the INSERT or UPDATE. When a constraint refuses it, its messages go to the object's errors and the
 * result is false; any other failure rejects.
 */
async function write(obj: Persistable, config: InteractionBase, creating: boolean): Promise<boolean> {
  const run = async (): Promise<unknown> =>
    creating ? insertObject(obj, config) : updateObject(obj, config);
  const pool = config.pool;
  try {
    // PostgreSQL refuses the rest of a transaction after a failed statement: a savepoint keeps it usable.
    if (pool.dialect.abortsTransactionOnError && pool.inTransaction) await pool.runInteraction(run);
    else await run();
    return true;
  } catch (error) {
    if (!(error instanceof QueryError)) throw error;
    const model = modelOf(obj);
    const schema = knownModelSchema(config, model);
    if (schema === undefined) throw error;
    const written = creating
      ? schema.columns.map((column) => column.name).filter((name) => columnValue(obj, name) != null)
      : changedColumns(obj, schema);
    // The catalogue may be asked about the columns (dropped ones, the ones a constraint covers), so the
    // transaction must take statements until then (MySQL and SQLite undid just the failed one; PostgreSQL's
    // savepoint is undone). Whatever the outcome, the transaction is rollback-only afterwards: as in Twistar,
    // a transaction in which a save was refused commits nothing, and rolls back when its callback returns
    // (rejecting with this error as the cause). A nested transaction() around the save keeps it to itself.
    pool.acknowledgeFailure(error);
    try {
      // A column dropped since the columns were read: UnknownColumnError names it.
      await checkColumnsAfter(config, model, error, written);
      const parsed = violationOf(pool.dialect, error);
      // A missing key is the application's to fill (see valuesForInsert), not a message for the user.
      if (parsed === null || (parsed.kind === 'not-null' && parsed.columns.includes(schema.primaryKey))) {
        throw error;
      }
      reportViolation(obj, model, await tableViolation(parsed, config, model, schema, written));
    } finally {
      pool.markRollbackOnly(error);
    }
    return false;
  }
}

/**
 * Runs `work` once the object's save or delete under way (if any) has ended, so that two writes of one object
 * never overlap: `u.age = 1; u.save(); u.age = 2; u.save()` leaves 2, and two saves of a new object insert
 * one row. Runs at once instead: a save started by the object's own hooks (it would wait for itself), and a
 * save in the same transaction as the one under way (the transaction's one connection orders their
 * statements, and its nested transactions may be what the one under way waits for).
 */
export function inTurn<T>(obj: Persistable, pool: ConnectionPool, work: () => Promise<T>): Promise<T> {
  const state = obj[STATE];
  const previous = state.writing;
  const transaction = pool.transactionToken();
  if (previous !== null && (inHookOf(obj) || (transaction !== undefined && transaction === state.writingIn)))
    return work();
  const run = previous === null ? work() : previous.then(work);
  const settled = run.then(ignore, ignore);
  state.writing = settled;
  state.writingIn = transaction;
  void settled.then(() => {
    if (state.writing === settled) {
      state.writing = null;
      state.writingIn = undefined;
    }
  });
  return run;
}

function ignore(): void {}

/** save(): validate, run the hooks, then INSERT or UPDATE; resolves to how it ended. */
export function saveWithOutcome(obj: Persistable, config: InteractionBase): Promise<SaveOutcome> {
  return inTurn(obj, config.pool, () => saveNow(obj, config));
}

async function saveNow(obj: Persistable, config: InteractionBase): Promise<SaveOutcome> {
  const state = obj[STATE];
  if (state.deleted) throw new DBObjectSaveError(`Cannot save ${describe(obj)}: it was deleted.`);
  const model = modelOf(obj);
  // Each step costs an await; a class without validations or a given hook skips that step.
  const validate = obj.validate as { [BUILTIN_VALIDATE]?: boolean };
  if (validate[BUILTIN_VALIDATE] !== true || validatorsOf(model).length > 0 || castsOf(model) !== null) {
    await obj.validate();
    if (state.errors?.isEmpty() === false) return 'invalid';
  } else state.errors?.clear();
  const creating = !state.persisted;
  const operation = creating ? 'create' : 'update';
  if (!(await runBefore(obj, operation))) return 'cancelled';
  if (!(await write(obj, config, creating))) return 'invalid';
  await afterWrite(obj, operation, config.pool);
  return 'saved';
}

/**
 * save(): validate, run the hooks, then INSERT or UPDATE; resolves to the object. A failed validation or a
 * constraint the database enforces leaves its messages in `errors` and nothing written.
 */
export async function saveObject<T extends Persistable>(obj: T, config: InteractionBase): Promise<T> {
  await saveWithOutcome(obj, config);
  return obj;
}

/**
 * delete(): beforeDelete, DELETE (or, for a model with SOFT_DELETE, the UPDATE that sets it), afterDelete; false
 * when a hook cancelled. `force` (forceDelete()) DELETEs the row whatever the model. Waits for a save under way.
 */
export function deleteObject(obj: Persistable, config: InteractionBase, force = false): Promise<boolean> {
  return inTurn(obj, config.pool, () => deleteNow(obj, config, force));
}

/** restore(): see soft-delete.ts. Waits for a save or delete under way. */
export function restoreObject(obj: Persistable, config: InteractionBase): Promise<boolean> {
  return inTurn(obj, config.pool, () => restoreNow(obj, config));
}

async function deleteNow(obj: Persistable, config: InteractionBase, force: boolean): Promise<boolean> {
  const state = obj[STATE];
  if (!state.persisted || obj.id === null || obj.id === undefined) {
    const why = state.deleted ? 'it was deleted already' : 'it was never saved';
    throw new ReferenceNotSavedError(`Cannot delete ${describe(obj)}: ${why}.`);
  }
  const soft = force ? null : softDeleteColumnOf(obj);
  if (soft !== null) checkNotSoftDeleted(obj, soft);
  if (!(await runBefore(obj, 'delete'))) return false;
  if (soft !== null) {
    // The row stays, and so do its join rows: restore() brings the object back whole. Of the dependent
    // relations, 'restrict' refuses and 'destroy' deletes each related object (soft, where its model is).
    const kept = dependentsOf(modelOf(obj)).filter(
      (spec) => spec.dependent === 'restrict' || spec.dependent === 'destroy',
    );
    const mark = async () => {
      await applyDependents(obj.id, kept, config, describe(obj));
      await softDeleteRow(obj, config, soft);
    };
    if (kept.length > 0) await config.pool.runInteraction(mark);
    else await mark();
    await afterWrite(obj, 'delete', config.pool);
    return true;
  }
  const schema = await modelSchema(config, modelOf(obj));
  const id = obj.id;
  const joins = [...relationsOf(modelOf(obj)).values()].filter((spec) => spec.kind === 'habtm');
  const dependents = dependentsOf(modelOf(obj));
  const remove = async () => {
    await applyDependents(id, dependents, config, describe(obj));
    for (const spec of joins) {
      const quote = (column: string) => quoteColumn(config.pool.dialect, column);
      // A self-referential join table (users ↔ users) names the object on either side.
      const where: Where =
        spec.className === modelOf(obj).name
          ? [`${quote(spec.foreignKey)} = ? OR ${quote(spec.associationForeignKey)} = ?`, id, id]
          : [`${quote(spec.foreignKey)} = ?`, id];
      await config.delete(joinTableOf(spec), where);
    }
    const lock = versionCheck(config.pool.dialect, schema, obj, modelOf(obj).name);
    const where =
      lock === undefined ? byKey(config, schema, id) : joinWheres(byKey(config, schema, id), lock.where);
    const deleted = await oneRow(obj, config, schema, 'delete', () => config.delete(schema.table, where));
    if (deleted === 0 && lock !== undefined) throw staleObject(`delete ${describe(obj)}`, lock.column);
  };
  // The join rows and the dependent relations' rows go in the same transaction as the row itself.
  if (joins.length > 0 || dependents.length > 0) await config.pool.runInteraction(remove);
  else await remove();
  state.deleted = true;
  state.persisted = false;
  await afterWrite(obj, 'delete', config.pool);
  return true;
}

/**
 * findOrCreate(): the first object with these values, or a new one saved with them, in one transaction. When a
 * concurrent caller creates it first (a unique index refuses ours), the one it created is returned.
 */
export async function findOrCreateObject<M extends Persistable & Loaded>(
  model: Loadable<M> & (new (attrs: object) => M),
  config: InteractionBase,
  attrs: object,
): Promise<M> {
  if (attrs !== null && typeof attrs === 'object' && Object.keys(attrs).length === 0) {
    throw new InvalidQueryError(
      `${model.name}.findOrCreate({}) has no condition, so it would return any row; give the values to find by.`,
    );
  }
  // Before the read: values a plain object may not set are refused with nothing sent.
  checkMassAssignment(model, attrs, `${model.name}.findOrCreate()`);
  const { pool } = config;
  const values = attrs as Readonly<Record<string, unknown>>;
  return pool.runInteraction(async () => {
    const found = (await findObjectsBy<M>(model, config, values, { limit: 1 })) as M | null;
    if (found) return found;
    const created = new model(attrs);
    const refused = new Error('refused');
    try {
      // In a savepoint, so that what its before-hooks wrote is undone when the row is refused.
      await pool.runInteraction(async () => {
        if ((await saveWithOutcome(created, config)) === 'invalid') throw refused;
      });
      return created;
    } catch (error) {
      if (error !== refused) throw error;
    }
    // Refused by a unique index or by validatesUniquenessOf: a concurrent caller's row may exist now. A
    // locking read sees it even under MySQL's REPEATABLE READ; in share mode, since a failed INSERT already
    // holds a shared lock on that key.
    const winner = (await findObjectsBy<M>(model, config, values, { limit: 1, lock: 'share' })) as M | null;
    return winner ?? created;
  });
}

/**
 * saveOrFail(): save(), but a refusal rejects: ValidationError when a validation or a constraint refused the
 * object, DBObjectSaveError when a before-hook cancelled the save.
 */
export async function saveOrFailObject<T extends Persistable>(obj: T, config: InteractionBase): Promise<T> {
  const outcome = await saveWithOutcome(obj, config);
  if (outcome === 'invalid') throw new ValidationError(obj, errorsOf(obj));
  if (outcome === 'cancelled')
    throw new DBObjectSaveError(`${obj.constructor.name} was not saved: a before-hook cancelled the save.`);
  return obj;
}
