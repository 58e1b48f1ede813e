import { InvalidQueryError, UnsafeSqlError } from '../errors.js';
import { ownOptions } from '../options.js';
import type { ColumnType } from './column-types.js';
import type { ColumnDefault } from './ddl-literals.js';

/** What happens to referencing rows when the referenced row is deleted or its key updated. */
export type ForeignKeyAction = 'cascade' | 'set null' | 'restrict' | 'no action';

const ACTIONS: ReadonlySet<string> = new Set<ForeignKeyAction>([
  'cascade',
  'set null',
  'restrict',
  'no action',
]);

/** `action` if it is one of the referential actions; UnsafeSqlError otherwise. */
export function checkAction(action: unknown): ForeignKeyAction {
  if (typeof action !== 'string' || !ACTIONS.has(action)) {
    throw new UnsafeSqlError(
      `A referential action must be 'cascade', 'set null', 'restrict' or 'no action', got ${String(action)}.`,
    );
  }
  return action as ForeignKeyAction;
}

/** A foreign key: `columns` of the table refer to `referencedColumns` of `table`. */
export interface ForeignKeyDefinition {
  /** Undefined: `<table>_<columns>_foreign`. */
  name: string | undefined;
  columns: readonly string[];
  table: string;
  referencedColumns: readonly string[];
  onDelete: ForeignKeyAction | undefined;
  onUpdate: ForeignKeyAction | undefined;
}

/** An index over `columns`; `name` undefined means `<table>_<columns>_index` (or `_unique`). */
export interface IndexDefinition {
  name: string | undefined;
  columns: readonly string[];
  unique: boolean;
  /** A partial index over the rows where this column IS NULL (the live rows of a soft-deleting table). */
  whereNull?: string | undefined;
}

/** One column as the builder calls described it. */
export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  notNull: boolean;
  default: { readonly value: ColumnDefault } | undefined;
  unique: boolean;
  primary: boolean;
  references: ForeignKeyDefinition | undefined;
  /** An index on this column alone (`references()` asks for one). */
  index: boolean;
}

/** A `createTable` as described by its callback. */
export interface TableDefinition {
  readonly name: string;
  readonly columns: ColumnDefinition[];
  primaryKey: readonly string[] | undefined;
  readonly indexes: IndexDefinition[];
  readonly foreignKeys: ForeignKeyDefinition[];
}

/** One change of an `alterTable`, in the order the callback asked for them. */
export type AlterOperation =
  | { readonly kind: 'addColumn'; readonly column: ColumnDefinition }
  | { readonly kind: 'dropColumn'; readonly name: string }
  | { readonly kind: 'renameColumn'; readonly from: string; readonly to: string }
  | { readonly kind: 'addIndex'; readonly index: IndexDefinition }
  | { readonly kind: 'dropIndex'; readonly index: NameOrColumns; readonly unique: boolean }
  | { readonly kind: 'addForeign'; readonly foreign: ForeignKeyDefinition }
  | { readonly kind: 'dropForeign'; readonly foreign: NameOrColumns };

/** An index or key by its name, or by the columns of one whose name Twistar generated. */
export type NameOrColumns = string | readonly string[];

/** Options of `foreign()`. */
export interface ForeignOptions {
  /** The referenced column(s); default `id`. */
  readonly column?: string | readonly string[];
  readonly onDelete?: ForeignKeyAction;
  readonly onUpdate?: ForeignKeyAction;
  readonly name?: string;
}

/** Options of `references()`. */
export interface ReferencesOptions extends Omit<ForeignOptions, 'column'> {
  /** The referenced column; default `id`. */
  readonly column?: string;
  /** Index the new column (default true: joins and cascades read by it). */
  readonly index?: boolean;
}

/** Options of `index()` and `unique()`. */
export interface IndexOptions {
  readonly name?: string;
  /**
   * Index only the rows where this column IS NULL: `t.unique(['email'], { whereNull: 'deleted_at' })` keeps
   * emails unique among the live rows of a soft-deleting table (PostgreSQL, SQLite; MySQL and MariaDB have no
   * partial indexes: UnsupportedSchemaChangeError).
   */
  readonly whereNull?: string;
}

/** A column or columns as a non-empty list. */
export function list(columns: string | readonly string[]): readonly string[] {
  const names = typeof columns === 'string' ? [columns] : [...columns];
  if (names.length === 0) throw new InvalidQueryError('An index or key needs at least one column.');
  return names;
}

/** An index on `columns`, as `index()`, `unique()` and `addIndex()` describe it. */
export function indexDefinition(
  columns: string | readonly string[],
  options: IndexOptions,
  unique: boolean,
  what = unique ? 'unique()' : 'index()',
): IndexDefinition {
  const { name, whereNull } = ownOptions(options, what === 'addIndex()' ? ADD_INDEX : INDEX, what);
  if (whereNull !== undefined && typeof whereNull !== 'string') {
    throw new InvalidQueryError(`${what}: whereNull names a column, got ${typeof whereNull}.`);
  }
  return { name, columns: list(columns), unique, ...(whereNull === undefined ? {} : { whereNull }) };
}

const INDEX = ['name', 'whereNull'];
const ADD_INDEX = [...INDEX, 'unique'];

/** An index or key by name, or by a non-empty list of columns. */
export function nameOrColumns(index: NameOrColumns): NameOrColumns {
  return typeof index === 'string' ? index : list(index);
}

/** A foreign key definition from the builder's arguments. */
export function foreignKey(
  columns: string | readonly string[],
  table: string,
  options: ForeignOptions = {},
): ForeignKeyDefinition {
  return {
    name: options.name,
    columns: list(columns),
    table,
    referencedColumns: list(options.column ?? 'id'),
    onDelete: options.onDelete === undefined ? undefined : checkAction(options.onDelete),
    onUpdate: options.onUpdate === undefined ? undefined : checkAction(options.onUpdate),
  };
}
