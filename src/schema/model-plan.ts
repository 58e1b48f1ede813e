import type { ForeignKeySchema, TableSchema } from '../dialects/table-schema.js';
import type { DatabaseSchema } from './database-schema.js';
import { tableExclusion, type IntrospectOptions } from './introspect-options.js';
import {
  classNames,
  fileNameOf,
  foreignKeyNames,
  hidesModelMember,
  PLAIN,
  plainOnly,
  pluralOf,
  relationName,
  singularOf,
  snakeCase,
  SQL_NAME,
  withoutIdSuffix,
} from './model-names.js';
import { compareText } from './text-order.js';

/** The relationship declarations a generated model gets, by the static property that holds them. */
export type PlannedRelationKind = 'HASMANY' | 'HASONE' | 'BELONGSTO' | 'HABTM';

/** One relationship of a generated model, as its declaration will say it. */
export interface PlannedRelation {
  readonly kind: PlannedRelationKind;
  readonly name: string;
  /** The related model's class name; null for a polymorphic belongs-to (the row names the class). */
  readonly target: string | null;
  readonly options: Readonly<Record<string, string | boolean>>;
}

/** A table that gets a model class. */
export interface PlannedModel {
  readonly table: TableSchema;
  /** A plain identifier, unique among the models, that names no global the generated code uses. */
  readonly className: string;
  /** The file name of the class, without extension: `UserPicture` → `user-picture`; unique in any case. */
  readonly fileName: string;
  /** The key column (`PRIMARY_KEY`). */
  readonly primaryKey: string;
  readonly relations: readonly PlannedRelation[];
  /** Foreign keys that imply no declaration, each with the reason, for a comment in the generated class. */
  readonly notes: readonly string[];
  /** Columns Twistar reads but cannot write, each with the reason, for a comment in the generated class. */
  readonly columnNotes: readonly string[];
}

/** What `twistar generate models` makes of a schema: the models, and the tables that get none, with why. */
export interface ModelPlan {
  readonly models: readonly PlannedModel[];
  readonly skipped: readonly { readonly table: string; readonly reason: string }[];
}

/** Why Twistar cannot make a model of `table`, or null when it can. */
function unmodelable(table: TableSchema, joinTable: boolean): string | null {
  const columns = new Set(table.columns.map((column) => column.name));
  const [key] = table.primaryKey;
  if (joinTable && !columns.has('id'))
    return 'a join table: its rows are read through the HABTM relationships';
  if (!SQL_NAME.test(table.name)) {
    return "Twistar's statements take plain table names (letters, digits, _ and $, not first a digit); rename it";
  }
  if (table.primaryKey.length > 1) {
    return `its primary key has ${table.primaryKey.length} columns (${table.primaryKey.join(', ')}); a model needs a single-column key`;
  }
  if (key === undefined && !columns.has('id')) return 'it has neither a primary key nor an id column';
  if (key !== undefined && !SQL_NAME.test(key)) {
    return `its key column ${key} is not a plain name, which Twistar's statements need; rename it`;
  }
  if (key !== undefined && key !== 'id' && columns.has('id')) {
    return `its id column is not its primary key (${key}), and a model's id always reads the key; rename one`;
  }
  const hiding = table.columns.filter((column) => hidesModelMember(column.name)).map((column) => column.name);
  if (hiding.length > 0) {
    return `column(s) ${hiding.join(', ')} would hide members of every model; rename them`;
  }
  return null;
}

/** A join table: two single-column foreign keys, and no columns but them, an id and timestamps. */
function isJoinTable(table: TableSchema): boolean {
  const keys = table.foreignKeys.filter((key) => key.columns.length === 1);
  if (keys.length !== 2 || table.foreignKeys.length !== 2) return false;
  const keyColumns = new Set(keys.map((key) => key.columns[0]));
  if (keyColumns.size !== 2) return false;
  return table.columns.every(
    (column) => keyColumns.has(column.name) || ['id', 'created_at', 'updated_at'].includes(column.name),
  );
}

interface Candidate extends PlannedRelation {
  /** Polymorphic belongs-to: the name is fixed, since it names the `<name>_id`/`<name>_type` columns. */
  readonly fixedName?: boolean;
}

