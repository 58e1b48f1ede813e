import { AfterCommitError, DBObjectSaveError, QueryError, UniqueViolationError } from '../errors.js';
import { narrowInteger } from '../dialects/driver.js';
import type { Id, InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn } from '../sql/fragments.js';
import { insertManyStatements, type Statement } from '../sql/statements.js';
import { markSaved } from './attributes.js';
import { holdStored } from './stored-values.js';
import { culprits, reportViolation, tableViolation, violationOf } from './constraint-violations.js';
import type { Loadable, Loaded } from './hydration.js';
import { hasHooks, runBefore } from './lifecycle.js';
import { afterWrite } from './write-outcome.js';
import { validatorsOf } from '../validation/validators.js';
import { castsOf } from './model-casts.js';
import { validatingIgnoringConflicts } from '../validation/uniqueness.js';
import { modelSchema, savableSchema, schemaToSave, type ModelSchema } from './model-schema.js';
import { STATE } from './object-state.js';
import { insertObject, valuesForInsert, type Persistable } from './persistence.js';

/** A model object as createMany sees it. */
export type Creatable = Loaded & Persistable;

/** Options of `createMany`. */
export interface CreateManyOptions {
  /**
   * What a row that a unique key (the primary key or a unique index) already holds does: `'error'` (the default)
   * refuses the whole call, writing nothing; `'ignore'` skips that row and inserts the others.
   */
  readonly onConflict?: 'error' | 'ignore' | undefined;
}

/** Whether this MySQL server numbers the rows of one multi-row INSERT consecutively (per pool, read once). */
const consecutiveKeys = new WeakMap<object, Promise<boolean>>();

function mysqlNumbersConsecutively(config: InteractionBase): Promise<boolean> {
  let known = consecutiveKeys.get(config.pool);
  if (known === undefined) {
    // innodb_autoinc_lock_mode 0 or 1 gives one INSERT … VALUES a consecutive run of keys; 2 may interleave.
    known = config.pool
      .runQuery('SELECT @@innodb_autoinc_lock_mode AS mode, @@auto_increment_increment AS step')
      .then(([row]) => Number(row?.mode) <= 1 && Number(row?.step) === 1)
      .catch(() => false);
    consecutiveKeys.set(config.pool, known);
  }
  return known;
}

/** Runs one multi-row INSERT and resolves to the key of each row, in order (null where it cannot be known). */
async function insertChunk(
  config: InteractionBase,
  schema: ModelSchema,
  statement: Statement,
  count: number,
  givenKeys: boolean,
): Promise<(Id | null)[]> {
  const dialect = config.pool.dialect;
  const key = schema.byName.get(schema.primaryKey);
  const generated = !givenKeys && key?.kind === 'integer';
  if (dialect.bulkInsertKeys === 'returning' && !givenKeys) {
    const { rows } = await config.pool.execute(
      `${statement.sql} RETURNING ${quoteColumn(dialect, schema.primaryKey)}`,
      statement.params,
    );
    return rows.map((row) => (row[schema.primaryKey] as Id | undefined) ?? null);
  }
  const result = await config.pool.execute(statement.sql, statement.params);
  const { insertId } = result;
  if (
    !generated ||
    result.affectedRows !== count ||
    (typeof insertId !== 'number' && typeof insertId !== 'bigint')
  ) {
    return new Array<Id | null>(count).fill(null);
  }
  const last = dialect.bulkInsertKeys === 'last';
  if (!last && !(await mysqlNumbersConsecutively(config))) return new Array<Id | null>(count).fill(null);
  const first = last ? BigInt(insertId) - BigInt(count - 1) : BigInt(insertId);
  if (first + BigInt(count) <= BigInt(Number.MAX_SAFE_INTEGER)) {
    const start = Number(first);
    return Array.from({ length: count }, (_, i) => start + i);
  }
  // Keys beyond 2^53 arrive as bigints: count in bigints, and give back numbers where those are exact.
  return Array.from({ length: count }, (_, i) => narrowInteger(first + BigInt(i)));
}

/**
 * The error createMany() rejects with: for a constraint the database enforces, a DBObjectSaveError, with the
 * message on the objects the violation is about (see culprits); otherwise the error itself.
 */
