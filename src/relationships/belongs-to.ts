import { DBObjectSaveError, InvalidQueryError } from '../errors.js';
import { Query } from '../query/query.js';
import type { QueryModel } from '../query/query-state.js';
import { targetOf } from '../model/relation-declarations.js';
import type { Id } from '../crud/interaction-base.js';
import type { Loaded } from '../model/hydration.js';
import { STATE } from '../model/object-state.js';
import { Relation, savedIds } from './relation.js';
import { columnValue } from '../options.js';
import type { Where } from '../sql/where.js';

type Parent = Loaded & { id: Id | null };

/** The object the owner's foreign key points at: `picture.user`; polymorphic with a `<name>_type` column. */
export class BelongsTo<T extends Parent> extends Relation<T> {
  /** The parent, or null when the foreign key is NULL (or points at nothing). */
  async get(): Promise<T | null> {
    void this.ownerId;
    const key = this.column(this.spec.foreignKey);
    if (key === null || key === undefined) {
      this.remember(null);
      return null;
    }
    // What was loaded belongs to the key as it was then; if the key has changed since, load again.
    if (this.isLoaded() && !this.matches(this.loadedParent())) this.reload();
    return ((await this.loadedValue()) as T | null | undefined) ?? null;
  }

  /** Points the owner at `parent` (a saved object) and saves the owner. */
  async set(parent: T): Promise<void> {
    const [id] = savedIds([parent], `${this.owner.constructor.name}.${this.spec.name}.set`);
    await this.write(id ?? null, parent.constructor.name);
    this.remember(parent);
  }

  /** Sets the foreign key to NULL and saves the owner. */
  async clear(): Promise<void> {
    await this.write(null, null);
    this.remember(null);
  }

  protected rowsCondition(): Where {
    return [`${this.quote(this.parentModel().PRIMARY_KEY)} = ?`, this.column(this.spec.foreignKey) ?? null];
  }

  /** A query of the parent (no row when the foreign key is NULL); polymorphic, of the class the row names. */
  override query(): Query<T> {
    return Query.within<T>(this.parentModel(), this.rowsCondition());
  }

  private parentModel(): QueryModel {
    const { typeColumn } = this.spec;
    if (typeColumn === undefined) return this.target() as unknown as QueryModel;
    const className = this.column(typeColumn);
    if (typeof className !== 'string' || className === '') {
      throw new InvalidQueryError(
        `${this.owner.constructor.name}.${this.spec.name}: ${typeColumn} names no class, so there is no parent to query.`,
      );
    }
    return targetOf<QueryModel>(this.spec, className);
  }

  private column(name: string): unknown {
    return columnValue(this.owner, name);
  }

  private loadedParent(): T | null {
    return (this.owner[STATE].loaded?.get(this.spec.name) as T | null | undefined) ?? null;
  }

  /** True when `parent` is what the owner's key (and type) point at now. */
  private matches(parent: T | null): boolean {
    if (parent === null) return false;
    const type = this.spec.typeColumn === undefined ? undefined : this.column(this.spec.typeColumn);
    return (
      String(parent.id) === String(this.column(this.spec.foreignKey)) &&
      (type === undefined || type === parent.constructor.name)
    );
  }

  /** Sets the key (and type) and saves the owner; if the save does not happen, puts the old values back. */
  private async write(id: Id | null, className: string | null): Promise<void> {
    void this.ownerId;
    const owner = this.owner as unknown as Record<string, unknown>;
    const columns = [
      this.spec.foreignKey,
      ...(this.spec.typeColumn === undefined ? [] : [this.spec.typeColumn]),
    ];
    const before = columns.map((column) => owner[column]);
    owner[this.spec.foreignKey] = id;
    if (this.spec.typeColumn !== undefined) owner[this.spec.typeColumn] = className;
    let reason: string | null;
    try {
      await this.owner.save();
      const state = this.owner[STATE];
      const errors = state.errors;
      const stored = state.snapshot?.[this.spec.foreignKey];
      if (errors !== null && !errors.isEmpty()) reason = `it is not valid: ${errors.toString()}`;
      else if (String(stored ?? null) !== String(id)) reason = 'a before-hook cancelled the save';
      else reason = null;
    } catch (error) {
      columns.forEach((column, i) => (owner[column] = before[i]));
      throw error;
    }
    if (reason !== null) {
      columns.forEach((column, i) => (owner[column] = before[i]));
      throw new DBObjectSaveError(
        `${this.owner.constructor.name}.${this.spec.name}: the owner was not saved, ${reason}.`,
      );
    }
  }
}
