import type { DialectSession } from '../driver.js';
import type { ColumnSchema, PortableKind, TableSchema } from '../table-schema.js';
import { foreignKeyFromRows, groupBy, indexFromRows, text } from '../catalogue-rows.js';
import { postgresType } from './postgres-catalogue.js';

// Ordinary and partitioned tables of the current schema; partitions are part of their parent.
const IN_SCHEMA = `JOIN pg_namespace n ON n.oid = t.relnamespace
 WHERE n.nspname = current_schema() AND t.relkind IN ('r', 'p') AND NOT t.relispartition`;

const COLUMNS = `SELECT t.relname AS table_name, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
       NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default_value,
       a.attidentity AS identity, a.attgenerated AS generated
  FROM pg_class t
  JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = t.oid AND d.adnum = a.attnum
  ${IN_SCHEMA}
 ORDER BY t.relname, a.attnum`;

// A table of another schema is named schema.table, so that it never passes for a table of this one.
const CONSTRAINTS = `SELECT t.relname AS table_name, c.conname AS name, c.contype AS type,
       a.attname AS column_name, ra.attname AS referenced_column,
       CASE WHEN rn.oid = n.oid THEN rt.relname ELSE rn.nspname || '.' || rt.relname END AS referenced_table,
       c.confdeltype AS on_delete, c.confupdtype AS on_update
  FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
  LEFT JOIN pg_class rt ON rt.oid = c.confrelid
  LEFT JOIN pg_namespace rn ON rn.oid = rt.relnamespace
  LEFT JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[k.ord]
  ${IN_SCHEMA} AND c.contype IN ('p', 'f')
 ORDER BY t.relname, c.conname, k.ord`;

// Key columns only (not INCLUDE ones); attnum 0 stands for an expression.
const INDEXES = `SELECT t.relname AS table_name, ic.relname AS name, i.indisunique AS is_unique,
       i.indpred IS NOT NULL AS partial, k.attnum AS attnum, a.attname AS column_name
  FROM pg_index i
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_class ic ON ic.oid = i.indexrelid
  CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
  LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
  ${IN_SCHEMA} AND NOT i.indisprimary AND k.ord <= i.indnkeyatts
 ORDER BY t.relname, ic.relname, k.ord`;

const NUMERIC: ReadonlySet<PortableKind> = new Set(['integer', 'bigint', 'decimal', 'float']);

/**
 * `'active'::character varying` → `'active'`: the literal without the cast PostgreSQL adds. For a column of a
 * numeric `kind`, a quoted number (PostgreSQL keeps `DEFAULT -1` as `'-1'::integer`) is unquoted: `-1`.
 */
export function postgresDefault(expression: string, kind?: PortableKind): string {
  const literal = /^('(?:[^']|'')*')::[a-z_ ."[\]()0-9]+$/i.exec(expression)?.[1];
  if (literal === undefined) return expression;
  const number = /^'(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)'$/i.exec(literal)?.[1];
  return number !== undefined && kind !== undefined && NUMERIC.has(kind) ? number : literal;
}

/** The tables of PostgreSQL's current schema, from pg_catalog, in three statements. */
export async function introspectPostgres(pool: DialectSession): Promise<TableSchema[]> {
  const [columnRows, constraintRows, indexRows] = [
    await pool.runQuery(COLUMNS),
    await pool.runQuery(CONSTRAINTS),
    await pool.runQuery(INDEXES),
  ];
  const constraints = groupBy(constraintRows, (row) => text(row.table_name));
  const indexes = groupBy(indexRows, (row) => text(row.table_name));
  return [...groupBy(columnRows, (row) => text(row.table_name))].map(([table, rows]) => {
    const own = [...groupBy(constraints.get(table) ?? [], (row) => text(row.name))];
    const primary = own.find(([, parts]) => parts[0]?.type === 'p')?.[1] ?? [];
    const primaryKey = primary.map((part) => text(part.column_name));
    const columns = rows.map((row): ColumnSchema => {
      const type = text(row.type);
      const portable = postgresType(type.toLowerCase());
      const generated = row.generated !== '' && row.generated != null;
      const expression = row.default_value == null || generated ? null : text(row.default_value);
      return {
        name: text(row.name),
        type,
        ...portable,
        nullable: row.nullable === true,
        default: expression === null ? null : postgresDefault(expression, portable.kind),
        primaryKey: primaryKey.includes(text(row.name)),
        autoIncrement:
          row.identity === 'a' || row.identity === 'd' || (expression?.startsWith('nextval(') ?? false),
      };
    });
    return {
      name: table,
      columns,
      primaryKey,
      foreignKeys: own
        .filter(([, parts]) => parts[0]?.type === 'f')
        .map(([name, parts]) => foreignKeyFromRows(name, parts)),
      indexes: [...groupBy(indexes.get(table) ?? [], (row) => text(row.name))]
        .filter(([, parts]) => parts.every((part) => Number(part.attnum) !== 0))
        .map(([name, parts]) =>
          indexFromRows(name, parts, {
            unique: parts[0]?.is_unique === true,
            partial: parts[0]?.partial === true,
          }),
        ),
    };
  });
}
