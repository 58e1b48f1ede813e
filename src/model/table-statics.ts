import type { InteractionBase } from '../crud/interaction-base.js';
import { Registry } from '../registry.js';
import type { WhereInput } from '../sql/where.js';
import type { AttributeValues } from './attribute-types.js';
import type { ModelDefinition } from './model-definition.js';
import { ModelWrites } from './model-writes.js';
import { countRows, deleteRows, rowsExist } from './table-queries.js';

/** A model class whose instances are `M`, as the table statics see it. */
type Model<M> = (new (attrs?: object) => M) & ModelDefinition;

function config(): InteractionBase {
  return Registry.getConfig();
}

/**
 * The questions and deletes a model class asks of its whole table without loading objects, which every model
 * inherits: `User.count()`, `User.exists()`, `User.deleteAll()`, `User.forceDeleteAll()`.
 */
export abstract class TableStatics extends ModelWrites {
  /** The number of rows (matching `where`, or whose columns equal the values given). */
  static async count<M extends object>(
    this: Model<M>,
    where?: WhereInput | AttributeValues<M>,
  ): Promise<number> {
    return countRows(this, config(), where);
  }

  /** Whether any row (matching `where`, or whose columns equal the values given) exists. */
  static async exists<M extends object>(
    this: Model<M>,
    where?: WhereInput | AttributeValues<M>,
  ): Promise<boolean> {
    return rowsExist(this, config(), where);
  }

  /**
   * Deletes the rows matching `where` without loading them or running hooks; resolves to the number deleted (on
   * a model with SOFT_DELETE, the live ones among them are soft-deleted instead). Called with no argument it
   * deletes every row; an argument that sets no condition (undefined, null, `[]`, blank text) throws
   * InvalidQueryError instead, since it is most likely a missing value.
   */
  static async deleteAll(...args: [where?: WhereInput]): Promise<number> {
    return deleteRows(this, config(), args, false);
  }

  /** deleteAll() that removes the rows, soft-deleted ones included, even on a model with SOFT_DELETE. */
  static async forceDeleteAll(...args: [where?: WhereInput]): Promise<number> {
    return deleteRows(this, config(), args, true);
  }
}