/** The relationships the foreign keys (and `<x>_id`/`<x>_type` pairs) imply, with notes on the keys left out. */
function inferCandidates(
  tables: readonly TableSchema[],
  models: ReadonlyMap<string, { className: string; primaryKey: string }>,
): { candidates: Map<string, Candidate[]>; notes: Map<string, string[]> } {
  const candidates = new Map<string, Candidate[]>();
  const notes = new Map<string, string[]>();
  const add = (table: string, relation: Candidate) => {
    if (models.has(table)) candidates.set(table, [...(candidates.get(table) ?? []), relation]);
  };
  const note = (table: string, text: string) => {
    if (models.has(table)) notes.set(table, [...(notes.get(table) ?? []), text]);
  };
  // Why a foreign key cannot be declared (Twistar's relationships follow a single-column key to the other
  // model's primary key, and take plain names), or null.
  const problem = (key: ForeignKeySchema): string | null => {
    const target = models.get(key.referencedTable);
    if (target === undefined) return `"${key.referencedTable}" has no model`;
    if (key.columns.length !== 1) return 'it has several columns';
    if (key.referencedColumns[0] !== target.primaryKey) {
      return `it references ${key.referencedColumns.join(', ')}, not the primary key ${target.primaryKey}`;
    }
    return plainOnly([...key.columns]);
  };
  const describe = (table: TableSchema, key: ForeignKeySchema) =>
    `${table.name}(${key.columns.join(', ')}) → ${key.referencedTable}`;

  for (const table of tables) {
    const className = models.get(table.name)?.className;
    if (isJoinTable(table)) {
      const [left, right] = table.foreignKeys as [ForeignKeySchema, ForeignKeySchema];
      const reason = problem(left) ?? problem(right) ?? plainOnly([table.name]);
      const pairs = [
        [left, right],
        [right, left],
      ] as const;
      for (const [own, other] of pairs) {
        if (reason !== null) {
          note(own.referencedTable, `the join table ${table.name}: ${reason}`);
          continue;
        }
        const ownColumn = own.columns[0] ?? '';
        const otherColumn = other.columns[0] ?? '';
        // Both keys to one table (friendships): each side is named after the other key (`friends`).
        const named =
          own.referencedTable === other.referencedTable
            ? pluralOf(withoutIdSuffix(otherColumn) ?? snakeCase(otherColumn))
            : null;
        add(own.referencedTable, {
          kind: 'HABTM',
          name: relationName(named ?? pluralOf(other.referencedTable)),
          target: models.get(other.referencedTable)?.className ?? null,
          options: { joinTable: table.name, foreignKey: ownColumn, associationForeignKey: otherColumn },
        });
      }
      continue;
    }
    const declarable: ForeignKeySchema[] = [];
    for (const key of table.foreignKeys) {
      const reason = className === undefined ? `"${table.name}" has no model` : problem(key);
      if (reason === null) declarable.push(key);
      else {
        note(table.name, `${describe(table, key)}: ${reason}`);
        note(key.referencedTable, `${describe(table, key)}: ${reason}`);
      }
    }
    for (const key of declarable) {
      const target = models.get(key.referencedTable);
      if (className === undefined || target === undefined) continue;
      const column = key.columns[0] ?? '';
      const names = foreignKeyNames(table.name, column, key.referencedTable);
      const name = relationName(names.belongsTo);
      add(table.name, { kind: 'BELONGSTO', name, target: target.className, options: { foreignKey: column } });
      // The other side: one child per parent when the key column is unique on its own.
      const unique =
        table.primaryKey.length === 1 && table.primaryKey[0] === column
          ? true
          : table.indexes.some(
              (index) =>
                index.unique && !index.partial && index.columns.length === 1 && index.columns[0] === column,
            );
      const severalToSameTable =
        declarable.filter((other) => other.referencedTable === key.referencedTable).length > 1;
      const plural = unique ? singularOf(table.name) : names.hasMany;
      // Two keys to one table, or a self-reference without a usual name: say which key (`people_as_mentor`).
      const which = !names.selfNamed && (severalToSameTable || table.name === key.referencedTable);
      add(key.referencedTable, {
        kind: unique ? 'HASONE' : 'HASMANY',
        name: relationName(which ? `${plural}_as_${name}` : plural),
        target: className,
        options: { foreignKey: column },
      });
    }
    // Polymorphic belongs-to: `<x>_id` beside `<x>_type`, with no foreign key (it cannot have one).
    const columns = new Set(table.columns.map((column) => column.name));
    for (const column of table.columns) {
      if (!column.name.endsWith('_type')) continue;
      const stem = column.name.slice(0, -5);
      if (!columns.has(`${stem}_id`)) continue;
      if (table.foreignKeys.some((key) => key.columns.includes(`${stem}_id`))) continue;
      if (!PLAIN.test(stem)) {
        note(table.name, `${stem}_id and ${stem}_type: relationships take plain names (letters, digits, _)`);
        continue;
      }
      add(table.name, {
        kind: 'BELONGSTO',
        name: stem,
        target: null,
        options: { polymorphic: true },
        fixedName: true,
      });
    }
  }
  return { candidates, notes };
}

