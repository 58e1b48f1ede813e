import { classify, pluralize, singularize, underscore } from 'inflection';
import type { ColumnSchema, DatabaseSchema, TableSchema } from '../schema/database-schema.js';

/**
 * Typed model classes from an introspected schema, Lucid's way: a generated base class per table (rewritten
 * on every run) and a user class extending it (written once, never overwritten), so that regenerating
 * never touches code the user wrote.
 */

/** One file to write: `overwrite` false for the user's own classes, which are only created when missing. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
  readonly overwrite: boolean;
}

/** Tables that are not models: Twistar's own bookkeeping. */
const SKIPPED = new Set(['twistar_migrations']);

interface Relation {
  readonly kind: 'HASMANY' | 'HASONE' | 'BELONGSTO' | 'HABTM';
  readonly name: string;
  /** The related model's class name; null for a polymorphic belongs-to (the row names the class). */
  readonly target: string | null;
  readonly options: Readonly<Record<string, string | boolean>>;
}

/** The class of a table: `user_pictures` → `UserPicture`. */
export function classOf(table: string): string {
  return classify(table);
}

/** The file name of a class: `UserPicture` → `user-picture`. */
function fileOf(className: string): string {
  return underscore(className).replaceAll('_', '-');
}

/** The TypeScript type a column's values arrive as. */
export function tsType(column: ColumnSchema): string {
  const base = (() => {
    switch (column.kind) {
      case 'integer':
      case 'float':
        return 'number';
      case 'bigint':
        // Twistar reads 64-bit integers as numbers while they are safe, as bigint beyond.
        return 'number | bigint';
      case 'decimal':
        // Exact decimals arrive as text on PostgreSQL and MySQL (a number on SQLite).
        return 'string | number';
      case 'string':
      case 'text':
      case 'uuid':
        return 'string';
      case 'boolean':
        return 'boolean';
      case 'date':
      case 'datetime':
        return 'Date';
      case 'binary':
        return 'Buffer';
      case 'json':
      case 'other':
        return 'unknown';
    }
  })();
  return column.nullable && base !== 'unknown' ? `${base} | null` : base;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** A string literal as TypeScript source, in single quotes. */
function quote(text: string): string {
  return `'${JSON.stringify(text).slice(1, -1).replaceAll('\\"', '"').replaceAll("'", "\\'")}'`;
}

/** A property name as TypeScript source: bare when it can be, quoted otherwise. */
function property(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

/** A join table: two foreign keys, and no columns but them, a key and timestamps. */
function isJoinTable(table: TableSchema): boolean {
  const keys = table.foreignKeys.filter((key) => key.columns.length === 1);
  if (keys.length !== 2 || table.foreignKeys.length !== 2) return false;
  const keyColumns = new Set(keys.map((key) => key.columns[0]));
  return table.columns.every(
    (column) => keyColumns.has(column.name) || ['id', 'created_at', 'updated_at'].includes(column.name),
  );
}

/** The relationships each table's model gets, by table, from foreign keys and `<x>_id`/`<x>_type` pairs. */
export function inferRelations(schema: DatabaseSchema): Map<string, Relation[]> {
  const tables = schema.tables.filter((table) => !SKIPPED.has(table.name));
  const known = new Set(tables.map((table) => table.name));
  const relations = new Map<string, Relation[]>(tables.map((table) => [table.name, []]));
  const add = (table: string, relation: Relation) => relations.get(table)?.push(relation);

  for (const table of tables) {
    if (isJoinTable(table)) {
      const [left, right] = table.foreignKeys;
      if (left === undefined || right === undefined) continue;
      const pairs = [
        [left, right],
        [right, left],
      ] as const;
      for (const [own, other] of pairs) {
        if (!known.has(own.referencedTable) || !known.has(other.referencedTable)) continue;
        add(own.referencedTable, {
          kind: 'HABTM',
          name: pluralize(singularize(other.referencedTable)),
          target: classOf(other.referencedTable),
          options: {
            joinTable: table.name,
            foreignKey: own.columns[0] ?? '',
            associationForeignKey: other.columns[0] ?? '',
          },
        });
      }
      continue;
    }
    const columns = new Set(table.columns.map((column) => column.name));
    for (const key of table.foreignKeys) {
      const [column] = key.columns;
      if (key.columns.length !== 1 || column === undefined || !known.has(key.referencedTable)) continue;
      const name = column.endsWith('_id') ? column.slice(0, -3) : `${column}_ref`;
      add(table.name, {
        kind: 'BELONGSTO',
        name,
        target: classOf(key.referencedTable),
        options: { foreignKey: column },
      });
      // The other side: one child per parent when the key column is unique on its own.
      const unique = table.indexes.some(
        (index) =>
          index.unique && !index.partial && index.columns.length === 1 && index.columns[0] === column,
      );
      const plural = table.name;
      const sameNameOnce =
        table.foreignKeys.filter((other) => other.referencedTable === key.referencedTable).length === 1;
      const relationName = unique ? singularize(table.name) : sameNameOnce ? plural : `${plural}_as_${name}`;
      add(key.referencedTable, {
        kind: unique ? 'HASONE' : 'HASMANY',
        name: relationName,
        target: classOf(table.name),
        options: { foreignKey: column },
      });
    }
    // Polymorphic belongs-to: `<x>_id` beside `<x>_type`, with no foreign key (it cannot have one).
    for (const column of table.columns) {
      if (!column.name.endsWith('_type')) continue;
      const stem = column.name.slice(0, -5);
      if (!columns.has(`${stem}_id`)) continue;
      if (table.foreignKeys.some((key) => key.columns.includes(`${stem}_id`))) continue;
      add(table.name, { kind: 'BELONGSTO', name: stem, target: null, options: { polymorphic: true } });
    }
  }
  for (const list of relations.values()) list.sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1));
  return relations;
}

