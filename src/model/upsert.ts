import {
  AfterCommitError,
  DBObjectSaveError,
  InvalidQueryError,
  QueryError,
  ValidationError,
  isRetryable,
} from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import type { Row } from '../dialects/driver.js';
import { checkMassAssignment } from './mass-assignment.js';
import { ROW_NUMBER, upsertRulesOf } from '../sql/upsert-statements.js';
import { readRow } from './attributes.js';
import { refusal } from './bulk-create.js';
import { reportViolation, tableViolation, violationOf } from './constraint-violations.js';
import type { Loadable } from './hydration.js';
import { hasHooks, runBefore } from './lifecycle.js';
import { afterWrite } from './write-outcome.js';
import { modelSchema, savableSchema, schemaToSave, type ModelSchema } from './model-schema.js';
import { STATE, errorsOf } from './object-state.js';
import { valuesForInsert } from './persistence.js';
import { OtherKeyConflict, upsertRows, type RowOptions, type UpsertGroup } from './upsert-rows.js';
import { checkUniqueBy } from './upsert-keys.js';
import { checkKeys, checkNoVersion, checkUpdate, checkedOptions, validateAll } from './upsert-checks.js';
import type { UpsertManyResult, UpsertOptions, UpsertResult, Upsertable } from './upsert-types.js';

/*
 * upsert and upsertMany: new objects validated and saved with `INSERT … ON CONFLICT … DO UPDATE` (`ON DUPLICATE
 * KEY UPDATE`), each then holding its row as the database has it, with the hooks of what happened to it.
 */

export type { UpsertManyResult, UpsertOptions, UpsertResult, Upsertable } from './upsert-types.js';

/** The model class of an upsert. */
export type UpsertModel<M> = Loadable<M> & (new (attrs: object) => M);

/** How often an upsert outside a transaction runs again after a deadlock (MariaDB reports some for two upserts of one key). */
const ATTEMPTS = 8;

/** upsert(values, options): resolves to the record and whether it was created. */
export async function upsertObject<M extends Upsertable>(
  model: UpsertModel<M>,
  config: InteractionBase,
  values: object,
  options: UpsertOptions,
): Promise<UpsertResult<M>> {
  const what = `${model.name}.upsert()`;
  if (values === null || typeof values !== 'object' || Array.isArray(values)) {
    const got = values === null ? 'null' : Array.isArray(values) ? 'an array' : typeof values;
    throw new InvalidQueryError(`${what} takes the values as an object, got ${got}.`);
  }
  const { records, created } = await upsertObjects(model, config, [values], options, what);
  const record = records[0];
  if (record === undefined)
    throw new DBObjectSaveError(`${model.name} was not upserted: a before-hook cancelled the save.`);
  return { record, created: created[0] === true };
}

/** upsertMany(rows, options): the rows written, in chunks, in one transaction. */
export async function upsertManyObjects<M extends Upsertable>(
  model: UpsertModel<M>,
  config: InteractionBase,
  items: readonly object[],
  options: UpsertOptions,
): Promise<UpsertManyResult<M>> {
  const what = `${model.name}.upsertMany()`;
  if (!Array.isArray(items)) throw new InvalidQueryError(`${what} takes a list of values objects.`);
  const { records, created } = await upsertObjects(model, config, items, options, what);
  const inserted = created.filter(Boolean).length;
  return { created: inserted, updated: records.length - inserted, records };
}

async function upsertObjects<M extends Upsertable>(
  model: UpsertModel<M>,
  config: InteractionBase,
  items: readonly object[],
  options: UpsertOptions,
  what: string,
): Promise<{ records: M[]; created: boolean[] }> {
  const { uniqueBy, update } = checkedOptions(options, what);
  const rules = upsertRulesOf(config.pool.dialect, what);
  const objects = items.map((item, index) => {
    if (item === null || typeof item !== 'object' || STATE in item)
      throw new InvalidQueryError(`${what}: item ${index} is not a plain object of values.`);
    checkMassAssignment(model, item, what);
    return new model(item);
  });
  if (objects.length === 0) return { records: [], created: [] };
  const schema = await modelSchema(config, model);
  const unknown = [...uniqueBy, ...(update ?? [])].filter((name) => !schema.byName.has(name));
  if (unknown.length > 0)
    throw new InvalidQueryError(`${what}: "${schema.table}" has no column ${unknown.join(', ')}.`);
  const { generatedKey, keys } = await checkUniqueBy(config, rules, schema, uniqueBy, what);
  const otherKeys = keys.filter(
    (key) => !(key.length === uniqueBy.length && key.every((c) => uniqueBy.includes(c))),
  );
  checkKeys(objects, uniqueBy, what);
  checkNoVersion(objects, schema, what);
  if (update !== undefined) checkUpdate(objects, update, schema, what);
  await validateAll(objects, uniqueBy, what);
  const write = () => writeAll(model, config, objects, { uniqueBy, update, generatedKey, otherKeys }, what);
  const alone = oneStatement(model, config, objects.length * schema.columns.length);
  for (let attempt = 1; ; attempt++) {
    const before = objects.map((obj) => ({ ...(obj as object) }));
    try {
      return await (alone ? write() : config.pool.runInteraction(write));
    } catch (error) {
      // Committed, but a hook that runs after the commit threw: the objects hold their rows.
      if (error instanceof AfterCommitError) throw error;
      objects.forEach((obj, i) => restore(obj, before[i] ?? {}));
      if (attempt >= ATTEMPTS || config.pool.inTransaction || !isRetryable(error))
        throw await refused(error, model, objects, config);
      await new Promise((resolve) => setTimeout(resolve, 10 * 2 ** attempt * Math.random()));
    }
  }
}

