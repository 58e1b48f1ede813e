import { joinTableOf, relationsOf, type RelatedModel } from '../model/relation-declarations.js';
import type { ColumnSchema, TableSchema } from '../dialects/table-schema.js';
import type { DatabaseSchema } from './database-schema.js';
import { compareText } from './text-order.js';
import { relatedClass } from './model-classes.js';

/** How many rows one end of a relationship may have: exactly one, zero or one, any number. */
export type DiagramEnd = 'one' | 'zero-or-one' | 'zero-or-many';

/** One column as a diagram shows it. */
export interface DiagramColumn {
  readonly name: string;
  /** The portable kind, with a string's length (`string(255)`); other types by their first word. */
  readonly type: string;
  readonly primaryKey: boolean;
  readonly foreignKey: boolean;
  /** A unique index on this column alone. */
  readonly unique: boolean;
}

/** A table; `columns` is empty when the table is known only from a model. */
export interface DiagramEntity {
  readonly name: string;
  readonly columns: readonly DiagramColumn[];
}

/** A relationship, read from `from` to `to`. */
export interface DiagramEdge {
  readonly from: string;
  readonly to: string;
  readonly fromEnd: DiagramEnd;
  readonly toEnd: DiagramEnd;
  readonly label: string;
}

/** What a diagram draws: entities and edges, both sorted. */
export interface DiagramGraph {
  readonly entities: readonly DiagramEntity[];
  readonly edges: readonly DiagramEdge[];
}

/**
 * The type shown for a column: its portable kind, with a string's length; any other type by its first word
 * (`time`, `interval`, `integer[]` for an array).
 */
export function displayType(column: ColumnSchema): string {
  if (column.kind === 'string' && column.length !== undefined) return `string(${column.length})`;
  if (column.kind !== 'other') return column.kind;
  const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(column.type)?.[0].toLowerCase() ?? 'other';
  return column.type.endsWith('[]') ? `${word}[]` : word;
}

interface PendingEdge {
  parent: string;
  child: string;
  label: string;
  one: boolean;
  byParent: boolean;
  keys: string[];
}

/** Edges from the models' declarations: one per parent, child and key, whichever side declares it. */
function modelEdges(models: readonly RelatedModel[], entities: Set<string>): PendingEdge[] {
  const edges = new Map<string, PendingEdge>();
  const add = (
    parent: string,
    child: string,
    keys: string[],
    label: string,
    one: boolean,
    byParent: boolean,
    typeColumn = '',
  ) => {
    entities.add(parent).add(child);
    const id = [parent, child, ...keys, typeColumn].join('\0');
    const edge = edges.get(id) ?? { parent, child, label, one: false, byParent: false, keys };
    edge.one ||= one;
    edge.byParent ||= byParent;
    edges.set(id, edge);
  };
  for (const model of models) {
    const table = model.tablename();
    for (const spec of relationsOf(model).values()) {
      // A polymorphic belongs-to names no class: its edges come from the classes that declare `as`.
      if (spec.kind === 'belongsTo' && spec.typeColumn !== undefined) continue;
      // A through relation adds no link of its own: the relations it follows draw theirs.
      if (spec.through !== undefined) continue;
      const target = relatedClass(spec, models);
      if (target === undefined) continue;
      const other = target.tablename();
      if (spec.kind === 'belongsTo') add(other, table, [spec.foreignKey], spec.foreignKey, false, false);
      else if (spec.kind === 'habtm') {
        const join = joinTableOf(spec, target);
        add(table, join, [spec.foreignKey], spec.foreignKey, false, true);
        add(other, join, [spec.associationForeignKey], spec.associationForeignKey, false, true);
      } else if (spec.typeColumn !== undefined) {
        const as = spec.typeColumn.replace(/_type$/, '');
        // The type column is part of the link but holds a class name, not a key.
        const label = `${as} (polymorphic)`;
        add(table, other, [spec.foreignKey], label, spec.kind === 'hasOne', true, spec.typeColumn);
      } else add(table, other, [spec.foreignKey], spec.foreignKey, spec.kind === 'hasOne', true);
    }
  }
  return [...edges.values()];
}

/** Edges from the schema's foreign keys; one-to-one where the key's columns are unique. */
function schemaEdges(tables: readonly TableSchema[]): PendingEdge[] {
  const same = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((column) => b.includes(column));
  return tables.flatMap((table) =>
    table.foreignKeys.map((key) => ({
      parent: key.referencedTable,
      child: table.name,
      label: key.columns.join(', '),
      one:
        same(key.columns, table.primaryKey) ||
        table.indexes.some((index) => index.unique && !index.partial && same(key.columns, index.columns)),
      byParent: true,
      keys: [...key.columns],
    })),
  );
}

/**
 * The graph of `schema` and/or `models`: with models, their tables (and join tables) and the relationships
 * they declare; without, every table of the schema and its foreign keys. Columns come from the schema.
 */
export function diagramGraph(input: {
  readonly schema?: DatabaseSchema;
  readonly models?: readonly RelatedModel[];
}): DiagramGraph {
  const tables = new Map((input.schema?.tables ?? []).map((table) => [table.name, table]));
  const names = new Set<string>();
  let pending: PendingEdge[];
  if (input.models === undefined) {
    for (const name of tables.keys()) names.add(name);
    pending = schemaEdges([...tables.values()]);
    for (const edge of pending) names.add(edge.parent);
  } else {
    for (const model of input.models) names.add(model.tablename());
    pending = modelEdges(input.models, names);
  }
  const keyed = new Map<string, Set<string>>();
  for (const edge of pending) {
    const set = keyed.get(edge.child) ?? new Set<string>();
    for (const key of edge.keys) set.add(key);
    keyed.set(edge.child, set);
  }
  const entities = [...names].sort(compareText).map((name): DiagramEntity => {
    const table = tables.get(name);
    const uniques = (table?.indexes ?? []).filter((index) => index.unique && !index.partial);
    return {
      name,
      columns: (table?.columns ?? []).map((column) => ({
        name: column.name,
        type: displayType(column),
        primaryKey: column.primaryKey,
        foreignKey:
          keyed.get(name)?.has(column.name) === true ||
          table?.foreignKeys.some((key) => key.columns.includes(column.name)) === true,
        unique: !column.primaryKey && uniques.some((index) => isOnlyColumn(index.columns, column.name)),
      })),
    };
  });
  const edges = pending.map((edge): DiagramEdge =>
    edge.byParent
      ? {
          from: edge.parent,
          to: edge.child,
          fromEnd: 'one',
          toEnd: edge.one ? 'zero-or-one' : 'zero-or-many',
          label: edge.label,
        }
      : { from: edge.child, to: edge.parent, fromEnd: 'zero-or-many', toEnd: 'one', label: edge.label },
  );
  const order = (edge: DiagramEdge) => [edge.from, edge.to, edge.label].join('\0');
  return { entities, edges: edges.sort((a, b) => compareText(order(a), order(b))) };
}

/** `columns` is `column` alone. */
function isOnlyColumn(columns: readonly string[], column: string): boolean {
  return columns.length === 1 && columns[0] === column;
}
