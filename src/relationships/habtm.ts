import type { Id } from '../crud/interaction-base.js';
import { FIND_OPTIONS, findObjects, type FindOptions } from '../model/finders.js';
import { omitKeys, ownOptions } from '../options.js';
import type { Loaded } from '../model/hydration.js';
import { toCondition, joinWheres, type Where, type WhereInput } from '../sql/where.js';
import { joinTableOf } from './declarations.js';
import { isPlain, Relation, savedIds, type CountOptions } from './relation.js';

type Associated = Loaded & { id: Id | null };

/** Options of `get()` on a HABTM relation: find options, and `joinWhere` on the join table's columns. */
export interface HabtmFindOptions extends FindOptions {
  joinWhere?: WhereInput;
}

/** Objects linked to the owner through a join table: `user.favorite_colors`, and `color.users` back. */
export class HABTM<T extends Associated> extends Relation<T> {
  /** The linked objects; with options, a query of its own (`limit: 1` gives one object or null). */
  get(options: HabtmFindOptions & { limit: 1 }): Promise<T | null>;
  get(options?: HabtmFindOptions): Promise<T[]>;
  async get(options?: HabtmFindOptions): Promise<T[] | T | null> {
    const checked = ownOptions(options, [...FIND_OPTIONS, 'joinWhere'], `${this.spec.name}.get()`);
    if (isPlain(checked)) {
      void this.ownerId;
      return [...((await this.loadedValue()) as T[])];
    }
    const { joinWhere } = checked;
    const rest = omitKeys(checked, 'joinWhere');
    return findObjects(this.target(), this.config(), [
      { ...rest, where: joinWheres(this.condition(joinWhere), rest.where) },
    ]);
  }

  /** Makes `objects` (saved) the whole relation, replacing the join rows in one transaction. */
  async set(objects: readonly T[]): Promise<void> {
    const ids = savedIds(objects, `${this.owner.constructor.name}.${this.spec.name}.set`);
    const owner = this.ownerId;
    const config = this.config();
    const table = joinTableOf(this.spec);
    await config.pool.runInteraction(async () => {
      await config.delete(table, this.ownRows());
      const unique = [...new Map(ids.map((id) => [String(id), id])).values()];
      await config.insertMany(
        table,
        unique.map((id) => ({ [this.spec.foreignKey]: owner, [this.spec.associationForeignKey]: id })),
      );
    });
    this.remember([...new Set(objects)]);
  }

  /** Removes every join row of the owner. */
  async clear(): Promise<void> {
    await this.config().delete(joinTableOf(this.spec), this.ownRows());
    this.remember([]);
  }

  /** The number of linked objects (matching `where`). */
  async count(options?: CountOptions): Promise<number> {
    const { where } = ownOptions(options, ['where'], `${this.spec.name}.count()`);
    return this.config().count(this.target().tablename(), joinWheres(this.condition(), where));
  }

  private ownRows(): Where {
    return [`${this.quote(this.spec.foreignKey)} = ?`, this.ownerId];
  }

  /** The related rows whose key is in the owner's join rows (filtered by `joinWhere`). */
  private condition(joinWhere?: WhereInput): Where {
    const own = joinWheres(this.ownRows(), joinWhere);
    const filter = toCondition(own);
    return [
      `${this.quote(this.target().PRIMARY_KEY)} IN (SELECT ${this.quote(this.spec.associationForeignKey)} ` +
        `FROM ${this.quote(joinTableOf(this.spec))} WHERE ${filter?.text ?? '1 = 1'})`,
      ...(filter?.params ?? []),
    ];
  }
}
