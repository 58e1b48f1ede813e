import type { DialectName } from '../dialects/dialect.js';
import type { PortableKind, PortableType, ReferentialAction } from './database-schema.js';

const sized = (kind: PortableKind, length: string | undefined): PortableType =>
  length === undefined ? { kind: 'text' } : { kind, length: Number(length) };

function decimal(precision: string | undefined, scale: string | undefined): PortableType {
  if (precision === undefined) return { kind: 'decimal' };
  return { kind: 'decimal', precision: Number(precision), scale: Number(scale ?? 0) };
}

/** PostgreSQL, from `format_type()`: `character varying(255)`, `timestamp(3) without time zone`, `integer[]`. */
function postgresType(type: string): PortableType {
  if (type.endsWith(']')) return { kind: 'other' };
  if (type === 'smallint' || type === 'integer') return { kind: 'integer' };
  if (type === 'bigint') return { kind: 'bigint' };
  const chars = /^(?:character varying|character|varchar|char)(?:\((\d+)\))?$/.exec(type);
  if (chars) return sized('string', chars[1]);
  if (type === 'text') return { kind: 'text' };
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'date') return { kind: 'date' };
  if (type.startsWith('timestamp')) return { kind: 'datetime' };
  const numeric = /^(?:numeric|decimal)(?:\((\d+)(?:,\s*(\d+))?\))?$/.exec(type);
  if (numeric) return decimal(numeric[1], numeric[2]);
  if (type === 'real' || type === 'double precision') return { kind: 'float' };
  if (type === 'json' || type === 'jsonb') return { kind: 'json' };
  if (type === 'bytea') return { kind: 'binary' };
  if (type === 'uuid') return { kind: 'uuid' };
  return { kind: 'other' };
}

/** MySQL and MariaDB, from `column_type`: `int(11)`, `int(10) unsigned`, `varchar(255)`, `decimal(10,2)`. */
function mysqlType(type: string): PortableType {
  if (type === 'tinyint(1)' || type === 'boolean') return { kind: 'boolean' };
  const int = /^(tiny|small|medium|big)?int\b(?:\(\d+\))?( unsigned)?/.exec(type);
  // An unsigned INT holds values up to 2^32 - 1, past a 32-bit integer: only a bigint holds them all.
  if (int) return { kind: int[1] === 'big' || (int[1] === undefined && int[2]) ? 'bigint' : 'integer' };
  const chars = /^(?:var)?char\((\d+)\)/.exec(type);
  if (chars) return sized('string', chars[1]);
  if (/^(?:tiny|medium|long)?text\b/.test(type)) return { kind: 'text' };
  if (type === 'date') return { kind: 'date' };
  if (type.startsWith('datetime') || type.startsWith('timestamp')) return { kind: 'datetime' };
  const numeric = /^(?:decimal|numeric)(?:\((\d+)(?:,(\d+))?\))?/.exec(type);
  if (numeric) return decimal(numeric[1], numeric[2]);
  if (/^(?:float|double|real)\b/.test(type)) return { kind: 'float' };
  if (type === 'json') return { kind: 'json' };
  if (/^(?:(?:var)?binary\(\d+\)|(?:tiny|medium|long)?blob)$/.test(type)) return { kind: 'binary' };
  if (type === 'uuid') return { kind: 'uuid' };
  return { kind: 'other' };
}

/**
 * SQLite keeps a declared type as written and gives it an affinity by substrings; the portable kind follows the
 * same spirit, with the names the other databases use recognised first.
 */
function sqliteType(declared: string): PortableType {
  const type = declared.trim().toUpperCase();
  if (type.includes('BOOL')) return { kind: 'boolean' };
  if (type.includes('DATETIME') || type.includes('TIMESTAMP')) return { kind: 'datetime' };
  if (type === 'DATE') return { kind: 'date' };
  if (type === 'UUID') return { kind: 'uuid' };
  if (type.includes('JSON')) return { kind: 'json' };
  if (type.includes('BIGINT') || type === 'INT8' || type === 'UNSIGNED BIG INT') return { kind: 'bigint' };
  if (type.includes('INT')) return { kind: 'integer' };
  const chars = /CHAR[A-Z ]*(?:\(\s*(\d+)\s*\))?/.exec(type);
  if (chars) return sized('string', chars[1]);
  if (type.includes('CLOB') || type.includes('TEXT')) return { kind: 'text' };
  if (type.includes('BLOB')) return { kind: 'binary' };
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return { kind: 'float' };
  const numeric = /^(?:DECIMAL|NUMERIC)(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?$/.exec(type);
  if (numeric) return decimal(numeric[1], numeric[2]);
  return { kind: 'other' };
}

/** The portable kind (and size) of a type as `dialect` reports it in its catalogue. Pure. */
export function portableType(dialect: DialectName, declared: string): PortableType {
  switch (dialect) {
    case 'postgres':
      return postgresType(declared.toLowerCase());
    case 'mysql':
      return mysqlType(declared.toLowerCase());
    case 'sqlite':
      return sqliteType(declared);
  }
}

const ACTIONS: Record<string, ReferentialAction> = {
  // PostgreSQL's pg_constraint codes, then the words the others use.
  a: 'no action',
  r: 'restrict',
  c: 'cascade',
  n: 'set null',
  d: 'set default',
  'no action': 'no action',
  restrict: 'restrict',
  cascade: 'cascade',
  'set null': 'set null',
  'set default': 'set default',
};

/** A foreign key's ON DELETE / ON UPDATE rule as a catalogue spells it; 'no action' when unknown. */
export function referentialAction(text: unknown): ReferentialAction {
  return ACTIONS[String(text ?? '').toLowerCase()] ?? 'no action';
}
