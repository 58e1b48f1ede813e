import type { Id } from '../crud/interaction-base.js';
import { FIND_OPTIONS, findObjects, type FindOptions, type FindResult } from '../model/finders.js';
import { omitKeys, ownOptions } from '../options.js';
import type { Loaded } from '../model/hydration.js';
import { chunked, placeholdersFor } from '../sql/fragments.js';
import { toCondition, joinWheres, type Where, type WhereInput } from '../sql/where.js';
import { joinTableOf, type RelatedModel } from '../model/relation-declarations.js';
import { isPlain, Relation, savedIds, type CountOptions } from './relation.js';

/** The alias of the linked key in add()'s read of existing pairs. */
const LINKED = 'twistar_linked';

type Associated = Loaded & { id: Id | null };

/** Options of `get()` on a HABTM relation: find options, and `joinWhere` on the join table's columns. */
export interface HabtmFindOptions extends FindOptions {
  joinWhere?: WhereInput | undefined;
}

/** Objects linked to the owner through a join table: `user.favorite_colors`, and `color.users` back. */
export class HABTM<T extends Associated> extends Relation<T> {
  /** The linked objects; with options, a query of its own (`limit: 1` gives one object or null). */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no options: every linked object
  get<const O extends HabtmFindOptions = {}>(options?: O): Promise<FindResult<T, O>>;
  async get(options?: HabtmFindOptions): Promise<T[] | T | null> {
    const checked = ownOptions(options, [...FIND_OPTIONS, 'joinWhere'], `${this.spec.name}.get()`);
    if (isPlain(checked)) {
      void this.ownerId; // an unsaved owner is refused, even with nothing to remove
      return [...((await this.loadedValue()) as T[])];
    }
    const { joinWhere } = checked;
    const rest = omitKeys(checked, 'joinWhere');
    return findObjects(this.target(), this.config(), [
      { ...rest, where: joinWheres(this.condition(joinWhere), rest.where) },
    ]);
  }

  /**
   * Makes `objects` (saved) the whole relation: deletes every join row of the owner and inserts one per object,
   * in one transaction. To link or unlink a few, use add() and remove(), which leave the other rows alone.
   */
  async set(objects: readonly T[]): Promise<void> {
    const ids = savedIds(objects, `${this.owner.constructor.name}.${this.spec.name}.set`);
    const owner = this.ownerId;
    const config = this.config();
    const table = joinTableOf(this.spec);
    await this.lockingOwner(async () => {
      await config.delete(table, this.ownRows());
      const unique = distinctIds(ids);
      await config.insertMany(
        table,
        unique.map((id) => ({ [this.spec.foreignKey]: owner, [this.spec.associationForeignKey]: id })),
      );
    });
    this.remember([...new Set(objects)]);
  }

  /**
   * Links `objects` (saved; ReferenceNotSavedError otherwise) to the owner, leaving linked pairs as they are: one
   * INSERT of the pairs missing, whether or not the join table has a unique key on the pair. Two add() calls for
   * one owner at once both land (see lockingOwner).
   */
  async add(...objects: T[]): Promise<void> {
    const ids = distinctIds(savedIds(objects, `${this.owner.constructor.name}.${this.spec.name}.add`));
    const owner = this.ownerId;
    if (ids.length === 0) return;
    const { pool } = this.config();
    const table = this.quote(joinTableOf(this.spec));
    const [fk, afk] = [this.quote(this.spec.foreignKey), this.quote(this.spec.associationForeignKey)];
    await this.lockingOwner(async () => {
      for (const chunk of chunked(ids, Math.floor((pool.dialect.maxParameters - 8) / 2))) {
        // The guard for a join table without a unique key on the pair; where there is one, the clause that skips
        // duplicates covers a row written meanwhile by something that did not lock the owner.
        // Read under an alias: SQLite names a result column as the table spells it, whatever the declaration's case.
        const rows = await pool.runQuery(
          `SELECT ${afk} AS ${this.quote(LINKED)} FROM ${table} WHERE ${fk} = ? AND ${afk} IN (${placeholdersFor(chunk)})`,
          [owner, ...chunk],
        );
        const linked = new Set(rows.map((row) => String(row[LINKED])));
        const missing = chunk.filter((id) => !linked.has(String(id)));
        if (missing.length === 0) continue;
        await pool.runOperation(
          `INSERT INTO ${table} (${fk}, ${afk}) VALUES ${missing.map(() => '(?, ?)').join(', ')}` +
            pool.dialect.skipDuplicates(fk),
          missing.flatMap((id) => [owner, id]),
        );
      }
    });
    this.forgetCount();
    if (this.isLoaded()) {
      const current = (await this.loadedValue()) as T[];
      const known = new Set(current.map((obj) => String(obj.id)));
      const added = [...new Map(objects.map((obj) => [String(obj.id), obj])).values()];
      this.remember([...current, ...added.filter((obj) => !known.has(String(obj.id)))]);
    }
  }

  /** Unlinks `objects` (saved) from the owner: one DELETE of their join rows; the other rows stay. */
  async remove(...objects: T[]): Promise<void> {
    const ids = distinctIds(savedIds(objects, `${this.owner.constructor.name}.${this.spec.name}.remove`));
    void this.ownerId; // an unsaved owner is refused, even with nothing to remove
    if (ids.length === 0) return;
    const config = this.config();
    const afk = this.quote(this.spec.associationForeignKey);
    await this.lockingOwner(async () => {
      for (const chunk of chunked(ids, config.pool.dialect.maxParameters - 8)) {
        await config.delete(
          joinTableOf(this.spec),
          joinWheres(this.ownRows(), [`${afk} IN (${placeholdersFor(chunk)})`, ...chunk]),
        );
      }
    });
    this.forgetCount();
    if (this.isLoaded()) {
      const gone = new Set(ids.map(String));
      const current = (await this.loadedValue()) as T[];
      this.remember(current.filter((obj) => !gone.has(String(obj.id))));
    }
  }

  /**
   * Runs `work` in a transaction holding the owner's row lock (SQLite: the database's write lock), so that
   * add(), remove() and set() of one owner run one after another: none reads pairs another is changing, and
   * on MySQL none takes the gap locks that make two inserts into one key range deadlock.
   */
  private lockingOwner(work: () => Promise<void>): Promise<void> {
    const config = this.config();
    const { dialect } = config.pool;
    const model = this.owner.constructor as unknown as RelatedModel;
    return config.pool.runInteraction(async () => {
      if (dialect.lockClauses.update !== '') {
        const key = this.quote(model.PRIMARY_KEY);
        await config.pool.runQuery(
          `SELECT ${key} FROM ${this.quote(model.tablename())} WHERE ${key} = ?${dialect.lockClauses.update}`,
          [this.ownerId],
        );
      }
      await work();
    });
  }

  /** Removes every join row of the owner. */
  async clear(): Promise<void> {
    await this.config().delete(joinTableOf(this.spec), this.ownRows());
    this.remember([]);
  }

  /** The number of linked objects (matching `where`). */
  async count(options?: CountOptions): Promise<number> {
    return this.countRows(options);
  }

  protected rowsCondition(): Where {
    return this.condition();
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

/** The ids without repeats (by their text, as keys compare), in order. */
function distinctIds(ids: readonly Id[]): Id[] {
  return [...new Map(ids.map((id) => [String(id), id])).values()];
}
