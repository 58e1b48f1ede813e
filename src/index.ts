export {
  CannotRefreshError,
  ClassNotRegisteredError,
  ConnectionError,
  DBObjectSaveError,
  ImaginaryTableError,
  InvalidQueryError,
  InvalidRelationshipError,
  PoolTimeoutError,
  QueryError,
  ReferenceNotSavedError,
  StrictLoadingError,
  TransactionError,
  TwistarError,
  ValidationError,
  isUniqueViolation,
  CommitOutcomeUnknownError,
  ConnectionLostError,
  DeadlockError,
  SerializationError,
  StatementTimeoutError,
  isRetryable,
  InvalidValueError,
  UniqueViolationError,
  UnsafeSqlError,
  ValueOutOfRangeError,
  ValueTooLargeError,
} from './errors.js';
export { connect } from './connection/connect.js';
export {
  ConnectionPool,
  type ConnectionPoolEvents,
  type OperationResult,
  type PoolOptions,
  type PoolStats,
  type QueryEvent,
  type Transaction,
} from './connection/connection-pool.js';
export type { QueryResult, Row } from './connection/driver.js';
export type { ColumnInfo, ColumnKind, DialectName } from './dialects/dialect.js';
export { InteractionBase, type Id, type SelectOptions } from './crud/interaction-base.js';
export { Registry } from './registry.js';
export { transaction, type TransactionOptions } from './transaction.js';
export {
  ALL_ROWS,
  type AllRows,
  dictToWhere,
  joinMultipleWheres,
  joinWheres,
  type Joiner,
  type Where,
  type WhereInput,
} from './sql/where.js';
export { SqlFragment, sql, type ColumnList, type Direction, type OrderBy } from './sql/fragments.js';
export type { SqlValue } from './sql/values.js';
export {
  DBObject,
  type AttributeValues,
  type Attributes,
  type ModelClass,
  type ValidationOptions,
} from './model/db-object.js';
export type { FindByKeyOptions, FindOptions } from './model/finders.js';
export type { EachOptions } from './model/streaming.js';
export type { HookName, HookResult } from './model/lifecycle.js';
export { Errors } from './validation/errors.js';
export type { LengthRule, Validator } from './validation/validators.js';
export type { RelationDeclaration, RelationOptions } from './relationships/declarations.js';
export { BelongsTo } from './relationships/belongs-to.js';
export { HABTM, type HabtmFindOptions } from './relationships/habtm.js';
export { HasMany } from './relationships/has-many.js';
export { HasOne } from './relationships/has-one.js';
export type { CountOptions } from './relationships/relation.js';
