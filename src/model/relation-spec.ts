import type { ModelDefinition } from './model-definition.js';

/*
 * The types of relationship declarations (`static HASMANY = […]`) and of a relationship with its defaults
 * filled in: relation-options.ts reads a declaration, relation-declarations.ts keeps them per class.
 */

/** The options of one relationship; every one but `name` has a default. */
export interface RelationOptions {
  /** The property the relation is read through (`pictures` → `user.pictures`). */
  readonly name: string;
  /** The related class as registered (default: the classified singular of the name). */
  readonly className?: string;
  /** The foreign key column (default: `<owner>_id`, or `<name>_id` for belongs-to). */
  readonly foreignKey?: string;
  /** HABTM: the join table's column pointing at the related class (default: `<related>_id`). */
  readonly associationForeignKey?: string;
  /** HABTM: the join table (default: both table names, sorted, joined by `_`). */
  readonly joinTable?: string;
  /** Has many / has one through a polymorphic belongs-to of that name (`as: 'nicknameable'`). */
  readonly as?: string;
  /** Belongs-to: the related class is named by the `<name>_type` column. */
  readonly polymorphic?: boolean;
  /**
   * Has many / has one: read through another relation of the model (`{ name: 'comments', through: 'posts' }`):
   * the rows that relation's `source` relation leads to. Read-only.
   */
  readonly through?: string;
  /** With `through`: the relation of the intermediate model to follow (default: this one's name, or its singular/plural). */
  readonly source?: string;
  /**
   * Has many / has one: what deleting the owner does to the related rows, in its delete's transaction: `'restrict'`
   * refuses while one exists, `'delete'` deletes them in one statement, `'destroy'` deletes each with its hooks,
   * `'nullify'` sets their foreign key to NULL.
   */
  // A class's `static HASMANY = [{ …, dependent: 'destroy' }]` widens the literal to string: any string type-checks,
  // and one of the four is required when the declaration is read.
  readonly dependent?: 'delete' | 'destroy' | 'nullify' | 'restrict' | (string & Record<never, never>);
}

/** A relationship as declared in `static HASMANY = […]`: a name, or options. */
export type RelationDeclaration = string | RelationOptions;

/** The four kinds, by the static property that declares them. */
export type RelationKind = 'hasMany' | 'hasOne' | 'belongsTo' | 'habtm';

/** A model class as relationships see it. */
export interface RelatedModel extends ModelDefinition {
  readonly HASMANY?: readonly RelationDeclaration[];
  readonly HASONE?: readonly RelationDeclaration[];
  readonly BELONGSTO?: readonly RelationDeclaration[];
  readonly HABTM?: readonly RelationDeclaration[];
}

/** A relationship with every default filled in. */
export interface RelationSpec {
  readonly kind: RelationKind;
  readonly name: string;
  readonly owner: RelatedModel;
  /** The related class's registered name; '' for a polymorphic belongs-to (the type column names it). */
  readonly className: string;
  /** Where the foreign key lives: on the related table (has many/one), on the owner (belongs-to), in the join table (HABTM). */
  readonly foreignKey: string;
  /** Polymorphic: the column holding the class name. */
  readonly typeColumn: string | undefined;
  /** Polymorphic has many/one: the class name the related rows carry in `typeColumn`. */
  readonly typeValue: string | undefined;
  /** HABTM only. */
  readonly associationForeignKey: string;
  /** HABTM only: the join table given in the declaration, if any. */
  readonly joinTable: string | undefined;
  /**
   * Has many / has one through another relation of the owner (its name); `className` and `foreignKey` then mean
   * nothing: the chain of relations says where the rows are (model/through-chain.ts).
   */
  readonly through: string | undefined;
  /** With `through`: the source relation's name as given (undefined: found by this relation's name). */
  readonly source: string | undefined;
  /** Has many / has one: what deleting the owner does to the related rows (see RelationOptions.dependent). */
  readonly dependent: 'delete' | 'destroy' | 'nullify' | 'restrict' | undefined;
}
