import {
  driverFields,
  errorKindReader,
  textField,
  violation,
  type ConstraintKind,
  type ConstraintViolation,
} from '../driver-errors.js';

/** The kind of a better-sqlite3 error; undefined for an ordinary statement error. */
export const sqliteErrorKind = errorKindReader(({ code }, message) => {
  if (code === 'SQLITE_BUSY_SNAPSHOT') return 'serialization';
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_RECOVERY') return 'serialization';
  if (code === 'SQLITE_INTERRUPT') return 'timeout';
  if (code === 'SQLITE_TOOBIG') return 'tooLarge';
  // better-sqlite3 refuses to bind these (a RangeError, without a code); the bigint check is the driver's own.
  if (code === undefined && /outside the 64-bit integer range/.test(message)) return 'range';
  if (code === undefined && /bound string, buffer, or bigint is too big/.test(message)) return 'tooLarge';
  return undefined;
});

const KINDS: Readonly<Record<string, ConstraintKind>> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_CHECK: 'check',
};

/**
 * The violation an SQLite error reports: `UNIQUE constraint failed: users.a, users.b`, `UNIQUE constraint failed:
 * index 'name'` (an index on expressions), `NOT NULL constraint failed: users.name`, `CHECK constraint failed:
 * <name or expression>`, `FOREIGN KEY constraint failed` (SQLite names neither the constraint nor the column).
 */
export function sqliteConstraintViolation(error: unknown): ConstraintViolation | null {
  const fields = driverFields(error);
  const kind = fields === null ? undefined : KINDS[String(fields.code)];
  if (fields === null || kind === undefined) return null;
  const message = textField(fields.message) ?? '';
  const colon = message.indexOf(': ');
  const subject = colon < 0 ? '' : message.slice(colon + 2);
  if (kind === 'foreign-key') return violation(kind, null);
  if (kind === 'check') return violation(kind, subject || null);
  const index = /^index '(.*)'$/s.exec(subject);
  if (index) return violation(kind, index[1] ?? null);
  const columns = subject === '' ? [] : subject.split(', ').map((name) => name.slice(name.indexOf('.') + 1));
  return violation(kind, null, columns);
}

/** "no such column: x" (UPDATE, WHERE), "table t has no column named x" (INSERT). */
export function sqliteStaleColumns(error: unknown): boolean {
  const message = String((error as Error | null)?.message);
  return /^no such column: |has no column named /.test(message);
}

/** "no such table: albums", or "main.albums" when the statement named its schema. */
export function sqliteMissingTable(error: unknown): string | undefined {
  return /^no such table: (?:main\.)?(.*)$/.exec(String((error as Error | null)?.message))?.[1];
}
