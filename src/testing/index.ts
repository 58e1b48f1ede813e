/**
 * Twistar's helpers for tests and seeds: `import { withRollback, defineFactory } from 'twistar/testing'`. Kept
 * apart from the main entry, which stays as lean as an application needs it.
 */
export { withRollback, type RollbackOptions } from './with-rollback.js';
export {
  defineFactory,
  type Exactly,
  type Factory,
  type FactoryValues,
  type Lazy,
  type Overrides,
} from './factory.js';
export { FactoryError } from '../tooling-errors.js';
