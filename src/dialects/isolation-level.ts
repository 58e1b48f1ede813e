import { TransactionError } from '../errors.js';

/**
 * The isolation levels `transaction(work, { isolation })` takes, strongest first. A database without the weaker
 * levels runs them as a stronger one (SQLite: every transaction is serializable).
 */
export type IsolationLevel = 'serializable' | 'repeatable read' | 'read committed';

/** Each level and the way SQL writes it, in the order of `IsolationLevel`. */
const LEVELS: ReadonlyMap<string, string> = new Map<IsolationLevel, string>([
  ['serializable', 'SERIALIZABLE'],
  ['repeatable read', 'REPEATABLE READ'],
  ['read committed', 'READ COMMITTED'],
]);

/** `value` if it is an isolation level; TransactionError listing the levels otherwise. */
export function isolationLevel(value: unknown): IsolationLevel {
  if (typeof value === 'string' && LEVELS.has(value)) return value as IsolationLevel;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  const levels = [...LEVELS.keys()].map((level) => `'${level}'`).join(', ');
  throw new TransactionError(`isolation must be one of ${levels}; got ${shown}.`);
}

/** The level as SQL writes it (`REPEATABLE READ`); TransactionError for anything that is not a level. */
export function isolationSql(level: IsolationLevel): string {
  return LEVELS.get(isolationLevel(level)) ?? '';
}
