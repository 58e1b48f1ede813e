/** What introspection reads of a table, in the same words for every database. */

/**
 * What a column holds, in the same words on every database: the types a portable migration can create, and
 * `other` for the rest (arrays, enums, intervals, geometry…).
 */
export type PortableKind =
  | 'integer'
  | 'bigint'
  | 'string'
  | 'text'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'decimal'
  | 'float'
  | 'json'
  | 'binary'
  | 'uuid'
  | 'other';

/** A declared type read as a portable kind, with its size where it has one. */
export interface PortableType {
  readonly kind: PortableKind;
  /** `string`: the n of VARCHAR(n)/CHAR(n), in characters. */
  readonly length?: number;
  /** `decimal`: the declared precision and scale, when given. */
  readonly precision?: number;
  readonly scale?: number;
}

/** One column of an introspected table. */
export interface ColumnSchema extends PortableType {
  readonly name: string;
  /** The type as the database reports it (`character varying(255)`, `int(11)`, `VARCHAR(255)`). */
  readonly type: string;
  readonly nullable: boolean;
  /**
   * The default as an SQL expression (`'active'`, `0`, `CURRENT_TIMESTAMP`), null for none. PostgreSQL's casts of
   * literals (`'active'::character varying`) are left out.
   */
  readonly default: string | null;
  /** Part of the primary key. */
  readonly primaryKey: boolean;
  /** The database numbers new rows itself (SERIAL/IDENTITY, AUTO_INCREMENT, SQLite's INTEGER PRIMARY KEY). */
  readonly autoIncrement: boolean;
}

/** What happens to the referencing rows when the referenced row is deleted. */
export type ReferentialAction = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

/** A foreign key: `columns` of this table reference `referencedColumns` of `referencedTable`. */
export interface ForeignKeySchema {
  /** The constraint's name; null on SQLite, which does not keep one. */
  readonly name: string | null;
  readonly columns: readonly string[];
  readonly referencedTable: string;
  readonly referencedColumns: readonly string[];
  readonly onDelete: ReferentialAction;
  readonly onUpdate: ReferentialAction;
}

/**
 * An index other than the primary key's. Unique constraints appear here as unique indexes (every database
 * enforces them with one). Indexes on expressions are left out.
 */
export interface IndexSchema {
  readonly name: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  /** Covers only the rows matching a WHERE clause, so a unique one does not make the columns unique. */
  readonly partial: boolean;
}

/** One table: columns in their declared order, keys and indexes sorted by name. */
export interface TableSchema {
  readonly name: string;
  readonly columns: readonly ColumnSchema[];
  /** The primary key's columns in key order; empty when the table has none. */
  readonly primaryKey: readonly string[];
  readonly foreignKeys: readonly ForeignKeySchema[];
  readonly indexes: readonly IndexSchema[];
}
