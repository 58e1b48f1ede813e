import type { Id } from '../crud/interaction-base.js';
import type { Loaded } from '../model/hydration.js';
import { ChildRelation } from './has-many.js';

/** The one child that points at the owner: `user.avatar`. */
export class HasOne<T extends Loaded & { id: Id | null }> extends ChildRelation<T> {
  /** The child, or null. */
  async get(): Promise<T | null> {
    void this.ownerId;
    return ((await this.loadedValue()) as T | null | undefined) ?? null;
  }

  /** Makes `child` (a saved object) the one child; any other loses its link. In a transaction. */
  async set(child: T): Promise<void> {
    await this.replaceChildren([child]);
    this.remember(child);
  }

  /** Unlinks the child. */
  async clear(): Promise<void> {
    await this.unlinkAll();
    this.remember(null);
  }
}
