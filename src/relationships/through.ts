import type { Id } from '../crud/interaction-base.js';
import { ReadOnlyRelationError } from '../errors.js';
import { FIND_OPTIONS, findObjects, type FindOptions, type FindResult } from '../model/finders.js';
import type { Loaded } from '../model/hydration.js';
import { knownModelSchema, modelSchema } from '../model/model-schema.js';
import { sourceOf } from '../model/relation-declarations.js';
import { intermediatesOf, throughHops, type Hop } from '../model/through-chain.js';
import { columnValue, ownOptions } from '../options.js';
import { oneOf } from '../sql/operators.js';
import { joinWheres, type Where } from '../sql/where.js';
import { Query } from '../query/query.js';
import type { QueryModel } from '../query/query-state.js';
import { isPlain, Relation, type CountOptions } from './relation.js';

type Reached = Loaded & { id: Id | null };

/**
 * What has-many and has-one through share: the chain's conditions, reading, and refusing writes. The rows are
 * those the chain reaches, each once (a semi-join: `comments.post_id IN (SELECT id FROM posts WHERE user_id =
 * ?)`), with the related model's and every intermediate model's DEFAULT_SCOPE applied.
 */
abstract class ThroughRelation<T extends Reached> extends Relation<T> {
  protected hops(): readonly Hop[] {
    return throughHops(this.spec);
  }

  /** The owner's value the chain starts from: its key, or its foreign key when the first step is a belongs-to. */
  protected startValue(): unknown {
    void this.ownerId;
    return columnValue(this.owner, (this.hops()[0] as Hop).near);
  }

  /** A query of the last intermediate table's keys that lead to the owner, one subquery per step. */
  private keys(): Query<unknown> {
    const hops = this.hops();
    let keys: Query<unknown> | null = null;
    for (let at = 0; at < hops.length - 1; at++) {
      const hop = hops[at] as Hop;
      const next = hops[at + 1] as Hop;
      const matches = keys === null ? this.startValue() : oneOf(keys as never);
      const conditions: Record<string, unknown> = { [hop.far]: matches };
      if (hop.type !== undefined) conditions[hop.type[0]] = hop.type[1];
      const query: Query<unknown> = Query.of<unknown>(hop.to as QueryModel).where(conditions as never);
      keys = query.select(next.near as never) as unknown as Query<unknown>;
    }
    return keys as Query<unknown>;
  }

  /** The related rows as a where object of the related table: the last step's column among the keys. */
  private base(): Readonly<Record<string, unknown>> {
    const last = this.hops().at(-1) as Hop;
    const conditions: Record<string, unknown> = { [last.far]: oneOf(this.keys() as never) };
    if (last.type !== undefined) conditions[last.type[0]] = last.type[1];
    return conditions;
  }

  protected rowsCondition(): Where {
    const last = this.hops().at(-1) as Hop;
    const keys = this.keys().subquery(this.config().pool.dialect);
    const type = last.type === undefined ? '' : ` AND ${this.quote(last.type[0])} = ?`;
    return [
      `${this.quote(last.far)} IN (${keys.text})${type}`,
      ...keys.params,
      ...(last.type === undefined ? [] : [last.type[1]]),
    ];
  }

  /**
   * A query of the related rows, to chain like any other (`user.comments.query().where({ … }).orderBy('id')`);
   * the related and intermediate models' DEFAULT_SCOPE apply.
   */
  override query(): Query<T> {
    return Query.within<T>(this.target() as unknown as QueryModel, this.base());
  }

  /** The columns of the intermediate models, read before their DEFAULT_SCOPE's values are written into SQL. */
  protected async readIntermediates(): Promise<void> {
    const config = this.config();
    for (const model of intermediatesOf(this.spec))
      if (knownModelSchema(config, model) === undefined) await modelSchema(config, model);
  }

  /** The refusal of a write: a through relation is read-only. */
  private refuse(write: string): Promise<never> {
    const owner = this.owner.constructor.name;
    const through = String(this.spec.through);
    const source = sourceOf(this.spec);
    return Promise.reject(
      new ReadOnlyRelationError(
        `${owner}.${this.spec.name}.${write}(): ${this.spec.name} is read through ${through} and cannot be ` +
          `changed; write to the relations it follows instead (${owner}.${through}, ` +
          `${source.owner.name}.${source.name}).`,
      ),
    );
  }

  static {
    // The writes of the other relations, refused at run time (for code the types do not check): a through
    // relation's type has none of them.
    for (const write of ['set', 'clear', 'add', 'remove']) {
      Object.defineProperty(ThroughRelation.prototype, write, {
        configurable: true,
        writable: true,
        value(this: ThroughRelation<Reached>) {
          return this.refuse(write);
        },
      });
    }
  }
}

/** The rows reached through another relation: `user.comments` through `user.posts`. Read-only. */
export class HasManyThrough<T extends Reached> extends ThroughRelation<T> {
  /** The related objects; with options, a query of its own (where is added to the relation's condition). */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no options: every related object
  get<const O extends FindOptions = {}>(options?: O): Promise<FindResult<T, O>>;
  async get(options?: FindOptions): Promise<T[] | T | null> {
    const checked = ownOptions(options, FIND_OPTIONS, `${this.spec.name}.get()`);
    if (isPlain(checked)) {
      void this.ownerId;
      return [...((await this.loadedValue()) as T[])];
    }
    await this.readIntermediates();
    return findObjects(this.target(), this.config(), [
      { ...checked, where: joinWheres(this.rowsCondition(), checked.where) },
    ]);
  }

  /** The number of related rows (matching `where`), each counted once. */
  async count(options?: CountOptions): Promise<number> {
    await this.readIntermediates();
    return this.countRows(options);
  }
}

/** The one row reached through another relation: `comment.author` through `comment.post`. Read-only. */
export class HasOneThrough<T extends Reached> extends ThroughRelation<T> {
  /** The related object (the first by key, or by the related model's DEFAULT_SCOPE order), or null. */
  async get(): Promise<T | null> {
    void this.ownerId;
    return ((await this.loadedValue()) as T | null | undefined) ?? null;
  }
}
