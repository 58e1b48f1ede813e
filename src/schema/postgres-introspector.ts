import type { ConnectionPool } from '../connection/connection-pool.js';
import type { Row } from '../connection/driver.js';
import type { ColumnSchema, ForeignKeySchema, IndexSchema, TableSchema } from './database-schema.js';
import { groupBy } from './group-by.js';
import { portableType, referentialAction } from './portable-kind.js';

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

const CONSTRAINTS = `SELECT t.relname AS table_name, c.conname AS name, c.contype AS type,
       a.attname AS column_name, rt.relname AS referenced_table, ra.attname AS referenced_column,
       c.confdeltype AS on_delete, c.confupdtype AS on_update
  FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
  LEFT JOIN pg_class rt ON rt.oid = c.confrelid
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

/** `'active'::character varying` → `'active'`: the literal without the cast PostgreSQL adds. */
export function postgresDefault(expression: string): string {
  const literal = /^('(?:[^']|'')*')::[a-z_ ."[\]()0-9]+$/i.exec(expression)?.[1];
  return literal ?? expression;
}

const text = (value: unknown): string => String(value);

/** The tables of PostgreSQL's current schema, from pg_catalog, in three statements. */
export async function introspectPostgres(pool: ConnectionPool): Promise<TableSchema[]> {
  const [columnRows, constraintRows, indexRows] = [
    await pool.runQuery(COLUMNS),
    await pool.runQuery(CONSTRAINTS),
    await pool.runQuery(INDEXES),
  ];
  const constraints = groupBy(constraintRows, (row) => text(row.table_name));
  const indexes = groupBy(indexRows, (row) => text(row.table_name));
  return [...groupBy(columnRows, (row) => text(row.table_name))].map(([table, rows]) => {
    const own = groupBy(constraints.get(table) ?? [], (row) => text(row.name));
    const primary = [...own.values()].find((parts) => parts[0]?.type === 'p') ?? [];
    const primaryKey = primary.map((part) => text(part.column_name));
    const columns = rows.map((row): ColumnSchema => {
      const type = text(row.type);
      const generated = row.generated !== '' && row.generated != null;
      const expression = row.default_value == null || generated ? null : text(row.default_value);
      return {
        name: text(row.name),
        type,
        ...portableType('postgres', type),
        nullable: row.nullable === true,
        default: expression === null ? null : postgresDefault(expression),
        primaryKey: primaryKey.includes(text(row.name)),
        autoIncrement:
          row.identity === 'a' || row.identity === 'd' || (expression?.startsWith('nextval(') ?? false),
      };
    });
    const foreignKeys = [...own.values()]
      .filter((parts) => parts[0]?.type === 'f')
      .map((parts): ForeignKeySchema => {
        const first = parts[0] as Row;
        return {
          name: text(first.name),
          columns: parts.map((part) => text(part.column_name)),
          referencedTable: text(first.referenced_table),
          referencedColumns: parts.map((part) => text(part.referenced_column)),
          onDelete: referentialAction(first.on_delete),
          onUpdate: referentialAction(first.on_update),
        };
      });
    const tableIndexes = [...groupBy(indexes.get(table) ?? [], (row) => text(row.name))]
      .filter(([, parts]) => parts.every((part) => Number(part.attnum) !== 0))
      .map(([name, parts]): IndexSchema => ({
        name,
        columns: parts.map((part) => text(part.column_name)),
        unique: parts[0]?.is_unique === true,
        partial: parts[0]?.partial === true,
      }));
    return {
      name: table,
      columns,
      primaryKey,
      foreignKeys,
      indexes: tableIndexes,
    };
  });
}
