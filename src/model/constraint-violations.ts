import type { InteractionBase } from '../crud/interaction-base.js';
import type { ColumnInfo, Dialect } from '../dialects/dialect.js';
import { splitTableName } from '../dialects/dialect-kit.js';
import type { CatalogueQuery } from '../dialects/driver.js';
import type { ConstraintKind, ConstraintViolation } from '../dialects/driver-errors.js';
import { QueryError } from '../errors.js';
import { relationsOf, type RelatedModel } from './relation-declarations.js';
import { BASE } from '../validation/errors.js';
import { uniquenessMessageOf } from '../validation/uniqueness.js';
import type { ModelDefinition } from './model-definition.js';
import type { ModelSchema } from './model-schema.js';
import { errorsOf, type ObjectState, type STATE } from './object-state.js';

/*
 * Where a constraint the database enforces becomes a record's error: the dialect reads the driver's error
 * (dialects/<db>/<db>-errors.ts), this module finds the columns it is about (asking the catalogue where the error
 * does not name them) and puts a validator-like message on the object, under the column or `base`.
 */

/** A violation on a model's table whose `columns` are the table's own: empty when they are not known. */
export type TableViolation = ConstraintViolation;

/** One message to add to a record's errors. */
export interface ConstraintMessage {
  readonly prop: string;
  readonly message: string;
}

type Lookup = Promise<readonly string[]>;

/** Catalogue answers per table (a new entry once its columns are read again), per question. */
const lookups = new WeakMap<readonly ColumnInfo[], Map<string, Lookup>>();

function cached(schema: ModelSchema, question: string, load: () => Lookup): Lookup {
  let answers = lookups.get(schema.columns);
  if (answers === undefined) {
    answers = new Map();
    lookups.set(schema.columns, answers);
  }
  let answer = answers.get(question);
  if (answer === undefined) {
    // A lookup that fails leaves the columns unknown, and is asked again next time.
    const loading = load().catch(() => {
      answers.delete(question);
      return [];
    });
    answers.set(question, loading);
    answer = loading;
  }
  return answer;
}

/**
 * A duplicate that names its index (MySQL): the catalogue lists each unique index's columns, read once per table
 * (and again when it does not know the index, which may be newer than the list). An index with a part that is
 * an expression (MySQL 8) has no columns to name.
 */
async function uniqueIndexColumns(
  config: InteractionBase,
  schema: ModelSchema,
  query: CatalogueQuery,
  index: string,
  again = true,
): Lookup {
  const question = 'unique indexes';
  const pairs = await cached(schema, question, async () => {
    const rows = await catalogue(config, query);
    // Flattened as `index\0column` pairs ('' for an expression), so that one cache holds every kind of answer.
    return rows.map(
      (row) => `${String(row.index_name)}\0${typeof row.column_name === 'string' ? row.column_name : ''}`,
    );
  });
  // MySQL 8 says `table.index`, MariaDB `index`.
  const table = splitTableName(schema.table)[1];
  const name = index.startsWith(`${table}.`) ? index.slice(table.length + 1) : index;
  const parts = pairs
    .filter((pair) => pair.startsWith(`${name}\0`))
    .map((pair) => pair.slice(name.length + 1));
  if (parts.length === 0 && again) {
    lookups.get(schema.columns)?.delete(question);
    return uniqueIndexColumns(config, schema, query, index, false);
  }
  return parts.includes('') ? [] : parts;
}

/** A catalogue read, from the primary: a replica may not have replayed the migration that made the constraint. */
function catalogue(config: InteractionBase, [sql, params]: CatalogueQuery) {
  return config.pool.primary(() => config.pool.runQuery(sql, params));
}

/** The columns a named CHECK constraint's definition mentions, from the catalogue (none on SQLite). */
function checkDefinitionColumns(config: InteractionBase, schema: ModelSchema, name: string): Lookup {
  const query = config.pool.dialect.constraintCatalogue.checkDefinition?.(name, schema.table);
  if (query === undefined) return Promise.resolve([]);
  return cached(schema, `check ${name}`, async () => {
    const rows = await catalogue(config, query);
    const names = new Set(schema.byName.keys());
    return checkColumns(rows.map((row) => String(row.definition)).join(' '), schema.table, names);
  });
}

/**
 * The one-column foreign keys of a table, from its catalogue (read once per table), where a refusal names no key
 * (SQLite): the columns written are matched against these.
 */
