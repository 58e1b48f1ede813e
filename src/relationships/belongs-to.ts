import { DBObjectSaveError } from '../errors.js';
import type { Id } from '../crud/interaction-base.js';
import type { Loaded } from '../model/hydration.js';
import { STATE } from '../model/object-state.js';
import { Relation, savedIds } from './relation.js';

type Parent = Loaded & { id: Id | null };

/** The object the owner's foreign key points at: `picture.user`; polymorphic with a `<name>_type` column. */
export class BelongsTo<T extends Parent> extends Relation<T> {
  /** The parent, or null when the foreign key is NULL (or points at nothing). */
  async get(): Promise<T | null> {
    if (this.column(this.spec.foreignKey) == null) {
      this.remember(null);
      return null;
    }
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

  private column(name: string): unknown {
    return (this.owner as unknown as Record<string, unknown>)[name];
  }

  private async write(id: Id | null, className: string | null): Promise<void> {
    // The owner is written whatever else it holds, so it must already be saved (as Twistar requires).
    void this.ownerId;
    const owner = this.owner as unknown as Record<string, unknown>;
    owner[this.spec.foreignKey] = id;
    if (this.spec.typeColumn !== undefined) owner[this.spec.typeColumn] = className;
    await this.owner.save();
    const errors = this.owner[STATE].errors;
    if (errors !== null && !errors.isEmpty()) {
      throw new DBObjectSaveError(
        `${this.owner.constructor.name}.${this.spec.name}: the owner did not save: ${errors.toString()}`,
      );
    }
  }
}

export type { Parent };
