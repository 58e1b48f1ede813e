/*
 * The statements of one model object: INSERT, UPDATE and refresh by its key, with the checks made before
 * sending (a value its column cannot hold, a key that is not unique). persistence.ts runs them in a save.
 */
import {
  CannotRefreshError,
  DBObjectSaveError,
  InvalidValueError,
  KeyNotUniqueError,
  ValueOutOfRangeError,
} from '../errors.js';
import type { Id, InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn } from '../sql/fragments.js';
import { dateOutside, timeOf } from '../sql/values.js';
import { insertStatement, updateStatement, type Statement } from '../sql/statements.js';
import { joinWheres, type Where } from '../sql/where.js';
import { staleObject, versionCheck } from './optimistic-locking.js';
import {
  capture,
  changedColumns,
  markSaved,
  outOfRange,
  readRow,
  unholdable,
  valuesToInsert,
  writeValue,
} from './attributes.js';
import { setOwnProperty } from '../own-property.js';
import { holdStored, sendStored } from './stored-values.js';
import { columnValue } from '../options.js';
import {
  modelSchema,
  savableSchema,
  schemaToSave,
  type ModelDefinition,
  type ModelSchema,
} from './model-schema.js';
import { STATE, type ObjectState } from './object-state.js';

/** A model object as persistence sees it. */
export interface Persistable {
  [STATE]: ObjectState;
  id: Id | null;
  validate(): Promise<unknown>;
}

export function modelOf(obj: Persistable): ModelDefinition {
  return obj.constructor as unknown as ModelDefinition;
}

export function byKey(config: InteractionBase, schema: ModelSchema, id: Id): Where {
  return [`${quoteColumn(config.pool.dialect, schema.primaryKey)} = ?`, id];
}

/**
 * Runs `statement`, an UPDATE or DELETE by the object's key, and resolves to the rows it touched. A key that is
 * the table's primary key touches one row at most, and runs as it is. Any other key may match several rows: the
 * statement then runs in a transaction (a savepoint inside the caller's), undone with KeyNotUniqueError when
 * the database reports more than one row, so nothing is changed and the caller's transaction goes on.
 */
export async function oneRow(
  obj: Persistable,
  config: InteractionBase,
  schema: ModelSchema,
  action: string,
  statement: () => Promise<number>,
): Promise<number> {
  if (schema.uniqueKey) return statement();
  return config.pool.runInteraction(async () => {
    const touched = await statement();
    if (touched > 1) throw keyNotUnique(obj, schema, action, `${touched} rows`);
    return touched;
  });
}

function keyNotUnique(
  obj: Persistable,
  schema: ModelSchema,
  action: string,
  rows: string,
): KeyNotUniqueError {
  const model = modelOf(obj).name;
  return new KeyNotUniqueError(
    `Cannot ${action} ${describe(obj)}: ${model}.PRIMARY_KEY "${schema.primaryKey}" matched ${rows} of ` +
      `"${schema.table}", so nothing was changed. Set ${model}.PRIMARY_KEY to a unique column (the table's ` +
      'primary key, or a NOT NULL column with a unique index).',
  );
}

export function describe(obj: Persistable): string {
  return `${modelOf(obj).name}${obj.id === null ? '' : ` #${String(obj.id)}`}`;
}

function set(obj: Persistable, name: string, value: unknown): void {
  (obj as unknown as Record<string, unknown>)[name] = value;
}

/**
 * Refuses, before anything is sent, a value its column cannot hold exactly (see outOfRange): SQLite would
 * store it as given, and the servers refuse it, or drop a string's trailing spaces. `statement` is the one not sent.
 */
function checkRanges(
  obj: Persistable,
  schema: ModelSchema,
  values: Readonly<Record<string, unknown>>,
  config: InteractionBase,
  statement: () => Statement,
): void {
  for (const name of Object.keys(values)) {
    const column = schema.byName.get(name);
    const given = columnValue(obj, name);
    const unfit = column === undefined ? undefined : unholdable(config.pool.dialect, column, values[name]);
    if (unfit !== undefined) {
      throw new InvalidValueError(`Cannot save ${describe(obj)}: ${unfit}; nothing was sent.`);
    }
    let why = column === undefined ? undefined : outOfRange(column, values[name]);
    // A DATE column is sent the day's text: the Date it came from is checked here.
    if (why === undefined && given instanceof Date && column !== undefined) {
      if (Number.isNaN(timeOf(given))) {
        throw new InvalidValueError(
          `Cannot save ${describe(obj)}: column "${name}" (${column.type}) was given an invalid Date (made ` +
            'from text or numbers that are not a date); nothing was sent.',
        );
      }
      const outside = dateOutside(given, config.pool.dialect.dateRange);
      if (outside !== undefined) why = `column "${name}" (${column.type}): ${outside}`;
    }
    if (why === undefined) continue;
    const { sql, params } = statement();
    throw new ValueOutOfRangeError(
      `Cannot save ${describe(obj)}: ${why}; nothing was sent. (SQL: ${sql})`,
      sql,
      params,
      undefined,
    );
  }
}

/**
 * The column values a new object is inserted with: timestamps filled, a null key left to the database,
 * and a key the database would not report back refused before anything is written.
 */