function foreignKeyColumns(config: InteractionBase, schema: ModelSchema, query: CatalogueQuery): Lookup {
  return cached(schema, 'foreign keys', async () => {
    const rows = await catalogue(config, query);
    const parts = new Map<string, string[]>();
    for (const row of rows)
      parts.set(String(row.id), [...(parts.get(String(row.id)) ?? []), String(row.column_name)]);
    return [...parts.values()].filter((columns) => columns.length === 1).map((columns) => columns[0] ?? '');
  });
}

/**
 * The table's column `name` stands for, spelled as the table (and so the model's objects) spell it: a belongs-to
 * `foreignKey` (or a constraint) may spell it in another case (`artistid` for `ArtistId`), which MySQL and SQLite
 * take for the same column. Undefined for a name that is no column (an expression), or that matches several only
 * ignoring case.
 */
function ownName(schema: ModelSchema, name: string): string | undefined {
  if (schema.byName.has(name)) return name;
  const lower = name.toLowerCase();
  const matches = [...schema.byName.keys()].filter((column) => column.toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}

/** The belongs-to foreign keys of `model`. */
function belongsToKeys(model: ModelDefinition): string[] {
  return [...relationsOf(model as RelatedModel).values()]
    .filter((spec) => spec.kind === 'belongsTo')
    .map((spec) => spec.foreignKey);
}

/**
 * The constraint violation a failed statement (a QueryError, or the driver's own error) reports on `dialect`'s
 * database, or null when it is some other failure.
 */
export function violationOf(dialect: Dialect, error: unknown): ConstraintViolation | null {
  const driverError = error instanceof QueryError ? error.cause : error;
  if (driverError === null || typeof driverError !== 'object') return null;
  return dialect.constraintViolation(driverError);
}

/**
 * The violation with its columns resolved to the table's own, where they can be found: a MySQL unique index
 * and a named CHECK through the catalogue (asked once per table and constraint), an unnamed check from its
 * expression, and a foreign-key failure that names no key (SQLite) from the one foreign key (the table's, as
 * its catalogue lists them, or the model's belongs-to) among `written` (the columns given a value), if exactly one is. Columns still unknown are left empty.
 */
export async function tableViolation(
  parsed: ConstraintViolation,
  config: InteractionBase,
  model: ModelDefinition,
  schema: ModelSchema,
  written: readonly string[],
): Promise<TableViolation> {
  const names = new Set(schema.byName.keys());
  const own = parsed.columns.map((column) => ownName(schema, column));
  // An index on an expression names the expression, which is no column.
  let columns: readonly string[] = own.every((column) => column !== undefined) ? own : [];
  if (columns.length === 0 && parsed.constraint !== null) {
    const indexes = config.pool.dialect.constraintCatalogue.uniqueIndexes?.(schema.table);
    if (parsed.kind === 'unique' && indexes !== undefined) {
      columns = await uniqueIndexColumns(config, schema, indexes, parsed.constraint);
    } else if (parsed.kind === 'check') {
      columns = checkColumns(parsed.constraint, schema.table, names);
      if (columns.length === 0) columns = await checkDefinitionColumns(config, schema, parsed.constraint);
    }
  }
  if (columns.length === 0 && parsed.kind === 'foreign-key') {
    const keys = new Set(belongsToKeys(model).map((key) => ownName(schema, key)));
    const foreignKeys = config.pool.dialect.constraintCatalogue.foreignKeys?.(schema.table);
    if (foreignKeys !== undefined)
      for (const key of await foreignKeyColumns(config, schema, foreignKeys)) keys.add(ownName(schema, key));
    const given = [...keys].filter((key) => key !== undefined && written.includes(key)) as string[];
    if (given.length === 1) columns = given;
  }
  return { ...parsed, columns };
}

/** Adds the violation's messages to the object's errors (a unique column's in its validatesUniquenessOf wording). */
export function reportViolation(
  obj: { [STATE]: ObjectState },
  model: ModelDefinition,
  violation: TableViolation,
): void {
  const errors = errorsOf(obj);
  const uniqueMessage = (column: string) => uniquenessMessageOf(model, column);
  for (const { prop, message } of constraintMessages(
    violation.kind,
    violation.constraint,
    violation.columns,
    uniqueMessage,
  )) {
    errors.add(prop, message);
  }
}

/** A value as PostgreSQL's `detail` and MySQL's duplicate-entry message print it; null when unsure. */
function printed(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

/**
 * Of the objects one multi-row INSERT wrote, those the violation is about: the ones whose values the database
 * printed, or that leave a NOT NULL column empty, or (when the database does not say, as SQLite) that repeat an
 * earlier object's values (`earlier` were written first). When none can be told apart, all of them.
 */
export function culprits<T extends object>(
  violation: TableViolation,
  dialect: Dialect,
  statement: readonly T[],
  earlier: readonly T[],
): T[] {
  const { columns } = violation;
  if (columns.length === 0) return [...statement];
  const read = (obj: T) => columns.map((column) => (obj as Record<string, unknown>)[column]);
  let found: T[] = [];
  if (violation.kind === 'not-null') {
    found = statement.filter((obj) => read(obj).some((value) => value === null || value === undefined));
  } else if (violation.values !== null) {
    const separator = dialect.printedValueSeparator;
    found = statement.filter((obj) => {
      const values = read(obj).map(printed);
      return values.every((value) => value !== null) && values.join(separator) === violation.values;
    });
  } else if (violation.kind === 'unique') {
    const seen = new Set<string>();
    const key = (obj: T) => JSON.stringify(read(obj).map((value) => printed(value) ?? String(value)));
    for (const obj of earlier) seen.add(key(obj));
    for (const obj of statement) {
      if (seen.has(key(obj))) found.push(obj);
      else seen.add(key(obj));
    }
  }
  return found.length > 0 ? found : [...statement];
}

const IDENTIFIER = /"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_$]*)/g;

/**
 * The columns a CHECK constraint is about, read from its name or its expression: MariaDB names a column's
 * own check `table.column`, PostgreSQL names it `table_column_check`, and otherwise the columns are the
 * identifiers the text mentions (SQLite's message gives an unnamed check's expression; a catalogue gives a
 * named one's definition). A name such as `score_small` mentions no column: the answer is empty.
 */
export function checkColumns(textOrName: string, table: string, columns: ReadonlySet<string>): string[] {
  if (textOrName.startsWith(`${table}.`) && columns.has(textOrName.slice(table.length + 1))) {
    return [textOrName.slice(table.length + 1)];
  }
  const named = textOrName.startsWith(`${table}_`)
    ? /^(.+)_check\d*$/s.exec(textOrName.slice(table.length + 1))
    : null;
  if (named?.[1] !== undefined && columns.has(named[1])) return [named[1]];
  const found: string[] = [];
  for (const match of textOrName.matchAll(IDENTIFIER)) {
    const name = match[1]?.replaceAll('""', '"') ?? match[2]?.replaceAll('``', '`') ?? match[3] ?? '';
    if (columns.has(name) && !found.includes(name)) found.push(name);
  }
  return found;
}

const COLUMN_MESSAGES: Readonly<Record<ConstraintKind, string>> = {
  unique: 'is not unique.',
  'not-null': 'cannot be blank.',
  'foreign-key': 'must refer to an existing row.',
  referenced: 'is still referred to by other rows.',
  check: 'is not valid',
};

const LABELS: Readonly<Record<ConstraintKind, string>> = {
  unique: 'unique',
  'not-null': 'not-null',
  'foreign-key': 'foreign key',
  referenced: 'foreign key',
  check: 'check',
};

/**
 * The messages a violation puts on the record: one per column, worded like the validators' (a unique
 * column's message may be given, e.g. the one its `validatesUniquenessOf` declares), or one under `base`
 * naming the constraint when its columns are not known.
 */
export function constraintMessages(
  kind: ConstraintKind,
  constraint: string | null,
  columns: readonly string[],
  uniqueMessage: (column: string) => string | undefined = () => undefined,
): ConstraintMessage[] {
  if (columns.length === 0) {
    const which =
      constraint === null ? `a ${LABELS[kind]} constraint` : `the ${LABELS[kind]} constraint ${constraint}`;
    const message =
      kind === 'referenced'
        ? `Other rows still refer to this one (${which}).`
        : `The database refused the record: it violates ${which}.`;
    return [{ prop: BASE, message }];
  }
  return columns.map((column) => {
    let message = COLUMN_MESSAGES[kind];
    if (kind === 'unique') message = uniqueMessage(column) ?? message;
    if (kind === 'check') message = constraint === null ? `${message}.` : `${message} (check ${constraint}).`;
    return { prop: column, message };
  });
}
