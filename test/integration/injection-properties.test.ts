import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import fc from 'fast-check';
import {
  DBObject,
  ImaginaryTableError,
  InvalidQueryError,
  InvalidRelationshipError,
  QueryError,
  Registry,
  type ConnectionPool,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { statementsOf } from '../support/relationship-models.js';
import { createTable } from '../support/schema.js';

/**
 * Property-based injection test: for generated strings (any Unicode, mixed with the pieces injections are
 * made of), every API that takes a value stores and finds it as exactly that data, and every API that takes a
 * name either refuses it before sending anything or sends it as a quoted identifier the database does not
 * know. A sentinel table must survive every run.
 */

class PropItem extends DBObject {
  static override TABLENAME = 'prop_items';
  declare tag: string;
  declare body: string | null;
}
Registry.register(PropItem);

/** Runs per property and database; each run sends a handful of statements. */
const RUNS = Number(process.env.TWISTAR_PROPERTY_RUNS ?? 500);

const PIECES = [
  "'",
  '"',
  '`',
  ';',
  '--',
  '#',
  '/*',
  '*/',
  '\\',
  '?',
  '$1',
  '$$',
  '%',
  '_',
  '(',
  ')',
  ',',
  '.',
  ' OR 1=1',
  "' OR '1'='1",
  '; DROP TABLE prop_sentinel; --',
  'SELECT',
  'UNION',
  '\n',
  '\t',
  '\u2019',
  '\u02bc',
  '\uff07',
  '\u00a0',
  '\u{1f600}',
];

/** Strings made of injection pieces and arbitrary Unicode (NUL apart: see hostile-input.test.ts). */
const hostile = fc
  .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'grapheme', maxLength: 6 })), {
    maxLength: 12,
  })
  .map((parts) => parts.join('').replaceAll('\0', ''));

/** The database's "no such column / table / name" errors: what a well-quoted unknown identifier gets. */
function isUnknownName(error: unknown): boolean {
  // A read of a missing table is ImaginaryTableError, with the database's error as its cause.
  if (error instanceof ImaginaryTableError) return isUnknownName(error.cause);
  if (!(error instanceof QueryError)) return false;
  const code = error.code ?? '';
  if (['42703', '42P01', '42602', '42622', '3F000'].includes(code)) return true;
  if (
    [
      'ER_BAD_FIELD_ERROR',
      'ER_NO_SUCH_TABLE',
      'ER_TOO_LONG_IDENT',
      'ER_WRONG_COLUMN_NAME',
      'ER_WRONG_TABLE_NAME',
      'ER_BAD_DB_ERROR',
    ].includes(code)
  )
    return true;
  return (
    code === 'SQLITE_ERROR' &&
    /no such (column|table)|has no column named|unknown database/i.test(error.message)
  );
}

describeEachBackend('property-based injection', (db) => {
  const pool = (): ConnectionPool => db.pool;

  beforeEach(async () => {
    await createTable(pool(), 'prop_items', { id: 'pk', tag: 'string not null', body: 'text' });
    await createTable(pool(), 'prop_sentinel', { id: 'pk', note: 'string' });
    await pool().runOperation("INSERT INTO prop_sentinel (note) VALUES ('intact')");
  });

  async function sentinelIntact(): Promise<void> {
    const rows = await pool().runQuery('SELECT note FROM prop_sentinel');
    assert.deepEqual(
      rows.map((row) => row.note),
      ['intact'],
    );
  }

  it('stores and finds any string as data through every value API', async (t) => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(hostile, hostile, async (first, second) => {
        const tag = `t${++run}`;
        const config = Registry.getConfig();
        // save (insert, then update) and find by key
        const item = await PropItem.create({ tag, body: first });
        assert.equal((await PropItem.find(item.id as number))?.body, first);
        item.body = second;
        await item.save();
        assert.equal((await PropItem.find(item.id as number))?.body, second);
        // findBy, where, count
        const found = await PropItem.findBy({ tag, body: second });
        assert.deepEqual(
          found.map((row) => row.id),
          [item.id],
        );
        const where = await PropItem.find({ where: ['tag = ? AND body = ?', tag, second] });
        assert.equal(where.length, 1);
        assert.equal(await PropItem.count(['tag = ? AND body = ?', tag, second]), 1);
        // low-level insert, update and delete
        const other = `${tag}-low`;
        await config.insert('prop_items', { tag: other, body: first });
        assert.equal(
          await config.update('prop_items', { body: second }, ['tag = ? AND body = ?', other, first]),
          1,
        );
        assert.equal(await config.delete('prop_items', ['tag = ? AND body = ?', other, second]), 1);
      }),
      { numRuns: RUNS },
    );
    await sentinelIntact();
    t.diagnostic(`${RUNS} generated payload pairs through 9 value APIs`);
  });

  it('refuses any name before sending it, or sends it only as an identifier', async (t) => {
    await fc.assert(
      fc.asyncProperty(hostile, async (name) => {
        const config = Registry.getConfig();
        const attempts: (() => Promise<unknown>)[] = [
          () => PropItem.find({ orderBy: name }),
          () => config.select('prop_items', { group: name, select: name }),
          () => config.select('prop_items', { select: name }),
          () => config.select(name),
          () => config.insert('prop_items', { tag: 'x', [name]: 1 }),
          () => config.update(name, { tag: 'y' }, ['id = ?', 0]),
        ];
        for (const attempt of attempts) {
          let error: unknown = null;
          const sent = await statementsOf(pool(), async () => {
            await attempt().catch((failure: unknown) => (error = failure));
          });
          if (error instanceof InvalidQueryError)
            assert.deepEqual(sent, [], `refused ${JSON.stringify(name)} after sending`);
          else if (error !== null)
            assert.ok(isUnknownName(error), `${JSON.stringify(name)}: ${String(error)}`);
        }
        // A relation name is looked up, never sent.
        const sent = await statementsOf(pool(), async () => {
          await assert.rejects(PropItem.find({ include: [name] }), (error: unknown) => {
            return error instanceof InvalidRelationshipError || error instanceof InvalidQueryError;
          });
        });
        assert.deepEqual(sent, []);
      }),
      { numRuns: RUNS },
    );
    await sentinelIntact();
    t.diagnostic(`${RUNS} generated names through 7 structural APIs`);
  });
});
