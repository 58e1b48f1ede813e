/** What `Registry.verify()` can find wrong between a model and the live schema. */
export type SchemaProblemKind =
  /** The model's table does not exist (or a related model's, when that model is not verified itself). */
  | 'missing-table'
  /**
   * A column the model relies on does not exist: its primary key, a column its `COLUMNS` or `HIDDEN` names, a
   * foreign key, a polymorphic type column.
   */
  | 'missing-column'
  /**
   * The model's PRIMARY_KEY is neither the table's primary key nor a NOT NULL column with a unique index of its
   * own, so one key may match several rows (instance writes through it are refused with KeyNotUniqueError).
   */
  | 'key-not-unique'
  /** A HABTM relation's join table does not exist. */
  | 'missing-join-table'
  /** A relation names a class that is not registered, so its table cannot be known. */
  | 'missing-class'
  /** A column has the name of a method, accessor or relationship of the model, which it would hide. */
  | 'hidden-member'
  /** A column of the table is not in the model's `COLUMNS` (added since the models were generated). */
  | 'undeclared-column'
  /** The model's `COLUMNS` (or `HIDDEN`) is not a list of column names. */
  | 'invalid-columns';

/** One disagreement between a model and the database. */
export interface SchemaProblem {
  /** The model class whose declaration needs what is missing. */
  readonly model: string;
  readonly kind: SchemaProblemKind;
  /** The relation the problem comes from, when it comes from one. */
  readonly relation?: string;
  /** The table that is missing, or that lacks `column`. */
  readonly table?: string;
  readonly column?: string;
  readonly message: string;
}
