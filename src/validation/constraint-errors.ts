import type { DialectName } from '../dialects/dialect.js';
import { QueryError } from '../errors.js';
import { BASE } from './errors.js';

/** The constraints a database enforces that Twistar reports on the record. */
export type ConstraintKind = 'unique' | 'not-null' | 'foreign-key' | 'referenced' | 'check';

/** A constraint violation as one driver error describes it. No I/O went into it. */
export interface ConstraintViolation {
  readonly kind: ConstraintKind;
  /** The constraint's or index's name, or an unnamed SQLite check's expression; null when the error has none. */
  readonly constraint: string | null;
  /** The columns the error names (possibly expressions, for an index on one); empty when it names none. */
  readonly columns: readonly string[];
  /** The offending values as the database printed them (PostgreSQL `1, x`, MySQL `1-x`), when it did. */
  readonly values: string | null;
}

/** One message to add to a record's errors. */
export interface ConstraintMessage {
  readonly prop: string;
  readonly message: string;
}

interface DriverError {
  readonly code?: unknown;
  readonly errno?: unknown;
  readonly message?: unknown;
  readonly constraint?: unknown;
  readonly column?: unknown;
  readonly detail?: unknown;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function violation(
  kind: ConstraintKind,
  constraint: string | null,
  columns: readonly string[] = [],
  values: string | null = null,
): ConstraintViolation {
  return { kind, constraint, columns, values };
}

const SQLITE_KINDS: Readonly<Record<string, ConstraintKind>> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_NOTNULL: 'not-null',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign-key',
  SQLITE_CONSTRAINT_CHECK: 'check',
};

/**
 * `UNIQUE constraint failed: users.a, users.b`, `UNIQUE constraint failed: index 'name'` (an index on
 * expressions), `NOT NULL constraint failed: users.name`, `CHECK constraint failed: <name or expression>`,
 * `FOREIGN KEY constraint failed` (SQLite names neither the constraint nor the column).
 */
function parseSqlite(error: DriverError): ConstraintViolation | null {
  const kind = SQLITE_KINDS[String(error.code)];
  if (kind === undefined) return null;
  const message = text(error.message) ?? '';
  const colon = message.indexOf(': ');
  const subject = colon < 0 ? '' : message.slice(colon + 2);
  if (kind === 'foreign-key') return violation(kind, null);
  if (kind === 'check') return violation(kind, subject || null);
  const index = /^index '(.*)'$/s.exec(subject);
  if (index) return violation(kind, index[1] ?? null);
  const columns = subject === '' ? [] : subject.split(', ').map((name) => name.slice(name.indexOf('.') + 1));
  return violation(kind, null, columns);
}

const POSTGRES_KINDS: Readonly<Record<string, ConstraintKind>> = {
  '23505': 'unique',
  '23502': 'not-null',
  '23503': 'foreign-key',
  '23514': 'check',
};

/** PostgreSQL quotes an identifier in `detail` when it needs quoting. */
function unquotePostgres(name: string): string {
  return /^".*"$/s.test(name) ? name.slice(1, -1).replaceAll('""', '"') : name;
}

/**
 * pg's error carries `constraint`, `column` (not-null) and `detail`: `Key (a, b)=(1, x) already exists.`,
 * `Key (user_id)=(9) is not present in table "users".`, `Key (id)=(1) is still referenced from table "x".`
 */
function parsePostgres(error: DriverError): ConstraintViolation | null {
  let kind = POSTGRES_KINDS[String(error.code)];
  if (kind === undefined) return null;
  const constraint = text(error.constraint);
  if (kind === 'not-null') {
    const column = text(error.column) ?? /column "((?:[^"]|"")+)"/.exec(text(error.message) ?? '')?.[1];
    return violation(kind, constraint, column === undefined ? [] : [column.replaceAll('""', '"')]);
  }
  const key = /^Key \((.*)\)=\((.*)\) (already exists|is not present|is still referenced)/s.exec(
    text(error.detail) ?? '',
  );
  if (key === null) return violation(kind, constraint);
  if (key[3] === 'is still referenced') kind = 'referenced';
  const columns = (key[1] ?? '').split(', ').map(unquotePostgres);
  return violation(kind, constraint, columns, key[2] ?? null);
}

/** Names between backticks, in order (a doubled backtick is one). */
function backticked(list: string): string[] {
  return [...list.matchAll(/`((?:[^`]|``)*)`/g)].map((match) => (match[1] ?? '').replaceAll('``', '`'));
}

/**
 * mysql2's error carries `errno` and the server's message. A unique violation names the index (MySQL 8 as
 * `table.index`), which only the catalogue maps to columns. MariaDB reports a failed CHECK as errno 4025, for
 * which mysql2 gives a MySQL code name that means something else, so errno decides.
 */