export function valuesForInsert(
  obj: Persistable,
  schema: ModelSchema,
  config: InteractionBase,
): Record<string, unknown> {
  if (schema.createdAt || schema.updatedAt) {
    const now = new Date();
    if (schema.createdAt && columnValue(obj, 'created_at') == null) set(obj, 'created_at', now);
    if (schema.updatedAt && columnValue(obj, 'updated_at') == null) set(obj, 'updated_at', now);
  }
  // A locked model's row starts at version 0.
  if (schema.lockVersion !== undefined && columnValue(obj, schema.lockVersion) == null)
    set(obj, schema.lockVersion, 0);
  const values = valuesToInsert(obj, schema);
  // A null key is left to the database to generate.
  if (values[schema.primaryKey] === null) values[schema.primaryKey] = undefined;
  const keyColumn = schema.byName.get(schema.primaryKey);
  if (
    values[schema.primaryKey] === undefined &&
    keyColumn?.kind !== 'integer' &&
    !config.pool.dialect.insertReturning
  ) {
    throw new DBObjectSaveError(
      `Cannot save ${describe(obj)}: its key column "${schema.primaryKey}" is not an integer the database ` +
        `generates, so give it a value (e.g. randomUUID()) before saving.`,
    );
  }
  checkRanges(obj, schema, values, config, () => insertStatement(config.pool.dialect, schema.table, values));
  sendStored(schema, values, config.pool.dialect);
  return values;
}

/** INSERTs the object's column values (no validation, no hooks) and takes the key the database gave it. */
export async function insertObject(obj: Persistable, config: InteractionBase): Promise<void> {
  const model = modelOf(obj);
  const schema = savableSchema(config, model, obj) ?? (await schemaToSave(config, model, obj));
  const values = valuesForInsert(obj, schema, config);
  const saved = capture(obj, Object.keys(values));
  const id = await config.insert(schema.table, values, schema.primaryKey);
  if (id !== null && obj.id == null) obj.id = id;
  saved();
  markSaved(obj, [schema.primaryKey]);
  holdStored(obj, schema, values, config.pool.dialect);
}

/** UPDATEs the columns that changed (none: no statement); resolves to whether it wrote. */
export async function updateObject(obj: Persistable, config: InteractionBase): Promise<boolean> {
  if (obj.id === null || obj.id === undefined) {
    throw new DBObjectSaveError(`Cannot update ${describe(obj)}: it has no ${modelOf(obj).PRIMARY_KEY}.`);
  }
  const model = modelOf(obj);
  const schema = savableSchema(config, model, obj) ?? (await schemaToSave(config, model, obj));
  const lock = versionCheck(config.pool.dialect, schema, obj, model.name);
  // The version is the check's to write: one assigned (a form's) is the version expected.
  const changed = changedColumns(obj, schema).filter((name) => name !== lock?.column);
  if (changed.length === 0) return false;
  if (schema.updatedAt && !changed.includes('updated_at')) {
    set(obj, 'updated_at', new Date());
    changed.push('updated_at');
  }
  const values: Record<string, unknown> = {};
  for (const name of changed) {
    const column = schema.byName.get(name);
    if (column) setOwnProperty(values, name, writeValue(column, columnValue(obj, name)));
  }
  if (lock !== undefined) values[lock.column] = lock.next;
  const where =
    lock === undefined
      ? byKey(config, schema, obj.id)
      : joinWheres(byKey(config, schema, obj.id), lock.where);
  checkRanges(obj, schema, values, config, () =>
    updateStatement(config.pool.dialect, schema.table, values, where),
  );
  sendStored(schema, values, config.pool.dialect);
  const saved = capture(obj, changed);
  const updated = await oneRow(obj, config, schema, 'update', () =>
    config.update(schema.table, values, where),
  );
  if (updated === 0) {
    if (lock !== undefined) throw staleObject(`update ${describe(obj)}`, lock.column);
    throw new DBObjectSaveError(`Cannot update ${describe(obj)}: its row no longer exists.`);
  }
  saved();
  if (lock !== undefined) {
    set(obj, lock.column, lock.next);
    markSaved(obj, [lock.column]);
  }
  holdStored(obj, schema, values, config.pool.dialect);
  return true;
}

/** Reloads every column from the row. */
export async function refreshObject(obj: Persistable, config: InteractionBase): Promise<void> {
  if (obj.id === null || obj.id === undefined) {
    throw new CannotRefreshError(`Cannot refresh ${describe(obj)}: it has no id (save it first).`);
  }
  const schema = await modelSchema(config, modelOf(obj));
  const id = obj.id;
  // From the primary: a replica may not have replayed the latest writes yet. A key that is not the table's
  // primary key reads up to two rows, to tell that it matches more than one.
  const row = await config.pool.primary(async () => {
    if (schema.uniqueKey) return config.select(schema.table, { id, primaryKey: schema.primaryKey });
    const rows = await config.select(schema.table, { where: byKey(config, schema, id), limit: 2 });
    if (rows.length > 1) throw keyNotUnique(obj, schema, 'refresh', 'more than one row');
    return rows[0] ?? null;
  });
  if (row === null)
    throw new CannotRefreshError(`Cannot refresh ${describe(obj)}: its row no longer exists.`);
  readRow(obj, row, schema);
  obj[STATE].loaded = null;
}
