import { QueryError, TwistarError, UnknownColumnError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { forgetColumns, knownColumns, recheckColumns, recheckedColumn } from '../crud/schema-cache.js';
import { relationsOf, type RelatedModel } from './relation-declarations.js';
import type { ColumnInfo } from '../dialects/dialect.js';
import type { ModelDefinition } from './model-definition.js';
import { STATE, type ObjectState } from './object-state.js';
import { castColumns, type ModelColumn } from './model-casts.js';

export type { ModelDefinition } from './model-definition.js';

/** A model's table as Twistar uses it: columns, how each reads, and which optional columns exist. */
export interface ModelSchema {
  readonly table: string;
  /** The columns, those the model casts (static CASTS) with their cast. */
  readonly columns: readonly ModelColumn[];
  readonly byName: ReadonlyMap<string, ModelColumn>;
  /** Only the columns whose values need converting after the driver has read them (their cast's fromDb included). */
  readonly readers: ReadonlyMap<string, (value: unknown) => unknown>;
  /** The columns the model casts, or null when none. */
  readonly casted: ReadonlySet<string> | null;
  readonly primaryKey: string;
  /**
   * The key column is the table's one-column primary key, so the database itself keeps one row per key; when
   * not, an instance write or refresh checks that it touched just one (see persistence's `oneRow`).
   */
  readonly uniqueKey: boolean;
  readonly createdAt: boolean;
  readonly updatedAt: boolean;
  /** The optimistic-locking column (see LOCK_VERSION), if the model has one. */
  readonly lockVersion: string | undefined;
}

const schemas = new WeakMap<readonly ColumnInfo[], Map<ModelDefinition, ModelSchema>>();
const latest = new WeakMap<ModelDefinition, ModelSchema>();

/** Members a column must not shadow: the model's methods and accessors, and Object's own. */
function clashes(model: ModelDefinition, column: string): boolean {
  if (column === 'id') return false;
  for (let proto: object | null = model.prototype; proto !== null; proto = Object.getPrototypeOf(proto)) {
    const descriptor = Object.getOwnPropertyDescriptor(proto, column);
    if (descriptor) return typeof descriptor.value === 'function' || descriptor.set === undefined;
  }
  return false;
}

/**
 * The columns, among `columns`, that have the name of a method, accessor or relationship of `model`: a column
 * value would hide it, so the model refuses such a table (and `Registry.verify()` reports them).
 */
export function clashingColumns(model: ModelDefinition, columns: readonly string[]): string[] {
  const relations = relationsOf(model as RelatedModel);
  return columns.filter((column) => relations.has(column) || clashes(model, column));
}

/** The schema of `model` on `config`'s database if its columns are known already (no I/O). */
export function knownModelSchema(config: InteractionBase, model: ModelDefinition): ModelSchema | undefined {
  const columns = knownColumns(config.pool, model.tablename());
  return columns === undefined ? undefined : schemaFor(config, model, columns);
}

/** The schema of `model` on `config`'s database (read once per pool, then kept). */
export async function modelSchema(config: InteractionBase, model: ModelDefinition): Promise<ModelSchema> {
  return knownModelSchema(config, model) ?? schemaFor(config, model, await config.columns(model.tablename()));
}

function schemaFor(
  config: InteractionBase,
  model: ModelDefinition,
  columns: readonly ColumnInfo[],
): ModelSchema {
  let perModel = schemas.get(columns);
  if (perModel === undefined) {
    perModel = new Map();
    schemas.set(columns, perModel);
  }
  let schema = perModel.get(model);
  if (schema === undefined) {
    schema = buildSchema(config, model, columns);
    perModel.set(model, schema);
  }
  if (latest.get(model) !== schema) latest.set(model, schema);
  return schema;
}

function buildSchema(
  config: InteractionBase,
  model: ModelDefinition,
  tableColumns: readonly ColumnInfo[],
): ModelSchema {
  const table = model.tablename();
  const columns = castColumns(model, table, tableColumns);
  const clashing = clashingColumns(
    model,
    columns.map((column) => column.name),
  );
  if (clashing.length > 0) {
    throw new TwistarError(
      `Column(s) ${clashing.join(', ')} of "${table}" have the name of a method or property of ${model.name}; ` +
        'rename the column(s) or the method(s) (relationships included), since a column value would hide them.',
    );
  }
  if (model.PRIMARY_KEY !== 'id' && columns.some((column) => column.name === 'id')) {
    throw new TwistarError(
      `"${table}" has an id column, but ${model.name}.PRIMARY_KEY is "${model.PRIMARY_KEY}" and obj.id always ` +
        `reads the key; rename the id column, or make it the key.`,
    );
  }
  if (!columns.some((column) => column.name === model.PRIMARY_KEY)) {
    throw new TwistarError(
      `"${table}" has no column "${model.PRIMARY_KEY}"; set ${model.name}.PRIMARY_KEY to the name of its key column.`,
    );
  }
  const lock = model.LOCK_VERSION;
  if (typeof lock === 'string' && byNameOf(columns, lock)?.kind !== 'integer') {
    throw new TwistarError(
      `${model.name}.LOCK_VERSION is "${lock}", which is no integer column of "${table}"; add the column ` +
        `(INTEGER NOT NULL DEFAULT 0), or set LOCK_VERSION to false.`,
    );
  }
  const readers = new Map<string, (value: unknown) => unknown>();
  let casted: Set<string> | null = null;
  for (const column of columns) {
    const reader = config.pool.dialect.readConverter(column);
    const cast = column.cast;
    if (cast !== undefined) {
      (casted ??= new Set()).add(column.name);
      readers.set(column.name, (raw) => {
        const value = reader === undefined ? raw : reader(raw);
        return value === null || value === undefined ? value : cast.fromDb(value);
      });
    } else if (reader) readers.set(column.name, reader);
  }
  const byName = new Map(columns.map((column) => [column.name, column]));
  return {
    table,
    columns,
    byName,
    readers,
    casted,
    primaryKey: model.PRIMARY_KEY,
    uniqueKey:
      byName.get(model.PRIMARY_KEY)?.primaryKey === true &&
      columns.filter((column) => column.primaryKey).length === 1,
    createdAt: model.TIMESTAMPS && byName.has('created_at'),
    updatedAt: model.TIMESTAMPS && byName.has('updated_at'),
    lockVersion:
      lock === false
        ? undefined
        : (lock ?? (byName.get('lock_version')?.kind === 'integer' ? 'lock_version' : undefined)),
  };
}

const byNameOf = (columns: readonly ColumnInfo[], name: string) =>
  columns.find((column) => column.name === name);

/** The schema last read for `model`, if any (for synchronous work such as toJSON). */
export function knownSchema(model: ModelDefinition): ModelSchema | undefined {
  return latest.get(model);
}

/**
 * True when `obj` holds for `name` the value it was read with (a row's alias, say `COUNT(*) AS n`, untouched).
 * Only scalars and dates compare equal: an object read from a row is kept there as a copy (see readRow).
 */
function unchangedSinceRead(obj: { [STATE]: ObjectState }, name: string): boolean {
  const snapshot = obj[STATE].snapshot;
  if (snapshot === null || !Object.hasOwn(snapshot, name)) return false;
  const value = (obj as unknown as Record<string, unknown>)[name];
  const stored = snapshot[name];
  if (value instanceof Date) return stored instanceof Date && stored.getTime() === value.getTime();
  return Object.is(value, stored);
}

/**
 * The names `obj` holds a value for (own enumerable properties, not undefined) that are not columns of
 * `schema`, leaving out a value it was read with and still holds (e.g. a `select` alias).
 */
function notColumns(obj: object, schema: ModelSchema): string[] {
  let names: string[] | undefined;
  const values = obj as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(obj)) {
    if (schema.byName.has(name) || values[name] === undefined) continue;
    if (STATE in obj && unchangedSinceRead(obj as { [STATE]: ObjectState }, name)) continue;
    (names ??= []).push(name);
  }
  return names ?? [];
}