function parseMysql(error: DriverError): ConstraintViolation | null {
  const message = text(error.message) ?? '';
  let match: RegExpExecArray | null;
  switch (Number(error.errno)) {
    case 1062: // ER_DUP_ENTRY
      match = /^Duplicate entry '(.*)' for key '(.*)'$/s.exec(message);
      return match ? violation('unique', match[2] ?? null, [], match[1] ?? null) : violation('unique', null);
    case 1048: // ER_BAD_NULL_ERROR
      match = /^Column '(.*)' cannot be null$/s.exec(message);
      return violation('not-null', null, match?.[1] === undefined ? [] : [match[1]]);
    case 1364: // ER_NO_DEFAULT_FOR_FIELD: a NOT NULL column without a default was left out
      match = /^Field '(.*)' doesn't have a default value$/s.exec(message);
      return violation('not-null', null, match?.[1] === undefined ? [] : [match[1]]);
    case 1216: // ER_NO_REFERENCED_ROW
    case 1452: // ER_NO_REFERENCED_ROW_2
      match = /CONSTRAINT `((?:[^`]|``)*)` FOREIGN KEY \((.*?)\) REFERENCES/s.exec(message);
      return match
        ? violation('foreign-key', (match[1] ?? '').replaceAll('``', '`'), backticked(match[2] ?? ''))
        : violation('foreign-key', null);
    case 1217: // ER_ROW_IS_REFERENCED
    case 1451: // ER_ROW_IS_REFERENCED_2: this row's key is what other rows point at
      match = /CONSTRAINT `((?:[^`]|``)*)` FOREIGN KEY .*? REFERENCES `(?:[^`]|``)*` \((.*?)\)\)?$/s.exec(
        message,
      );
      return match
        ? violation('referenced', (match[1] ?? '').replaceAll('``', '`'), backticked(match[2] ?? ''))
        : violation('referenced', null);
    case 4025: // MariaDB ER_CONSTRAINT_FAILED: CONSTRAINT `name` failed for `db`.`table`
      match = /^CONSTRAINT `((?:[^`]|``)*)` failed/s.exec(message);
      return violation('check', match?.[1]?.replaceAll('``', '`') ?? null);
    case 3819: // MySQL ER_CHECK_CONSTRAINT_VIOLATED: Check constraint 'name' is violated.
      match = /^Check constraint '(.*)' is violated/s.exec(message);
      return violation('check', match?.[1] ?? null);
    default:
      return null;
  }
}

const PARSERS: Readonly<Record<DialectName, (error: DriverError) => ConstraintViolation | null>> = {
  sqlite: parseSqlite,
  postgres: parsePostgres,
  mysql: parseMysql,
};

/**
 * The constraint violation `error` (a QueryError, or the driver's own error) reports on `dialect`, or null
 * when it is some other failure.
 */
export function readConstraintViolation(dialect: DialectName, error: unknown): ConstraintViolation | null {
  const driverError = error instanceof QueryError ? error.cause : error;
  if (driverError === null || typeof driverError !== 'object') return null;
  return PARSERS[dialect](driverError);
}

const IDENTIFIER = /"((?:[^"]|"")+)"|`((?:[^`]|``)+)`|([A-Za-z_][A-Za-z0-9_$]*)/g;

/**
 * The columns a CHECK constraint is about, read from its name or its expression: MariaDB names a column's
 * own check `table.column`, PostgreSQL names it `table_column_check`, and otherwise the columns are the
 * identifiers the text mentions (SQLite's message gives an unnamed check's expression; a catalogue gives a
 * named one's definition). A name such as `score_small` mentions no column: the answer is empty.
 */
export function checkColumns(textOrName: string, table: string, columns: ReadonlySet<string>): string[] {
  if (textOrName.startsWith(`${table}.`) && columns.has(textOrName.slice(table.length + 1))) {
    return [textOrName.slice(table.length + 1)];
  }
  const named = textOrName.startsWith(`${table}_`)
    ? /^(.+)_check\d*$/s.exec(textOrName.slice(table.length + 1))
    : null;
  if (named?.[1] !== undefined && columns.has(named[1])) return [named[1]];
  const found: string[] = [];
  for (const match of textOrName.matchAll(IDENTIFIER)) {
    const name = match[1]?.replaceAll('""', '"') ?? match[2]?.replaceAll('``', '`') ?? match[3] ?? '';
    if (columns.has(name) && !found.includes(name)) found.push(name);
  }
  return found;
}

const COLUMN_MESSAGES: Readonly<Record<ConstraintKind, string>> = {
  unique: 'is not unique.',
  'not-null': 'cannot be blank.',
  'foreign-key': 'must refer to an existing row.',
  referenced: 'is still referred to by other rows.',
  check: 'is not valid',
};

const LABELS: Readonly<Record<ConstraintKind, string>> = {
  unique: 'unique',
  'not-null': 'not-null',
  'foreign-key': 'foreign key',
  referenced: 'foreign key',
  check: 'check',
};

/**
 * The messages a violation puts on the record: one per column, worded like the validators' (a unique
 * column's message may be given, e.g. the one its `validatesUniquenessOf` declares), or one under `base`
 * naming the constraint when its columns are not known.
 */
export function constraintMessages(
  kind: ConstraintKind,
  constraint: string | null,
  columns: readonly string[],
  uniqueMessage: (column: string) => string | undefined = () => undefined,
): ConstraintMessage[] {
  if (columns.length === 0) {
    const which =
      constraint === null ? `a ${LABELS[kind]} constraint` : `the ${LABELS[kind]} constraint ${constraint}`;
    const message =
      kind === 'referenced'
        ? `Other rows still refer to this one (${which}).`
        : `The database refused the record: it violates ${which}.`;
    return [{ prop: BASE, message }];
  }
  return columns.map((column) => {
    let message = COLUMN_MESSAGES[kind];
    if (kind === 'unique') message = uniqueMessage(column) ?? message;
    if (kind === 'check') message = constraint === null ? `${message}.` : `${message} (check ${constraint}).`;
    return { prop: column, message };
  });
}
