import { InvalidQueryError } from '../errors.js';
import {
  columnType,
  type ColumnType,
  type ColumnTypeArguments,
  type ColumnTypeName,
} from './column-types.js';
import { NOW, type DefaultValue } from './ddl-literals.js';
import {
  checkAction,
  foreignKey,
  type ColumnDefinition,
  type ForeignKeyAction,
  type ForeignKeyDefinition,
  type ReferencesOptions,
} from './table-definition.js';

/** The modifiers of one column: `t.string('email').notNull().unique()`. */
export class ColumnBuilder {
  readonly #column: ColumnDefinition;

  constructor(column: ColumnDefinition) {
    this.#column = column;
  }

  /** NOT NULL. */
  notNull(): this {
    this.#column.notNull = true;
    return this;
  }

  /** NULL allowed (the default; undoes `notNull()`). */
  nullable(): this {
    this.#column.notNull = false;
    return this;
  }

  /** DEFAULT: a value written as a literal, or a `sql` fragment such as sql`CURRENT_TIMESTAMP`. */
  default(value: DefaultValue): this {
    this.#column.default = { value };
    return this;
  }

  /** DEFAULT the current time in UTC (date and datetime columns; milliseconds kept). */
  defaultNow(): this {
    this.#column.default = { value: NOW };
    return this;
  }

  /** A unique index on this column alone, named `<table>_<column>_unique`. */
  unique(): this {
    this.#column.unique = true;
    return this;
  }

  /** PRIMARY KEY (several columns marked so make one composite key); implies NOT NULL. */
  primary(): this {
    this.#column.primary = true;
    this.#column.notNull = true;
    return this;
  }

  /** A plain index on this column alone, named `<table>_<column>_index`. */
  index(): this {
    this.#column.index = true;
    return this;
  }

  /** A foreign key to `table`(`column`), named `<table>_<column>_foreign`. */
  references(table: string, column = 'id'): this {
    this.#column.references = foreignKey(this.#column.name, table, { column });
    return this;
  }

  /** ON DELETE of the foreign key set by `references()`. */
  onDelete(action: ForeignKeyAction): this {
    this.#foreign('onDelete').onDelete = checkAction(action);
    return this;
  }

  /** ON UPDATE of the foreign key set by `references()`. */
  onUpdate(action: ForeignKeyAction): this {
    this.#foreign('onUpdate').onUpdate = checkAction(action);
    return this;
  }

  #foreign(what: string): ForeignKeyDefinition {
    if (this.#column.references === undefined) {
      throw new InvalidQueryError(`${what}() of column "${this.#column.name}" needs references() first.`);
    }
    return this.#column.references;
  }
}

/** The column methods `createTable` and `alterTable` callbacks share; each adds one column. */
export abstract class ColumnsBuilder {
  /** Records a new column. */
  protected abstract addColumnDefinition(column: ColumnDefinition): void;

  /** A column of a type given by name: `t.addColumn('price', 'decimal', 10, 2)`. */
  addColumn<K extends ColumnTypeName>(name: string, type: K, ...args: ColumnTypeArguments[K]): ColumnBuilder {
    return new ColumnBuilder(this.#define(name, columnType(type, args)));
  }

  #define(name: string, type: ColumnType): ColumnDefinition {
    const column: ColumnDefinition = {
      name,
      type,
      notNull: type.name === 'id',
      default: undefined,
      unique: false,
      primary: false,
      references: undefined,
      index: false,
    };
    this.addColumnDefinition(column);
    return column;
  }

  /** An auto-incrementing 64-bit integer primary key (`id` unless named). */
  id(name = 'id'): ColumnBuilder {
    return new ColumnBuilder(this.#define(name, { name: 'id' }));
  }

  /** A 32-bit integer. */
  integer(name: string): ColumnBuilder {
    return this.addColumn(name, 'integer');
  }

  /** A 64-bit integer. */
  bigint(name: string): ColumnBuilder {
    return this.addColumn(name, 'bigint');
  }

  /** VARCHAR(length), 255 unless given. */
  string(name: string, length = 255): ColumnBuilder {
    return this.addColumn(name, 'string', length);
  }

  /** Text of any length. */
  text(name: string): ColumnBuilder {
    return this.addColumn(name, 'text');
  }

  /** true or false. */
  boolean(name: string): ColumnBuilder {
    return this.addColumn(name, 'boolean');
  }

  /** A calendar day. */
  date(name: string): ColumnBuilder {
    return this.addColumn(name, 'date');
  }

  /** A date and time with milliseconds, without time zone (Twistar writes and reads UTC). */
  datetime(name: string): ColumnBuilder {
    return this.addColumn(name, 'datetime');
  }

  /** The same as `datetime`. */
  timestamp(name: string): ColumnBuilder {
    return this.addColumn(name, 'timestamp');
  }

  /** An exact number of `precision` digits, `scale` of them after the point. */
  decimal(name: string, precision: number, scale: number): ColumnBuilder {
    return this.addColumn(name, 'decimal', precision, scale);
  }

  /** A double-precision (64-bit) floating-point number. */
  float(name: string): ColumnBuilder {
    return this.addColumn(name, 'float');
  }

  /** A JSON document. */
  json(name: string): ColumnBuilder {
    return this.addColumn(name, 'json');
  }

  /** Bytes of any length. */
  binary(name: string): ColumnBuilder {
    return this.addColumn(name, 'binary');
  }

  /** A UUID (stored as its 36-character text outside PostgreSQL). */
  uuid(name: string): ColumnBuilder {
    return this.addColumn(name, 'uuid');
  }

  /**
   * A 64-bit integer column referring to `table`(id) with a foreign key, and an index on it:
   * `t.references('team_id', 'teams').notNull().onDelete('cascade')`.
   */
  references(name: string, table: string, options: ReferencesOptions = {}): ColumnBuilder {
    const { index, ...foreign } = options;
    const column = this.#define(name, { name: 'bigint' });
    column.references = foreignKey(name, table, foreign);
    column.index = index !== false;
    return new ColumnBuilder(column);
  }

  /**
   * The nullable datetime a soft-deleting model sets on delete (`deleted_at` unless named): pair it with
   * `static SOFT_DELETE = 'deleted_at'` on the model, and unique indexes with `{ whereNull: 'deleted_at' }`.
   */
  softDeletes(name = 'deleted_at'): ColumnBuilder {
    return this.datetime(name);
  }

  /** `created_at` and `updated_at` datetimes; with `defaultNow`, NOT NULL and defaulting to the current time. */
  timestamps(options: { readonly defaultNow?: boolean } = {}): void {
    for (const name of ['created_at', 'updated_at']) {
      const column = this.datetime(name);
      if (options.defaultNow === true) column.notNull().defaultNow();
    }
  }
}