export async function refusal<M extends Creatable>(
  error: unknown,
  model: Loadable<M>,
  objects: readonly M[],
  progress: { schema?: ModelSchema; saved: readonly [M, boolean][]; failing: readonly M[] | null },
  config: InteractionBase,
  what = `${model.name}.createMany`,
): Promise<unknown> {
  const { schema, failing } = progress;
  if (!(error instanceof QueryError) || schema === undefined || failing === null) return error;
  const written = schema.columns
    .map((column) => column.name)
    .filter((name) => failing.some((obj) => (obj as unknown as Record<string, unknown>)[name] != null));
  const parsed = violationOf(config.pool.dialect, error);
  if (parsed === null) return error;
  const violation = await tableViolation(parsed, config, model, schema, written);
  const earlier = progress.saved.map(([obj]) => obj);
  const blamed = culprits(violation, config.pool.dialect, failing, earlier);
  for (const obj of objects) obj[STATE].errors?.clear();
  for (const obj of blamed) reportViolation(obj, model, violation);
  const items = blamed.map((obj) => objects.indexOf(obj));
  return new DBObjectSaveError(
    `${what} wrote nothing: the database refused ${items.length === 1 ? 'item' : 'items'} ` +
      `${items.slice(0, 3).join(', ')}${items.length > 3 ? ', …' : ''} (${blamed[0]?.[STATE].errors?.toString() ?? ''}). ` +
      `Each object's errors say why.`,
    { cause: error },
  );
}

/**
 * Inserts each object on its own, in a savepoint, so that a row a unique key already holds is skipped (its object
 * stays new) and the others are written: the one way every database tells which rows those were.
 */
async function insertSkippingConflicts<M extends Creatable>(
  config: InteractionBase,
  objects: readonly M[],
  progress: { saved: [M, boolean][]; failing: M[] | null },
): Promise<void> {
  for (const obj of objects) {
    const generatedKey = obj.id === null || obj.id === undefined;
    // Another refusal (a NOT NULL column, a CHECK) is reported on this object (see refusal).
    progress.failing = [obj];
    try {
      await config.pool.runInteraction(() => insertObject(obj, config));
      progress.saved.push([obj, generatedKey]);
    } catch (error) {
      if (!(error instanceof UniqueViolationError)) throw error;
    }
    progress.failing = null;
  }
}

/**
 * createMany(): validates every object, runs their before-hooks, writes them with multi-row INSERTs under
 * the parameter limit in one transaction, sets their keys, then runs their after-hooks. If any object is not
 * valid, nothing is written. An object whose before-hook returns false is left unsaved.
 */
export async function createObjects<M extends Creatable>(
  model: Loadable<M>,
  items: readonly (M | object)[],
  config: InteractionBase,
  ignoreConflicts = false,
): Promise<M[]> {
  const build = model as unknown as new (attrs: object) => M;
  const objects = items.map((item): M => (item instanceof model ? (item as M) : new build(item)));
  const invalid: string[] = [];
  // Validation and hooks cost an await per object and step: skip the ones this class does not have.
  const validating = validatorsOf(model).length > 0 || castsOf(model) !== null;
  const seen = new Map<M, number>();
  for (const [index, obj] of objects.entries()) {
    if (obj[STATE].persisted || obj[STATE].deleted) {
      throw new DBObjectSaveError(
        `${model.name}.createMany: item ${index} is already saved (or deleted); save() it instead.`,
      );
    }
    const first = seen.get(obj);
    if (first !== undefined) {
      throw new DBObjectSaveError(
        `${model.name}.createMany: item ${index} is the same object as item ${first}; pass each object once ` +
          '(nothing was written).',
      );
    }
    seen.set(obj, index);
    if (obj[STATE].writing !== null) {
      throw new DBObjectSaveError(
        `${model.name}.createMany: item ${index} is being saved; await its save() before passing it here.`,
      );
    }
  }
  // Each object's save() or delete() started meanwhile waits until createMany has ended (see inTurn).
  let finish!: () => void;
  const writing = new Promise<void>((resolve) => (finish = resolve));
  const transaction = config.pool.transactionToken();
  for (const obj of objects) {
    obj[STATE].writing = writing;
    obj[STATE].writingIn = transaction;
  }
  try {
    return await validateAndWrite(model, objects, config, validating, invalid, ignoreConflicts);
  } finally {
    for (const obj of objects) {
      if (obj[STATE].writing === writing) {
        obj[STATE].writing = null;
        obj[STATE].writingIn = undefined;
      }
    }
    finish();
  }
}

