import { NotFoundError, ReferenceNotSavedError } from '../errors.js';
import { checkAdjustment } from './adjustment-rules.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { setOwnProperty } from '../own-property.js';
import { quoteColumn } from '../sql/fragments.js';
import { adjustStatement, quoteTable } from '../sql/statements.js';
import { markSaved } from './attributes.js';
import { modelSchema, type ModelDefinition } from './model-schema.js';
import { STATE, type ObjectState } from './object-state.js';
import { inTurn } from './persistence.js';

/*
 * Atomic changes of a number column (`user.increment('age')`): the database adds to the value it holds, so that
 * concurrent increments all count, where a read, an addition in JavaScript and a save would lose some.
 */

type Adjustable = { [STATE]: ObjectState; id: unknown; constructor: unknown };

/**
 * `obj.increment(column, by)`: `UPDATE … SET column = column + ? WHERE key = ?`, then the object holds the value the
 * database now has (read back in the same statement, or in the same transaction), and that column is no longer
 * dirty. No validations or hooks run, and `updated_at` is left as it is, as an UPDATE of the low-level interface.
 */
export function adjustObject<T extends Adjustable>(
  obj: T,
  config: InteractionBase,
  column: string,
  by: number | bigint,
): Promise<T> {
  return inTurn(obj as never, config.pool, async () => {
    const model = obj.constructor as ModelDefinition;
    const state = obj[STATE];
    if (state.deleted)
      throw new ReferenceNotSavedError(`${model.name}.increment(): the ${model.name} was deleted.`);
    if (!state.persisted || obj.id === null || obj.id === undefined) {
      throw new ReferenceNotSavedError(`${model.name}.increment(): save the ${model.name} first.`);
    }
    const schema = await modelSchema(config, model);
    const info = checkAdjustment(schema.byName.get(column), column, model.name, by);
    const { dialect } = config.pool;
    const where = [`${quoteColumn(dialect, schema.primaryKey)} = ?`, obj.id] as const;
    const table = model.tablename();
    const read = async (): Promise<unknown[]> => {
      if (dialect.updateReturning === true) {
        const statement = adjustStatement(dialect, table, info.name, by, where, true);
        return (await config.pool.execute(statement.sql, statement.params)).rows.map((row) => row[info.name]);
      }
      return config.pool.runInteraction(async () => {
        const statement = adjustStatement(dialect, table, info.name, by, where);
        if ((await config.pool.execute(statement.sql, statement.params)).affectedRows === 0) return [];
        // The UPDATE holds the row's lock until the transaction ends: this reads the value it wrote.
        const rows = await config.pool.execute(
          `SELECT ${quoteColumn(dialect, info.name)} FROM ${quoteTable(dialect, table)} WHERE ${where[0]}`,
          [obj.id],
        );
        return rows.rows.map((row) => row[info.name]);
      });
    };
    const values = await read();
    if (values.length === 0) {
      throw new NotFoundError(
        `${model.name} ${String(obj.id)} has no row to increment (deleted meanwhile?).`,
      );
    }
    const reader = schema.readers.get(info.name);
    setOwnProperty(
      obj as unknown as Record<string, unknown>,
      info.name,
      reader === undefined ? values[0] : reader(values[0]),
    );
    markSaved(obj, [info.name]);
    return obj;
  });
}
