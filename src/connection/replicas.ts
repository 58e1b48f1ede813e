import { ConnectionError } from '../errors.js';

/** What the replica set needs of a pool: a name for messages, and a way to close it. */
export interface Replica {
  close(): Promise<void>;
}

/** Read statements a replica can answer: plain SELECTs that neither lock rows nor touch sequences. */
const READ = /^\s*SELECT\b/i;
const NOT_READ =
  /\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b|\bFOR\s+KEY\s+SHARE\b|\bLOCK\s+IN\s+SHARE\s+MODE\b|\b(?:nextval|setval|pg_advisory\w*|get_lock|release_lock)\s*\(|\bINTO\b/i;

/** True for a statement that may go to a replica. */
export function isReadOnly(sql: string): boolean {
  return READ.test(sql) && !NOT_READ.test(sql);
}

/** Replicas taken in turn (round robin), skipping one that failed until `retryMs` has passed. */
export class ReplicaSet<R extends Replica> {
  readonly #replicas: readonly R[];
  readonly #downUntil = new Map<R, number>();
  readonly #retryMs: number;
  #next = 0;

  constructor(replicas: readonly R[], retryMs: number) {
    this.#replicas = replicas;
    this.#retryMs = retryMs;
  }

  /** The next replica that is not known to be down, or undefined when none is up. */
  pick(now = Date.now()): R | undefined {
    for (let tried = 0; tried < this.#replicas.length; tried++) {
      const replica = this.#replicas[this.#next++ % this.#replicas.length];
      if (replica === undefined) continue;
      const down = this.#downUntil.get(replica);
      if (down === undefined || down <= now) return replica;
    }
    return undefined;
  }

  /** Skips `replica` for a while: it failed to answer. */
  markDown(replica: R, now = Date.now()): void {
    this.#downUntil.set(replica, now + this.#retryMs);
  }

  async close(): Promise<void> {
    await Promise.all(this.#replicas.map((replica) => replica.close()));
  }
}

/**
 * A failure to reach a server at all (as opposed to an error in the statement). The pool has already typed it:
 * a connection that could not be opened, or one lost with the statement on it (ConnectionLostError).
 */
export function isUnreachable(error: unknown): boolean {
  return error instanceof ConnectionError;
}