/** The accessor class each kind of relation is typed with. */
const ACCESSOR = { HASMANY: 'HasMany', HASONE: 'HasOne', BELONGSTO: 'BelongsTo', HABTM: 'HABTM' } as const;

function relationType(relation: Relation): string {
  return `${ACCESSOR[relation.kind]}<${relation.target ?? 'DBObject'}>`;
}

function declaration(relation: Relation): string {
  const options: Record<string, string | boolean> = { name: relation.name };
  if (relation.target !== null) options.className = relation.target;
  Object.assign(options, relation.options);
  const fields = Object.entries(options).map(
    ([key, value]) => `${key}: ${typeof value === 'string' ? quote(value) : String(value)}`,
  );
  return `{ ${fields.join(', ')} }`;
}

const HEADER =
  '// Generated by `twistar generate models` from the database schema: do not edit, it is rewritten on every run.\n' +
  '// Put your own code in the class that extends this one.\n';

function baseFile(table: TableSchema, relations: readonly Relation[], className: string): string {
  const typeImports = new Set<string>(relations.map((relation) => ACCESSOR[relation.kind]));
  if (relations.length > 0) typeImports.add('RelationDeclaration');
  // Related classes are imported for their types only (a class may relate to itself).
  const targets = new Set(
    relations.flatMap((relation) => (relation.target === null ? [] : [relation.target])),
  );
  const lines: string[] = [HEADER];
  const imports = ['DBObject', ...[...typeImports].sort().map((name) => `type ${name}`)];
  lines.push(`import { ${imports.join(', ')} } from 'twistar';`);
  for (const target of [...targets].sort())
    lines.push(`import type { ${target} } from '../${fileOf(target)}.js';`);
  lines.push('', `/** The \`${table.name}\` table. */`, `export class ${className}Base extends DBObject {`);
  lines.push(`  static override TABLENAME = ${quote(table.name)};`);
  const [key] = table.primaryKey;
  if (table.primaryKey.length === 1 && key !== undefined && key !== 'id')
    lines.push(`  static override PRIMARY_KEY = ${quote(key)};`);
  for (const kind of ['BELONGSTO', 'HASMANY', 'HASONE', 'HABTM'] as const) {
    const list = relations.filter((relation) => relation.kind === kind);
    if (list.length === 0) continue;
    lines.push(`  static override ${kind}: readonly RelationDeclaration[] = [`);
    for (const relation of list) lines.push(`    ${declaration(relation)},`);
    lines.push('  ];');
  }
  lines.push('');
  for (const column of table.columns) {
    if (column.name === 'id') continue;
    lines.push(`  declare ${property(column.name)}: ${tsType(column)};`);
  }
  if (relations.length > 0) lines.push('');
  for (const relation of relations)
    lines.push(`  declare ${property(relation.name)}: ${relationType(relation)};`);
  lines.push('}', '');
  return lines.join('\n');
}

function userFile(className: string): string {
  return [
    `import { Registry } from 'twistar';`,
    `import { ${className}Base } from './generated/${fileOf(className)}-base.js';`,
    '',
    `/** Your code for ${className} goes here; \`twistar generate models\` never rewrites this file. */`,
    `export class ${className} extends ${className}Base {}`,
    '',
    `Registry.register(${className});`,
    '',
  ].join('\n');
}

/** The files `twistar generate models` writes under `out`: one base class and one user class per table. */
export function generateModels(schema: DatabaseSchema, out: string): GeneratedFile[] {
  const relations = inferRelations(schema);
  const files: GeneratedFile[] = [];
  const index: string[] = [];
  for (const table of schema.tables) {
    if (SKIPPED.has(table.name)) continue;
    const className = classOf(table.name);
    files.push({
      path: `${out}/generated/${fileOf(className)}-base.ts`,
      text: baseFile(table, relations.get(table.name) ?? [], className),
      overwrite: true,
    });
    files.push({ path: `${out}/${fileOf(className)}.ts`, text: userFile(className), overwrite: false });
    index.push(`export { ${className} } from '../${fileOf(className)}.js';`);
  }
  files.push({
    path: `${out}/generated/index.ts`,
    text: `${HEADER}// Importing this module registers every model.\n${index.sort().join('\n')}\n`,
    overwrite: true,
  });
  return files;
}