/**
 * Names each model's relationships so that no two clash and none hides a column or a member of the model; a
 * name taken already gets `_2`, `_3`…, except a polymorphic one, whose name its columns fix.
 */
function nameRelations(
  model: TableSchema,
  candidates: readonly Candidate[],
  notes: string[],
): PlannedRelation[] {
  const taken = new Set(model.columns.map((column) => column.name));
  const isTaken = (name: string) => taken.has(name) || hidesModelMember(name);
  const order = (relation: Candidate) =>
    `${relation.fixedName === true ? 0 : 1}\0${relation.kind}\0${relation.name}\0${JSON.stringify(relation.options)}`;
  const named: PlannedRelation[] = [];
  for (const { fixedName, ...relation } of [...candidates].sort((a, b) => compareText(order(a), order(b)))) {
    let name = relation.name;
    if (isTaken(name) && fixedName === true) {
      notes.push(`the polymorphic ${name}: the name ${name} is taken by a column or a member of the model`);
      continue;
    }
    for (let n = 2; isTaken(name); n++) name = `${relation.name}_${n}`;
    taken.add(name);
    named.push({ ...relation, name });
  }
  return named.sort((a, b) => compareText(`${a.kind}\0${a.name}`, `${b.kind}\0${b.name}`));
}

/**
 * The models a schema implies, for `generateModels`: one per table that Twistar can model (a single-column
 * key, no column hiding a model member), with unique class names and the relationships its foreign keys
 * imply. Tables `options` leaves out (the migrations table by default) are not looked at; the others that get
 * no model are listed with the reason.
 */
export function planModels(schema: DatabaseSchema, options: IntrospectOptions = {}): ModelPlan {
  const excluded = tableExclusion(options);
  const tables = schema.tables
    .filter((table) => !excluded(table.name))
    .sort((a, b) => compareText(a.name, b.name));
  const skipped: { table: string; reason: string }[] = [];
  const modelTables: TableSchema[] = [];
  for (const table of tables) {
    const reason = unmodelable(table, isJoinTable(table));
    if (reason === null) modelTables.push(table);
    else skipped.push({ table: table.name, reason });
  }
  const names = classNames(modelTables);
  const keyed = new Map(
    modelTables.map((table) => [
      table.name,
      { className: names.get(table.name) ?? '', primaryKey: table.primaryKey[0] ?? 'id' },
    ]),
  );
  const { candidates, notes } = inferCandidates(tables, keyed);
  const models = modelTables.map((table): PlannedModel => {
    const tableNotes = [...new Set(notes.get(table.name) ?? [])];
    const columnNotes = table.columns
      .filter((column) => !SQL_NAME.test(column.name))
      .map(
        (column) =>
          `column ${column.name} is read, but Twistar writes plain column names only (letters, digits, _, $)`,
      );
    const className = names.get(table.name) ?? '';
    return {
      table,
      className,
      fileName: fileNameOf(className),
      primaryKey: table.primaryKey[0] ?? 'id',
      relations: nameRelations(table, candidates.get(table.name) ?? [], tableNotes),
      notes: tableNotes,
      columnNotes,
    };
  });
  return { models, skipped };
}