async function validateAndWrite<M extends Creatable>(
  model: Loadable<M>,
  objects: M[],
  config: InteractionBase,
  validating: boolean,
  invalid: string[],
  ignoreConflicts: boolean,
): Promise<M[]> {
  for (const [index, obj] of objects.entries()) {
    if (!validating) break;
    if (ignoreConflicts) await validatingIgnoringConflicts(obj, () => obj.validate());
    else await obj.validate();
    const errors = obj[STATE].errors;
    if (errors !== null && !errors.isEmpty()) invalid.push(`item ${index}: ${errors.toString()}`);
  }
  if (invalid.length > 0) {
    throw new DBObjectSaveError(
      `${model.name}.createMany wrote nothing: ${invalid.length} of ${objects.length} objects are not valid ` +
        `(${invalid.slice(0, 3).join('; ')}${invalid.length > 3 ? '; …' : ''}). Each object's errors say why.`,
    );
  }
  // What the transaction got to: the objects marked saved (and whether their key was generated), and the
  // objects of the INSERT that was running when it failed.
  const progress: { schema?: ModelSchema; saved: [M, boolean][]; failing: M[] | null } = {
    saved: [],
    failing: null,
  };
  try {
    return await config.pool.runInteraction(async () => {
      let schema = await modelSchema(config, model);
      progress.schema = schema;
      const hooked = hasHooks(model.prototype, 'create', 'before');
      const writing: M[] = [];
      for (const obj of objects) if (!hooked || (await runBefore(obj, 'create'))) writing.push(obj);
      // A value for a name that is not a known column: the columns are read again, or the value refused.
      for (const obj of writing)
        schema = savableSchema(config, model, obj) ?? (await schemaToSave(config, model, obj));
      progress.schema = schema;
      if (ignoreConflicts) {
        await insertSkippingConflicts(config, writing, progress);
        for (const obj of writing) {
          if (!obj[STATE].persisted) continue;
          const after = afterWrite(obj, 'create', config.pool);
          if (after !== undefined) await after;
        }
        return objects;
      }
      // Rows that set the same columns go together, so that no column is written as NULL in place of its default.
      const groups = new Map<string, { columns: number; objects: M[]; rows: Record<string, unknown>[] }>();
      for (const obj of writing) {
        const values = valuesForInsert(obj, schema, config);
        const columns = Object.keys(values).filter((name) => values[name] !== undefined);
        const signature = columns.join('\0');
        const group = groups.get(signature) ?? { columns: columns.length, objects: [], rows: [] };
        group.objects.push(obj);
        group.rows.push(values);
        groups.set(signature, group);
      }
      for (const group of groups.values()) {
        const givenKeys = group.rows[0]?.[schema.primaryKey] !== undefined;
        let offset = 0;
        for (const statement of insertManyStatements(config.pool.dialect, schema.table, group.rows)) {
          // A row with no values at all is inserted alone, with its defaults.
          const count = group.columns === 0 ? 1 : statement.params.length / group.columns;
          progress.failing = group.objects.slice(offset, offset + count);
          const keys = await insertChunk(config, schema, statement, count, givenKeys);
          progress.failing = null;
          for (let i = 0; i < count; i++) {
            const obj = group.objects[offset + i];
            const row = group.rows[offset + i];
            if (obj === undefined || row === undefined) continue;
            const keyValue = keys[i];
            if (!givenKeys && keyValue !== null && keyValue !== undefined) obj.id = keyValue;
            markSaved(obj, [...Object.keys(row), schema.primaryKey]);
            holdStored(obj, schema, row, config.pool.dialect);
            progress.saved.push([obj, !givenKeys]);
          }
          offset += count;
        }
      }
      for (const obj of writing) {
        const after = afterWrite(obj, 'create', config.pool);
        if (after !== undefined) await after;
      }
      return objects;
    });
  } catch (error) {
    // Committed, but a hook that runs after the commit threw: the objects are saved.
    if (error instanceof AfterCommitError) throw error;
    // Everything was rolled back: the objects marked saved are new again.
    for (const [obj, generatedKey] of progress.saved) {
      obj[STATE].persisted = false;
      obj[STATE].snapshot = null;
      if (generatedKey) obj.id = null;
    }
    throw await refusal(error, model, objects, progress, config);
  }
}
