import { ConnectionError, InvalidDialectError, QueryError } from '../errors.js';
import type { Dialect, DialectDefinition } from './dialect.js';
import { mysqlDefinition } from './mysql/mysql-definition.js';
import { postgresDefinition } from './postgres/postgres-definition.js';
import { sqliteDefinition } from './sqlite/sqlite-definition.js';

/** Twistar's own databases, which cannot be replaced. */
const BUILT_IN: ReadonlyMap<string, DialectDefinition> = new Map([
  ['sqlite', sqliteDefinition],
  ['postgres', postgresDefinition],
  ['mysql', mysqlDefinition],
]);

const definitions = new Map<string, DialectDefinition>(BUILT_IN);

/** The members every Dialect has, by type; a definition missing one is refused when registered. */
const DIALECT_FUNCTIONS = [
  'quoteIdentifier',
  'compile',
  'limitOffset',
  'skipDuplicates',
  'insertDefaults',
  'readConverter',
  'columnsQuery',
  'parseColumns',
  'portableType',
  'introspect',
  'errorKind',
  'constraintViolation',
  'staleColumns',
  'missingTable',
  'migrationLock',
] as const satisfies readonly (keyof Dialect)[];
const DIALECT_OBJECTS = ['lexical', 'lockClauses', 'constraintCatalogue', 'ddl'] as const;
/** The members a Dialect may leave out, which must be functions when given. */
const OPTIONAL_FUNCTIONS = [
  'beginTransactionAt',
  'storedTime',
  'exactDateText',
  'unholdableText',
] as const satisfies readonly (keyof Dialect)[];

/** `definition` if it has the shape of a DialectDefinition; InvalidDialectError naming what is missing. */
export function checkDefinition(definition: unknown, what: string): DialectDefinition {
  const refuse = (reason: string): never => {
    throw new InvalidDialectError(`${what} is not a dialect definition: ${reason} (see docs/dialects.md).`);
  };
  if (definition === null || typeof definition !== 'object') return refuse(`got ${typeof definition}`);
  const given = definition as Partial<Record<keyof DialectDefinition, unknown>>;
  if (typeof given.createDriver !== 'function') refuse('createDriver(config) is missing');
  if (typeof given.parseUrl !== 'function') refuse('parseUrl(url) is missing');
  if (
    !Array.isArray(given.urlSchemes) ||
    !given.urlSchemes.every((scheme) => /^[a-z][a-z0-9+.-]*$/.test(scheme))
  )
    refuse('urlSchemes must be a list of lower-case URL schemes');
  const dialect = given.dialect as Partial<Record<keyof Dialect, unknown>> | undefined;
  if (dialect === null || typeof dialect !== 'object') return refuse('its dialect is missing');
  if (typeof dialect.name !== 'string' || dialect.name === '') refuse('dialect.name must be a string');
  if (typeof dialect.displayName !== 'string') refuse('dialect.displayName must be a string');
  for (const name of DIALECT_FUNCTIONS)
    if (typeof dialect[name] !== 'function') refuse(`dialect.${name} must be a function`);
  for (const name of OPTIONAL_FUNCTIONS)
    if (dialect[name] !== undefined && typeof dialect[name] !== 'function')
      refuse(`dialect.${name} must be a function when given`);
  for (const name of DIALECT_OBJECTS)
    if (dialect[name] === null || typeof dialect[name] !== 'object')
      refuse(`dialect.${name} must be an object`);
  const upsert = dialect.upsert as Partial<Record<string, unknown>> | undefined | null;
  if (
    upsert !== undefined &&
    (upsert === null ||
      typeof upsert !== 'object' ||
      typeof upsert.clause !== 'function' ||
      typeof upsert.uniqueKeys !== 'function' ||
      (upsert.generatedKey !== undefined && typeof upsert.generatedKey !== 'function') ||
      (upsert.inserted !== undefined && typeof upsert.inserted !== 'string'))
  )
    refuse('dialect.upsert must have clause(target) and uniqueKeys(table) when given');
  if (dialect.updateReturning !== undefined && typeof dialect.updateReturning !== 'boolean')
    refuse('dialect.updateReturning must be true or false when given');
  return definition as DialectDefinition;
}

/**
 * Adds a database to Twistar under `name`: `connect(url)` then opens its URL schemes, `connect({ dialect: name })`,
 * `new SchemaBuilder(name)` and the CLI's `--url` take it. Registering the same definition again does nothing; a
 * name or URL scheme already taken by another, and Twistar's own names, are refused with InvalidDialectError.
 */
export function registerDialect(name: string, definition: DialectDefinition): void {
  const checked = checkDefinition(definition, `registerDialect(${JSON.stringify(name)}, …)`);
  if (typeof name !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(name))
    throw new InvalidDialectError(
      `A dialect's name is lower-case letters, digits, _ and -; got ${String(name)}.`,
    );
  const existing = definitions.get(name);
  if (existing === checked) return;
  if (existing !== undefined) {
    throw new InvalidDialectError(
      BUILT_IN.has(name)
        ? `"${name}" is one of Twistar's own dialects and cannot be replaced; register yours under another name.`
        : `A dialect named "${name}" is registered already; register yours under another name.`,
    );
  }
  for (const [other, registered] of definitions) {
    const shared = checked.urlSchemes.find((scheme) => registered.urlSchemes.includes(scheme));
    if (shared !== undefined)
      throw new InvalidDialectError(`The URL scheme ${shared}: belongs to the dialect "${other}" already.`);
  }
  definitions.set(name, checked);
}

function known(): string {
  return [...definitions.keys()].map((name) => `'${name}'`).join(', ');
}

/** The definition registered under `name`; ConnectionError naming the registered ones when there is none. */
export function definitionNamed(name: string): DialectDefinition {
  const definition = typeof name === 'string' ? definitions.get(name) : undefined;
  if (definition === undefined)
    throw new ConnectionError(
      `Unknown database "${String(name)}"; use one of ${known()} (or registerDialect).`,
    );
  return definition;
}

/** The dialect of the definition registered under `name` (see definitionNamed). */
export function dialectNamed(name: string): Dialect {
  return definitionNamed(name).dialect;
}

/** The definition whose URL scheme `url` starts with; ConnectionError when none does. */
export function definitionForUrl(url: string): DialectDefinition {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  for (const definition of definitions.values())
    if (scheme !== undefined && definition.urlSchemes.includes(scheme)) return definition;
  const schemes = [...definitions.values()].flatMap((each) => each.urlSchemes.slice(0, 1));
  throw new ConnectionError(
    `Cannot tell the database from "${url}"; start the URL with ${schemes.map((each) => `${each}:`).join(', ')}.`,
  );
}

/** True when `error` is a unique-constraint violation, on any database Twistar knows (its own and registered ones). */
export function isUniqueViolation(error: unknown): boolean {
  const driverError = error instanceof QueryError ? error.cause : error;
  if (driverError === null || typeof driverError !== 'object') return false;
  for (const { dialect } of definitions.values())
    if (dialect.constraintViolation(driverError)?.kind === 'unique') return true;
  return false;
}
