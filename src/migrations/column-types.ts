import { InvalidQueryError } from '../errors.js';
import type { Dialect } from '../dialects/dialect.js';

/** A portable column type of the schema builder. */
export type ColumnType =
  | { readonly name: 'id' }
  | { readonly name: 'integer' }
  | { readonly name: 'bigint' }
  | { readonly name: 'string'; readonly length: number }
  | { readonly name: 'text' }
  | { readonly name: 'boolean' }
  | { readonly name: 'date' }
  | { readonly name: 'datetime' }
  | { readonly name: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly name: 'float' }
  | { readonly name: 'json' }
  | { readonly name: 'binary' }
  | { readonly name: 'uuid' };

/** The type names `addColumn(name, type, …)` takes, with the arguments each needs. */
export interface ColumnTypeArguments {
  integer: [];
  bigint: [];
  string: [length?: number];
  text: [];
  boolean: [];
  date: [];
  datetime: [];
  timestamp: [];
  decimal: [precision: number, scale: number];
  float: [];
  json: [];
  binary: [];
  uuid: [];
}

/** The name of a portable column type. */
export type ColumnTypeName = keyof ColumnTypeArguments;

function checkInteger(what: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidQueryError(`${what} must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
  return value;
}

/** The ColumnType of a type name and its arguments; refuses unknown names and lengths out of range. */
export function columnType(type: string, args: readonly unknown[]): ColumnType {
  switch (type) {
    case 'string':
      // 16383 utf8mb4 characters fill MySQL's 65535-byte row limit.
      return { name: 'string', length: checkInteger('A string length', args[0] ?? 255, 1, 16383) };
    case 'decimal': {
      const precision = checkInteger('A decimal precision', args[0], 1, 65);
      return { name: 'decimal', precision, scale: checkInteger('A decimal scale', args[1], 0, precision) };
    }
    case 'timestamp':
      return { name: 'datetime' };
    case 'integer':
    case 'bigint':
    case 'text':
    case 'boolean':
    case 'date':
    case 'datetime':
    case 'float':
    case 'json':
    case 'binary':
    case 'uuid':
      return { name: type };
    default:
      throw new InvalidQueryError(
        `Unknown column type ${JSON.stringify(type)}: use integer, bigint, string, text, boolean, date, ` +
          'datetime, timestamp, decimal, float, json, binary or uuid.',
      );
  }
}

/** The SQL type of `type` on `dialect` (for `id`, with its PRIMARY KEY and auto-increment). */
export function typeSql(dialect: Dialect, type: ColumnType): string {
  switch (type.name) {
    case 'id':
      return dialect.ddl.idColumn;
    case 'string':
      return `VARCHAR(${type.length})`;
    case 'decimal':
      return `DECIMAL(${type.precision}, ${type.scale})`;
    default:
      return dialect.ddl.types[type.name];
  }
}
