import type { DialectName } from '../dialects/dialect.js';
import { dialectNamed } from '../dialects/dialect-registry.js';
import type { PortableType } from '../dialects/table-schema.js';

/** The portable kind (and size) of a type as `dialect` reports it in its catalogue. Pure. */
export function portableType(dialect: DialectName, declared: string): PortableType {
  return dialectNamed(dialect).portableType(declared);
}
