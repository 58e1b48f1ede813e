import { SchemaMismatchError } from '../tooling-errors.js';
import { clashingColumns } from '../model/model-schema.js';
import {
  joinTableOf,
  relationsOf,
  type RelatedModel,
  type RelationSpec,
} from '../model/relation-declarations.js';
import { provideVerifier, Registry } from '../registry.js';
import { ClassNotRegisteredError } from '../errors.js';
import { throughHops } from '../model/through-chain.js';
import type { TableSchema } from '../dialects/table-schema.js';
import type { DatabaseSchema } from './database-schema.js';
import { introspect } from './introspect.js';
import { modelsToCheck, relatedClass } from './model-classes.js';
import type { SchemaProblem } from './schema-problem.js';
import type { VerifyOptions } from './verify-options.js';

const KIND_WORDS: Record<RelationSpec['kind'], string> = {
  hasMany: 'has many',
  hasOne: 'has one',
  belongsTo: 'belongs to',
  habtm: 'habtm',
};

/** Compares `models` with `schema`, without I/O; an empty list means they agree. */
export function compareModels(models: readonly RelatedModel[], schema: DatabaseSchema): SchemaProblem[] {
  const tables = new Map(schema.tables.map((table) => [table.name, table]));
  const problems: SchemaProblem[] = [];
  for (const model of models) {
    const table = tables.get(model.tablename());
    if (table === undefined) {
      problems.push({
        model: model.name,
        kind: 'missing-table',
        table: model.tablename(),
        message: `${model.name}: table "${model.tablename()}" does not exist.`,
      });
      continue;
    }
    if (!hasColumn(table, model.PRIMARY_KEY)) {
      problems.push({
        model: model.name,
        kind: 'missing-column',
        table: table.name,
        column: model.PRIMARY_KEY,
        message: `${model.name}: table "${table.name}" has no column "${model.PRIMARY_KEY}" (its primary key).`,
      });
    } else if (!uniqueColumn(table, model.PRIMARY_KEY)) {
      const key = table.primaryKey.length > 0 ? `(${table.primaryKey.join(', ')})` : 'none';
      problems.push({
        model: model.name,
        kind: 'key-not-unique',
        table: table.name,
        column: model.PRIMARY_KEY,
        message:
          `${model.name}: PRIMARY_KEY "${model.PRIMARY_KEY}" is not unique in "${table.name}" (its primary key: ` +
          `${key}), so one key may match several rows; set ${model.name}.PRIMARY_KEY to a unique column (the ` +
          'primary key, or a NOT NULL column with a unique index), or add a unique index on it.',
      });
    }
    problems.push(...declaredColumnProblems(model, table), ...hiddenColumnProblems(model, table));
    for (const column of clashingColumns(
      model,
      table.columns.map((each) => each.name),
    )) {
      problems.push({
        model: model.name,
        kind: 'hidden-member',
        table: table.name,
        column,
        message:
          `${model.name}: column "${column}" of "${table.name}" has the name of a method, property or relationship ` +
          `of ${model.name}, which the column would hide; rename the column (or the member).`,
      });
    }
    for (const spec of relationsOf(model).values()) {
      problems.push(...relationProblems(model, spec, table, models, tables));
    }
  }
  return problems;
}

/**
 * The model's `COLUMNS` (which generated bases declare) against the table's columns: each one it names must
 * exist, since a value set on a column that is gone is not saved, and each column of the table must be in it.
 * A model without `COLUMNS` is not compared.
 */
function declaredColumnProblems(model: RelatedModel, table: TableSchema): SchemaProblem[] {
  const declared: unknown = (model as { COLUMNS?: unknown }).COLUMNS;
  if (declared === undefined) return [];
  if (!Array.isArray(declared) || declared.some((name) => typeof name !== 'string')) {
    return [
      {
        model: model.name,
        kind: 'invalid-columns',
        table: table.name,
        message:
          `${model.name}.COLUMNS must be the list of its table's column names, such as ['id', 'name'] ` +
          '(as `twistar generate models` writes it), or left out.',
      },
    ];
  }
  const names = declared as readonly string[];
  const actual = new Set(table.columns.map((column) => column.name));
  const problems: SchemaProblem[] = [];
  for (const column of new Set(names)) {
    // A missing primary key is reported once, as such.
    if (actual.has(column) || column === model.PRIMARY_KEY) continue;
    problems.push({
      model: model.name,
      kind: 'missing-column',
      table: table.name,
      column,
      message:
        `${model.name}: table "${table.name}" has no column "${column}", which ${model.name}.COLUMNS names ` +
        '(dropped or renamed?): a value set on it would not be saved. Regenerate the models ' +
        '(twistar generate models) or migrate the database.',
    });
  }
  const listed = new Set(names);
  for (const column of actual) {
    if (listed.has(column)) continue;
    problems.push({
      model: model.name,
      kind: 'undeclared-column',
      table: table.name,
      column,
      message:
        `${model.name}: column "${column}" of "${table.name}" is not in ${model.name}.COLUMNS: regenerate the ` +
        'models (twistar generate models), or add it.',
    });
  }
  return problems;
}

/**
 * The model's `HIDDEN` against the table's columns: a name the table lacks (a misspelling) would leave the column
 * it meant in every toJSON, so each must exist (`id` is always accepted, as toJSON accepts it).
 */
