import { humanize } from 'inflection';

/** The key of messages about the whole object rather than one column. */
export const BASE = 'base';

/**
 * The validation messages of one object, by property: `errors.add('first_name', 'cannot be blank.')`.
 * Messages about the object as a whole go under `base`.
 */
export class Errors {
  readonly #messages = new Map<string, string[]>();

  /**
   * Records "<Humanized prop> <message>", e.g. "First name cannot be blank."; under `base`, the message as
   * it is given (`add('base', 'Ann is on leave.')`).
   */
  add(prop: string, message: string): void {
    const full = prop === BASE ? message : `${humanize(prop)} ${message}`;
    const list = this.#messages.get(prop);
    if (list) list.push(full);
    else this.#messages.set(prop, [full]);
  }

  isEmpty(): boolean {
    return this.#messages.size === 0;
  }

  /** The messages recorded for `prop` (a copy; empty when there are none). */
  errorsFor(prop: string): string[] {
    return [...(this.#messages.get(prop) ?? [])];
  }

  /** The number of messages in all. */
  get length(): number {
    let total = 0;
    for (const list of this.#messages.values()) total += list.length;
    return total;
  }

  /** The properties that have messages. */
  properties(): string[] {
    return [...this.#messages.keys()];
  }

  /** Every message. */
  fullMessages(): string[] {
    return [...this.#messages.values()].flat();
  }

  clear(): void {
    this.#messages.clear();
  }

  toString(): string {
    return this.fullMessages().join(' ');
  }

  toJSON(): Record<string, string[]> {
    return Object.fromEntries([...this.#messages].map(([prop, list]) => [prop, [...list]]));
  }
}