/**
 * The schema to save `obj` with, when it is known and every value `obj` holds has a column (no I/O, no
 * await); undefined when `schemaToSave` must look.
 */
export function savableSchema(
  config: InteractionBase,
  model: ModelDefinition,
  obj: object,
): ModelSchema | undefined {
  const schema = knownModelSchema(config, model);
  return schema !== undefined && notColumns(obj, schema).length === 0 ? schema : undefined;
}

/**
 * The schema to save `obj` with. A value for a name that is not a known column makes Twistar read the table's
 * columns again (another process may have added the column since they were read), once per name and
 * RECHECK_INTERVAL_MS (or at once after the columns are forgotten); a name that is still not a column is
 * refused with UnknownColumnError, since its value would not be saved.
 */
export async function schemaToSave(
  config: InteractionBase,
  model: ModelDefinition,
  obj: object,
): Promise<ModelSchema> {
  let schema = await modelSchema(config, model);
  let missing = notColumns(obj, schema);
  if (missing.length === 0) return schema;
  const table = model.tablename();
  if (missing.some((name) => !recheckedColumn(config.pool, table, name))) {
    schema = schemaFor(config, model, await recheckColumns(config.pool, table, missing));
    missing = notColumns(obj, schema);
    if (missing.length === 0) return schema;
  }
  throw unknownColumns(model, table, missing);
}

function unknownColumns(
  model: ModelDefinition,
  table: string,
  names: readonly string[],
  cause?: unknown,
): UnknownColumnError {
  const list = names.map((name) => `"${name}"`).join(', ');
  const what = names.length === 1 ? `${list} is not a column` : `${list} are not columns`;
  return new UnknownColumnError(
    `Cannot save ${model.name}: ${what} of "${table}", so the value would not be saved; nothing was written. ` +
      'Correct the name or add the column; keep a value that is not a column in a getter, a #private field ' +
      'or a Symbol-keyed property.',
    table,
    names,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * After a save of `written` columns of `model` failed with `error`: when the database says a column does not
 * exist (or its plan was made for other columns), the columns are read again, and a written name that is no
 * longer a column is thrown as UnknownColumnError (with the database's error as its cause). Otherwise returns,
 * and the caller goes on with `error`.
 */
export async function checkColumnsAfter(
  config: InteractionBase,
  model: ModelDefinition,
  error: unknown,
  written: readonly string[],
): Promise<void> {
  if (!(error instanceof QueryError) || !config.pool.dialect.staleColumns(error.cause)) return;
  const table = model.tablename();
  forgetColumns(config.pool, table);
  let columns: readonly ColumnInfo[];
  try {
    // The names written count as looked for: a save that still holds one is refused without another read.
    columns = await recheckColumns(config.pool, table, written);
  } catch {
    return;
  }
  const names = new Set(columns.map((column) => column.name));
  const gone = written.filter((name) => !names.has(name));
  if (gone.length > 0) throw unknownColumns(model, table, gone, error);
}