function hiddenColumnProblems(model: RelatedModel, table: TableSchema): SchemaProblem[] {
  const hidden: unknown = (model as { HIDDEN?: unknown }).HIDDEN;
  if (hidden === undefined) return [];
  if (!Array.isArray(hidden) || hidden.some((name) => typeof name !== 'string')) {
    return [
      {
        model: model.name,
        kind: 'invalid-columns',
        table: table.name,
        message: `${model.name}.HIDDEN must be a list of its table's column names, such as ['password_hash'].`,
      },
    ];
  }
  return [...new Set(hidden as string[])]
    .filter((column) => column !== 'id' && !hasColumn(table, column))
    .map((column) => ({
      model: model.name,
      kind: 'missing-column' as const,
      table: table.name,
      column,
      message:
        `${model.name}: table "${table.name}" has no column "${column}", which ${model.name}.HIDDEN names ` +
        '(misspelled, renamed or dropped?): the column it meant would be in toJSON. Correct the name.',
    }));
}

/** True when the table keeps `column` unique: its one-column primary key, or NOT NULL with a unique index of its own. */
function uniqueColumn(table: TableSchema, column: string): boolean {
  if (table.primaryKey.length === 1 && table.primaryKey[0] === column) return true;
  const notNull = table.columns.some((each) => each.name === column && !each.nullable);
  return (
    notNull &&
    table.indexes.some(
      (index) => index.unique && !index.partial && index.columns.length === 1 && index.columns[0] === column,
    )
  );
}

/** A through relation's chain followed (a malformed one throws InvalidRelationshipError, as declarations do). */
function throughProblems(model: string, spec: RelationSpec, where: string): SchemaProblem[] {
  try {
    throughHops(spec);
    return [];
  } catch (error) {
    if (!(error instanceof ClassNotRegisteredError)) throw error;
    return [{ model, kind: 'missing-class', relation: spec.name, message: `${where}: ${error.message}` }];
  }
}

function hasColumn(table: TableSchema, column: string): boolean {
  return table.columns.some((each) => each.name === column);
}

/** A relation's problems, reported for `checked` (which may inherit the relation from its parent class). */
function relationProblems(
  checked: RelatedModel,
  spec: RelationSpec,
  owner: TableSchema,
  models: readonly RelatedModel[],
  tables: ReadonlyMap<string, TableSchema>,
): SchemaProblem[] {
  const model = checked.name;
  const polymorphic = spec.typeColumn !== undefined ? ', polymorphic' : '';
  const where = `${model}.${spec.name} (${KIND_WORDS[spec.kind]}${polymorphic})`;
  const problems: SchemaProblem[] = [];
  // A through relation needs no column of its own: the relations it follows are checked where declared.
  if (spec.through !== undefined) return throughProblems(model, spec, where);
  const need = (table: TableSchema, column: string | undefined, what: string, join = false) => {
    if (column === undefined || hasColumn(table, column)) return;
    problems.push({
      model,
      kind: 'missing-column',
      relation: spec.name,
      table: table.name,
      column,
      message: `${where}: ${join ? 'join table' : 'table'} "${table.name}" has no column "${column}" (${what}).`,
    });
  };
  if (spec.kind === 'belongsTo') {
    need(owner, spec.foreignKey, 'the foreign key');
    need(owner, spec.typeColumn, 'the type column');
    if (spec.typeColumn !== undefined) return problems;
  }
  const target = relatedClass(spec, models);
  if (target === undefined) {
    problems.push({
      model,
      kind: 'missing-class',
      relation: spec.name,
      message: `${where}: class "${spec.className}" is not registered; call Registry.register(${spec.className}).`,
    });
    return problems;
  }
  const targetTable = tables.get(target.tablename());
  // A verified target reports its own missing table; one outside the list is reported here, once.
  if (targetTable === undefined && !models.includes(target)) {
    problems.push({
      model,
      kind: 'missing-table',
      relation: spec.name,
      table: target.tablename(),
      message: `${where}: table "${target.tablename()}" of ${target.name} does not exist.`,
    });
  }
  if (spec.kind === 'habtm') {
    const joinName = joinTableOf(spec, target);
    const join = tables.get(joinName);
    if (join === undefined) {
      problems.push({
        model,
        kind: 'missing-join-table',
        relation: spec.name,
        table: joinName,
        message: `${where}: join table "${joinName}" does not exist.`,
      });
    } else {
      need(join, spec.foreignKey, `the key of ${model}`, true);
      need(join, spec.associationForeignKey, `the key of ${target.name}`, true);
    }
  } else if (spec.kind !== 'belongsTo' && targetTable !== undefined) {
    need(targetTable, spec.foreignKey, 'the foreign key');
    need(targetTable, spec.typeColumn, 'the type column');
  }
  return problems;
}

/**
 * Compares every registered model (or `options.models`) with the live schema: each model's table and primary
 * key, the columns its `COLUMNS` lists (when it has one, as generated bases do) against the table's, each relation's foreign key (and polymorphic type column) on the right table, each HABTM join table
 * and its two keys, and that related classes are registered. Resolves to the problems, none when they agree;
 * with `throw: true` rejects with SchemaMismatchError instead. `migrationsTable` and `exclude` go to
 * `introspect()`.
 */
export async function verifyModels(options: VerifyOptions = {}): Promise<SchemaProblem[]> {
  const schema = options.schema ?? (await introspect(options.pool ?? Registry.getPool(), options));
  const problems = compareModels(modelsToCheck(options.models), schema);
  if (options.throw === true && problems.length > 0) throw new SchemaMismatchError(problems);
  return problems;
}

// What Registry.verify() runs: the Registry cannot import this module (it would be a cycle).
provideVerifier(verifyModels);
