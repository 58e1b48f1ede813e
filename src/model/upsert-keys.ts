import { InvalidQueryError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import type { UpsertRules } from '../dialects/upsert-rules.js';
import type { ModelSchema } from './model-schema.js';

/*
 * An upsert's `uniqueBy` must be a unique key of the table: with none behind it, PostgreSQL and SQLite refuse the
 * statement, and MySQL, whose ON DUPLICATE KEY names no key, would insert a duplicate. Checked before anything is
 * written, against the catalogue read once per pool and table (a key found is kept; a key missing is looked for
 * again next time, so an index created meanwhile is seen).
 */

/** What an upsert needs to know of a table: its unique keys, and the column the database numbers (see UpsertRules). */
export interface UpsertTable {
  readonly keys: readonly (readonly string[])[];
  readonly generatedKey: string | undefined;
}

const tablesByPool = new WeakMap<object, Map<string, UpsertTable>>();

/** The table's unique keys that an upsert can name, each as its columns, and its generated key column. */
async function upsertTableOf(
  config: InteractionBase,
  rules: UpsertRules,
  schema: ModelSchema,
  fresh: boolean,
): Promise<UpsertTable> {
  let known = tablesByPool.get(config.pool);
  if (known === undefined) tablesByPool.set(config.pool, (known = new Map()));
  const kept = known.get(schema.table);
  if (kept !== undefined && !fresh) return kept;
  const [sql, params] = rules.uniqueKeys(schema.table);
  const rows = await config.pool.runQuery(sql, params);
  const byIndex = new Map<string, (string | null)[]>();
  for (const row of rows) {
    const name = String(row.index_name);
    const columns = byIndex.get(name) ?? [];
    columns.push(row.column_name == null ? null : String(row.column_name));
    byIndex.set(name, columns);
  }
  const keys: (readonly string[])[] = [];
  // An index on an expression cannot be named by columns.
  for (const columns of byIndex.values())
    if (columns.every((column) => column !== null)) keys.push(columns as string[]);
  // SQLite's INTEGER PRIMARY KEY is the rowid, with no index of its own.
  const primary = schema.columns.filter((column) => column.primaryKey).map((column) => column.name);
  if (primary.length > 0) keys.push(primary);
  let generatedKey: string | undefined;
  if (rules.generatedKey !== undefined) {
    const [generatedSql, generatedParams] = rules.generatedKey(schema.table);
    const [row] = await config.pool.runQuery(generatedSql, generatedParams);
    if (row !== undefined) generatedKey = String(row.column_name);
  }
  const table = { keys, generatedKey };
  known.set(schema.table, table);
  return table;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((name) => b.includes(name));

/** The table's facts; refuses a `uniqueBy` that is not exactly the columns of one of the table's unique keys. */
export async function checkUniqueBy(
  config: InteractionBase,
  rules: UpsertRules,
  schema: ModelSchema,
  uniqueBy: readonly string[],
  what: string,
): Promise<UpsertTable> {
  const kept = await upsertTableOf(config, rules, schema, false);
  if (kept.keys.some((key) => sameSet(key, uniqueBy))) return kept;
  const table = await upsertTableOf(config, rules, schema, true);
  const { keys } = table;
  if (keys.some((key) => sameSet(key, uniqueBy))) return table;
  const list = [...new Set(keys.map((key) => `(${key.join(', ')})`))].join(', ');
  throw new InvalidQueryError(
    `${what}: uniqueBy (${uniqueBy.join(', ')}) is not a unique key of "${schema.table}", so a row could not ` +
      `conflict on it (its unique keys: ${list === '' ? 'none' : list}). Name the columns of one of them, or ` +
      `add a unique index on (${uniqueBy.join(', ')}); a partial or deferrable one does not count. Nothing was written.`,
  );
}
