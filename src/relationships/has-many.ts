import type { Id } from '../crud/interaction-base.js';
import { markSaved } from '../model/attributes.js';
import { FIND_OPTIONS, findObjects, type FindOptions, type FindResult } from '../model/finders.js';
import { ownOptions } from '../options.js';
import type { Loaded } from '../model/hydration.js';
import { chunked, placeholdersFor } from '../sql/fragments.js';
import { joinWheres, type Where } from '../sql/where.js';
import { isPlain, Relation, savedIds, type CountOptions } from './relation.js';

type Child = Loaded & { id: Id | null };

/** Relations whose rows point at the owner (has many, has one): the linking and unlinking they share. */
export abstract class ChildRelation<T extends Child> extends Relation<T> {
  /**
   * Makes `children` (saved objects) the owner's only children: the others lose their link. All or nothing,
   * in a transaction.
   */
  protected async replaceChildren(children: readonly T[]): Promise<void> {
    const ids = [
      ...new Map(
        savedIds(children, `${this.owner.constructor.name}.${this.spec.name}.set`).map((id) => [
          String(id),
          id,
        ]),
      ).values(),
    ];
    const link = this.link();
    const config = this.config();
    const target = this.target();
    const key = this.quote(target.PRIMARY_KEY);
    const size = config.pool.dialect.maxParameters - link.length - 8;
    await config.pool.runInteraction(async () => {
      // Only the children that leave are unlinked, so a NOT NULL foreign key works when nothing leaves.
      const leaving: Where | [] =
        ids.length === 0
          ? this.condition()
          : ids.length <= size
            ? joinWheres(this.condition(), [`${key} NOT IN (${placeholdersFor(ids)})`, ...ids])
            : this.condition();
      await config.update(target.tablename(), this.unlink(), leaving);
      for (const chunk of chunked(ids, size)) {
        await config.update(target.tablename(), Object.fromEntries(link), [
          `${key} IN (${placeholdersFor(chunk)})`,
          ...chunk,
        ]);
      }
    });
    for (const child of children) {
      for (const [column, value] of link) (child as unknown as Record<string, unknown>)[column] = value;
      markSaved(
        child,
        link.map(([column]) => column),
      );
    }
  }

  /** Unlinks every child (their foreign key becomes NULL). */
  protected async unlinkAll(): Promise<void> {
    await this.config().update(this.target().tablename(), this.unlink(), this.condition());
  }

  /** The children's columns that point at the owner, with the owner's values. */
  protected link(): [string, unknown][] {
    const link: [string, unknown][] = [[this.spec.foreignKey, this.ownerId]];
    if (this.spec.typeColumn !== undefined) link.push([this.spec.typeColumn, this.spec.typeValue]);
    return link;
  }

  protected unlink(): Record<string, null> {
    return Object.fromEntries(this.link().map(([column]) => [column, null]));
  }

  protected rowsCondition(): Where {
    return this.condition();
  }

  /** The children of this owner. */
  protected condition(): Where {
    let where = [`${this.quote(this.spec.foreignKey)} = ?`, this.ownerId] as Where;
    if (this.spec.typeColumn !== undefined) {
      where = joinWheres(where, [`${this.quote(this.spec.typeColumn)} = ?`, this.spec.typeValue]) as Where;
    }
    return where;
  }
}

/** The children that point at the owner: `user.pictures`, also through a polymorphic `as`. */
export class HasMany<T extends Child> extends ChildRelation<T> {
  /** The children; with options, a query of its own (where is added to the relation's condition). */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no options: every child
  get<const O extends FindOptions = {}>(options?: O): Promise<FindResult<T, O>>;
  async get(options?: FindOptions): Promise<T[] | T | null> {
    const condition = this.condition();
    const checked = ownOptions(options, FIND_OPTIONS, `${this.spec.name}.get()`);
    if (isPlain(checked)) return [...((await this.loadedValue()) as T[])];
    return findObjects(this.target(), this.config(), [
      { ...checked, where: joinWheres(condition, checked.where) },
    ]);
  }

  /** Makes `children` (saved objects) the whole relation: others lose their link. In a transaction. */
  async set(children: readonly T[]): Promise<void> {
    await this.replaceChildren(children);
    this.remember([...new Set(children)]);
  }

  /** Unlinks every child (their foreign key becomes NULL). */
  async clear(): Promise<void> {
    await this.unlinkAll();
    this.remember([]);
  }

  /** The number of children (matching `where`). */
  async count(options?: CountOptions): Promise<number> {
    return this.countRows(options);
  }
}
