import type { InteractionBase } from '../crud/interaction-base.js';
import { splitTableName, type ColumnInfo, type DialectName } from '../dialects/dialect.js';
import { relationsOf, type RelatedModel } from '../relationships/declarations.js';
import {
  checkColumns,
  constraintMessages,
  type ConstraintViolation,
} from '../validation/constraint-errors.js';
import { uniquenessMessageOf } from '../validation/uniqueness.js';
import type { ModelDefinition } from './model-definition.js';
import type { ModelSchema } from './model-schema.js';
import { errorsOf, type ObjectState, type STATE } from './object-state.js';

/** A violation on a model's table whose `columns` are the table's own: empty when they are not known. */
export type TableViolation = ConstraintViolation;

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
 * MySQL names the index a duplicate hit; the catalogue lists each unique index's columns, read once per table
 * (and again when it does not know the index, which may be newer than the list). An index with a part that is
 * an expression (MySQL 8) has no columns to name.
 */
async function mysqlIndexColumns(
  config: InteractionBase,
  schema: ModelSchema,
  index: string,
  again = true,
): Lookup {
  const question = 'unique indexes';
  const pairs = await cached(schema, question, async () => {
    const rows = await catalogue(
      config,
      'SELECT INDEX_NAME AS index_name, COLUMN_NAME AS column_name FROM information_schema.STATISTICS ' +
        'WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0 ' +
        'ORDER BY INDEX_NAME, SEQ_IN_INDEX',
      splitTableName(schema.table),
    );
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
    return mysqlIndexColumns(config, schema, index, false);
  }
  return parts.includes('') ? [] : parts;
}

type Query = readonly [string, readonly unknown[]];

/** A catalogue read, from the primary: a replica may not have replayed the migration that made the constraint. */
function catalogue(config: InteractionBase, sql: string, params: readonly unknown[]) {
  return config.pool.primary(() => config.pool.runQuery(sql, params));
}

/** The statement that reads a named CHECK constraint's definition; SQLite has no catalogue of them. */
const CHECK_DEFINITIONS: Partial<Record<DialectName, (name: string, table: string) => Query>> = {
  // A schema-qualified table (billing.invoices) is looked for in its schema, a plain one where the search path finds it.
  postgres: (name, table) => {
    const [schema, relation] = splitTableName(table);
    return [
      'SELECT pg_get_constraintdef(c.oid) AS definition FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid ' +
        'JOIN pg_namespace n ON n.oid = t.relnamespace WHERE c.conname = ? AND t.relname = ? AND ' +
        'COALESCE(n.nspname = CAST(? AS text), pg_table_is_visible(t.oid))',
      [name, relation, schema],
    ];
  },
  // MySQL 8's CHECK_CONSTRAINTS has no TABLE_NAME (its check names are unique per database).
  mysql: (name, table) => [
    'SELECT CHECK_CLAUSE AS definition FROM information_schema.CHECK_CONSTRAINTS ' +
      'WHERE CONSTRAINT_SCHEMA = COALESCE(?, DATABASE()) AND CONSTRAINT_NAME = ?',
    [splitTableName(table)[0], name],
  ],
};

/** The columns a named CHECK constraint's definition mentions, from the catalogue (none on SQLite). */
function checkDefinitionColumns(config: InteractionBase, schema: ModelSchema, name: string): Lookup {
  const query = CHECK_DEFINITIONS[config.pool.dialect.name];
  if (query === undefined) return Promise.resolve([]);
  return cached(schema, `check ${name}`, async () => {
    const rows = await catalogue(config, ...query(name, schema.table));
    const names = new Set(schema.byName.keys());
    return checkColumns(rows.map((row) => String(row.definition)).join(' '), schema.table, names);
  });
}

/**
 * The one-column foreign keys of an SQLite table, from its catalogue (read once per table): SQLite's refusal
 * names no key, so the columns written are matched against these.
 */
function sqliteForeignKeys(config: InteractionBase, schema: ModelSchema): Lookup {
  return cached(schema, 'foreign keys', async () => {
    const rows = await catalogue(
      config,
      'SELECT id, "from" AS column_name FROM pragma_foreign_key_list(?, ?) ORDER BY id, seq',
      [splitTableName(schema.table)[1], splitTableName(schema.table)[0] ?? 'main'],
    );
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
 * The violation with its columns resolved to the table's own, where they can be found: a MySQL unique index
 * and a named CHECK through the catalogue (asked once per table and constraint), an unnamed check from its
 * expression, and a SQLite foreign-key failure from the one foreign key (the table's, as its catalogue lists
 * them, or the model's belongs-to) among `written` (the columns given a value), if exactly one is. Columns still unknown are left empty.
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
    if (parsed.kind === 'unique' && config.pool.dialect.name === 'mysql') {
      columns = await mysqlIndexColumns(config, schema, parsed.constraint);
    } else if (parsed.kind === 'check') {
      columns = checkColumns(parsed.constraint, schema.table, names);
      if (columns.length === 0) columns = await checkDefinitionColumns(config, schema, parsed.constraint);
    }
  }
  if (columns.length === 0 && parsed.kind === 'foreign-key') {
    const keys = new Set(belongsToKeys(model).map((key) => ownName(schema, key)));
    if (config.pool.dialect.name === 'sqlite')
      for (const key of await sqliteForeignKeys(config, schema)) keys.add(ownName(schema, key));
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
  dialect: DialectName,
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
    const separator = dialect === 'postgres' ? ', ' : '-';
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