/**
 * True when the upsert is one statement needing no transaction of its own: RETURNING tells inserts, the values fit
 * one statement, no hook may write beside it, and a failure cannot abort a transaction it is in (else a savepoint).
 */
function oneStatement(model: { prototype: object }, config: InteractionBase, parameters: number): boolean {
  const { dialect } = config.pool;
  return (
    dialect.upsert?.inserted !== undefined &&
    parameters <= dialect.maxParameters &&
    !(dialect.abortsTransactionOnError && config.pool.inTransaction) &&
    !hasHooks(model.prototype, 'upsert', 'before') &&
    !hasHooks(model.prototype, 'create', 'after') &&
    !hasHooks(model.prototype, 'update', 'after')
  );
}

/** Puts an object back as it was before an attempt that failed: new, with the values it was given. */
function restore(obj: Upsertable, values: Record<string, unknown>): void {
  const target = obj as unknown as Record<string, unknown>;
  for (const key of Object.keys(target)) if (!Object.hasOwn(values, key)) Reflect.deleteProperty(target, key);
  Object.assign(target, values);
  obj[STATE].persisted = false;
  obj[STATE].snapshot = null;
}

/** The error an upsert rejects with: a constraint's refusal as the objects' errors, else the error itself. */
async function refused<M extends Upsertable>(
  error: unknown,
  model: UpsertModel<M>,
  objects: readonly M[],
  config: InteractionBase,
): Promise<unknown> {
  const schema = await modelSchema(config, model).catch(() => undefined);
  if (!(error instanceof QueryError) || schema === undefined) return error;
  if (objects.length > 1)
    return refusal(
      error,
      model,
      objects,
      { schema, saved: [], failing: objects },
      config,
      `${model.name}.upsertMany`,
    );
  const [obj] = objects;
  const parsed = violationOf(config.pool.dialect, error);
  if (obj === undefined || parsed === null) return error;
  const written = schema.columns.map((column) => column.name).filter((name) => columnOf(obj, name) != null);
  reportViolation(obj, model, await tableViolation(parsed, config, model, schema, written));
  return Object.assign(new ValidationError(obj, errorsOf(obj)), { cause: error });
}

const columnOf = (obj: object, name: string): unknown => (obj as Record<string, unknown>)[name];

/**
 * The refusal of a row that met another unique key than uniqueBy's (MySQL): that key's uniqueness error on the
 * object, as PostgreSQL and SQLite report it, rejecting like a validation.
 */
function otherKeyRefusal<M extends Upsertable>(
  model: UpsertModel<M>,
  writing: readonly M[],
  rowOf: ReadonlyMap<M, Record<string, unknown>>,
  conflict: OtherKeyConflict,
  options: RowOptions,
  what: string,
): Error {
  const index = writing.findIndex((obj) => rowOf.get(obj) === conflict.values);
  const obj = writing[index];
  if (obj === undefined) return conflict;
  const columns = (options.otherKeys ?? [])
    .filter((key) => key.every((column) => conflict.values[column] != null))
    .flat();
  reportViolation(obj, model, {
    kind: 'unique',
    constraint: null,
    columns: [...new Set(columns)],
    values: null,
  });
  if (writing.length === 1) return new ValidationError(obj, errorsOf(obj));
  return new DBObjectSaveError(
    `${what} wrote nothing: item ${index} holds a value of a unique key another row has ` +
      `(${errorsOf(obj).toString()}). Each object's errors say why.`,
  );
}

/** In the transaction: the before-hooks, the statements, each object reading its row, then the after-hooks. */
async function writeAll<M extends Upsertable>(
  model: UpsertModel<M>,
  config: InteractionBase,
  objects: readonly M[],
  options: RowOptions,
  what: string,
): Promise<{ records: M[]; created: boolean[] }> {
  const writing: M[] = [];
  for (const obj of objects) if (await runBefore(obj, 'upsert')) writing.push(obj);
  let schema: ModelSchema = await modelSchema(config, model);
  // A value for a name that is not a known column: the columns are read again, or the value refused.
  for (const obj of writing)
    schema = savableSchema(config, model, obj) ?? (await schemaToSave(config, model, obj));
  // Rows that set the same columns go together, so that no column is written as NULL in place of its default.
  const groups = new Map<string, UpsertGroup>();
  const rowOf = new Map<M, Record<string, unknown>>();
  for (const obj of writing) {
    const values = valuesForInsert(obj, schema, config);
    rowOf.set(obj, values);
    const columns = Object.keys(values).filter((name) => values[name] !== undefined);
    const signature = columns.join('\0');
    const group = groups.get(signature) ?? { columns, rows: [] };
    group.rows.push(values);
    groups.set(signature, group);
  }
  const written = new Map<Record<string, unknown>, { row: Row; created: boolean }>();
  for (const group of groups.values()) {
    const results = await upsertRows(config, schema, group, options, what).catch((error: unknown) => {
      throw error instanceof OtherKeyConflict
        ? otherKeyRefusal(model, writing, rowOf, error, options, what)
        : error;
    });
    group.rows.forEach((values, i) => {
      const result = results[i];
      if (result !== undefined) written.set(values, result);
    });
  }
  const created: boolean[] = [];
  for (const obj of writing) {
    const values = rowOf.get(obj);
    const result = values === undefined ? undefined : written.get(values);
    if (result === undefined) throw new DBObjectSaveError(`${what}: a row written was not read back.`);
    Reflect.deleteProperty(result.row, ROW_NUMBER);
    readRow(obj, result.row, schema);
    obj[STATE].errors?.clear();
    created.push(result.created);
  }
  for (const [i, obj] of writing.entries()) {
    const after = afterWrite(obj, created[i] === true ? 'create' : 'update', config.pool);
    if (after !== undefined) await after;
  }
  return { records: writing, created };
}
