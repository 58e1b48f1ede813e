export {
  CannotRefreshError,
  ClassNotRegisteredError,
  ConnectionError,
  DBObjectSaveError,
  ImaginaryTableError,
  KeyNotUniqueError,
  InvalidDialectError,
  InvalidQueryError,
  InvalidRelationshipError,
  ReadOnlyRelationError,
  PoolTimeoutError,
  QueryError,
  ReferenceNotSavedError,
  StrictLoadingError,
  TransactionError,
  TwistarError,
  ValidationError,
  CommitOutcomeUnknownError,
  ConnectionLostError,
  NodeUnavailableError,
  DeadlockError,
  SerializationError,
  StatementTimeoutError,
  isRetryable,
  InvalidValueError,
  UniqueViolationError,
  ConstraintViolationError,
  NotNullViolationError,
  ForeignKeyViolationError,
  CheckViolationError,
  UnsafeSqlError,
  ValueOutOfRangeError,
  CharacterSetError,
  ValueTooLargeError,
  UnknownColumnError,
  NotFoundError,
  MassAssignmentError,
  StaleObjectError,
  DeleteRestrictionError,
  ToJsonError,
  SoftDeleteError,
  AfterCommitError,
  AfterRollbackError,
  CastError,
} from './errors.js';
export {
  SchemaMismatchError,
  MigrationError,
  MigrationChangedError,
  MigrationFileError,
  MigrationLockError,
  MigrationLockLostError,
  UnsupportedSchemaChangeError,
  ConfigError,
  InvalidSchemaOptionError,
  SeedError,
  FactoryError,
} from './tooling-errors.js';
export {
  defineConfig,
  defineSeed,
  type Seed,
  type SeedContext,
  type TwistarConfig,
} from './define-config.js';
export {
  connect,
  type ConnectOptions,
  type DialectTarget,
  type ReplicatedTarget,
} from './connection/connect.js';
export { isUniqueViolation, registerDialect } from './dialects/dialect-registry.js';
export {
  ConnectionPool,
  type ConnectionPoolEvents,
  type InteractionOptions,
  type OperationResult,
  type PoolOptions,
  type PoolStats,
  type QueryEvent,
  type Transaction,
} from './connection/connection-pool.js';
export type {
  CatalogueQuery,
  DialectSession,
  Driver,
  DriverConfig,
  DriverConnection,
  QueryResult,
  Row,
  SessionTransaction,
} from './dialects/driver.js';
export type {
  ColumnInfo,
  ColumnKind,
  ConstraintCatalogue,
  Dialect,
  DialectDefinition,
  DialectName,
  DialectOption,
} from './dialects/dialect.js';
export type {
  ConstraintKind,
  ConstraintViolation,
  DriverError,
  ErrorKind,
} from './dialects/driver-errors.js';
export type { DdlRules, SimpleColumnType } from './dialects/ddl-rules.js';
export type { UpsertRules, UpsertTarget } from './dialects/upsert-rules.js';
export { LockLost, type HeldLock, type MigrationLock } from './dialects/migration-lock.js';
export { lazyDriver, type DriverTraits } from './dialects/dialect-kit.js';
export { narrowInteger } from './dialects/driver.js';
export { sqliteDialect } from './dialects/sqlite/sqlite-dialect.js';
export { postgresDialect } from './dialects/postgres/postgres-dialect.js';
export { mysqlDialect } from './dialects/mysql/mysql-dialect.js';
export {
  bindPostgresParameters,
  parsePostgresDate,
  parsePostgresTimestamp,
  type BoundStatement,
} from './dialects/postgres/postgres-values.js';
export { misplacedBytesError } from './dialects/postgres/postgres-errors.js';
export { InteractionBase, type Id, type SelectOptions } from './crud/interaction-base.js';
export { Registry } from './registry.js';
export { transaction, type TransactionOptions } from './transaction.js';
export type { IsolationLevel } from './dialects/isolation-level.js';
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
export type { FindByKeyOptions, FindOptions, FindResult } from './model/finders.js';
export type { UpsertManyResult, UpsertOptions, UpsertResult } from './model/upsert.js';
export type {
  ColumnNames,
  JsonInclude,
  JsonOf,
  JsonOptions,
  JsonValue,
} from './model/serialization-types.js';
export type { EachOptions } from './model/streaming.js';
export type {
  HookName,
  HookResult,
  ModelEvent,
  ModelEventArguments,
  ModelListener,
  WriteOperation,
} from './model/lifecycle.js';
export {
  custom,
  decimal,
  enumOf,
  json,
  type Cast,
  type Casts,
  type CastType,
  type CastTypes,
  type CustomCastOptions,
  type DecimalOptions,
} from './model/casts.js';
export { Errors } from './validation/errors.js';
export type { LengthRule, Validator } from './validation/validators.js';
export type { RelationDeclaration, RelationOptions } from './model/relation-declarations.js';
import './relationships/model-hooks.js';
export { BelongsTo } from './relationships/belongs-to.js';
export { HABTM, type HabtmFindOptions } from './relationships/habtm.js';
export { HasMany } from './relationships/has-many.js';
export { HasManyThrough, HasOneThrough } from './relationships/through.js';
export { HasOne } from './relationships/has-one.js';
export type { CountOptions } from './relationships/relation.js';
export {
  Migrator,
  type MigrateOptions,
  type MigrationProgress,
  type MigrationStatus,
  type MigratorOptions,
  type RollbackOptions,
} from './migrations/migrator.js';
export type { MigrationFormat } from './migrations/new-migration.js';
export { MigrationDb } from './migrations/migration-db.js';
export {
  SchemaBuilder,
  type AddIndexOptions,
  type CreateTableOptions,
  type SchemaBuilderOptions,
} from './migrations/schema-builder.js';
export { AlterTableBuilder, TableBuilder } from './migrations/table-builder.js';
export { ColumnBuilder, ColumnsBuilder } from './migrations/column-builder.js';
export type {
  ForeignKeyAction,
  ForeignOptions,
  IndexOptions,
  NameOrColumns,
  ReferencesOptions,
} from './migrations/table-definition.js';
export type { ColumnTypeArguments, ColumnTypeName } from './migrations/column-types.js';
export type { DefaultValue } from './migrations/ddl-literals.js';
export type { MysqlServer } from './dialects/mysql/mysql-server.js';
export { introspect } from './schema/introspect.js';
export { MIGRATIONS_TABLE, type IntrospectOptions } from './schema/introspect-options.js';
export type { DatabaseSchema } from './schema/database-schema.js';
export type {
  ColumnSchema,
  ForeignKeySchema,
  IndexSchema,
  PortableKind,
  PortableType,
  ReferentialAction,
  TableSchema,
} from './dialects/table-schema.js';
export { portableType } from './schema/portable-kind.js';
export { verifyModels } from './schema/verify-models.js';
export type { SchemaProblem, SchemaProblemKind } from './schema/schema-problem.js';
export type { VerifyOptions } from './schema/verify-options.js';
export { diagram, type DiagramFormat, type DiagramInput, type DiagramOptions } from './schema/diagram.js';
export { gt, gte, lt, lte, ne, between, like, oneOf, noneOf, Comparison } from './sql/operators.js';
export {
  Query,
  type AnyQuery,
  type OrderDirection,
  type RelationRefinement,
  type IncludeArgument,
} from './query/query.js';
export type { Scope, ScopeNames, ModelQuery } from './model/model-queries.js';
export type {
  ColumnName,
  ColumnValue,
  ColumnCondition,
  WhereObject,
  RelationName,
  RelatedTo,
  Selected,
  SumOf,
  AvgOf,
  ExtremeOf,
  GroupRow,
  Page,
  CursorPage,
  PaginateOptions,
  CursorPageOptions,
  QueryEachOptions,
  LockOptions,
} from './query/query-types.js';
