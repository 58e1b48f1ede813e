import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, beforeEach } from 'node:test';
import {
  UnknownColumnError,
  ALL_ROWS,
  DBObject,
  InvalidQueryError,
  InvalidRelationshipError,
  QueryError,
  Registry,
  TransactionError,
  TwistarError,
  connect,
  dictToWhere,
  joinWheres,
  sql,
  SqlFragment,
  transaction,
  type BelongsTo,
  type ConnectionPool,
  type FindOptions,
  type HABTM,
  type HasMany,
  type InteractionBase,
  type Row,
} from '../../src/index.js';
import { describeEachBackend, type DialectName, it } from '../support/backends.js';
import { statementsOf } from '../support/relationship-models.js';
import { createTable } from '../support/schema.js';

/**
 * Fault suite: hostile input never becomes SQL and never pollutes prototypes. Every case runs against the real
 * servers; "refused" means the call rejects before any statement reaches the database (the pool's 'query' event).
 */

/** Classic injection strings; each must be stored and read back as the very same data. */
const HOSTILE: readonly string[] = [
  "'; DROP TABLE hostile_sentinel; --",
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR "1"="1',
  "\\'; DROP TABLE hostile_sentinel; --",
  "\\\\'; DELETE FROM hostile_sentinel; #",
  'C:\\temp\\new\\',
  '\\x27 \\u0027 \\0',
  '\u2019; DROP TABLE hostile_sentinel; --',
  '\uFF07 OR \uFF071\uFF07=\uFF071',
  '\u02BC OR 1=1',
  '\u00A5\\\u2032 OR 1=1',
  '`; DROP TABLE hostile_sentinel; --`',
  ');DELETE FROM hostile_sentinel;--',
  '?, ?, $1, $$ $tag$, :name, @var',
  '/* comment */ -- dash # hash',
  '%_* LIKE wildcards',
  'line\nbreak\r\ttab',
  '\u{1F600} emoji',
];

/** A NUL byte inside a value. */
const NUL = "nul\u0000byte'; DROP TABLE hostile_sentinel; --";

/**
 * Per-database gaps, in one place. PostgreSQL's text types cannot hold NUL at all: the server refuses such a
 * value (22021, as a QueryError) and nothing is written; the test 'a NUL byte is data or refused, never SQL'
 * checks that.
 */
const REFUSES_NUL_IN_TEXT: ReadonlySet<DialectName> = new Set(['postgres']);

function hostileValues(dialect: DialectName): string[] {
  return REFUSES_NUL_IN_TEXT.has(dialect) ? [...HOSTILE] : [...HOSTILE, NUL];
}

/** The keys that pollute prototypes when assigned. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Scalars in disguise, and what drivers would expand or serialise: each must be refused as a parameter. */
const NOT_SCALARS: readonly (readonly [string, unknown])[] = [
  ['an object', { id: 1 }],
  ['an object with toString', { toString: () => "x' OR '1'='1" }],
  ['an object with toPostgres', { toPostgres: () => "'; DROP TABLE hostile_sentinel; --" }],
  ['an array', [1, 2]],
  ['an empty array', []],
  ['a function', () => 1],
  ['a symbol', Symbol('x')],
  ['a boxed string', Object('x') as unknown],
  ['a Map', new Map([['a', 1]])],
  ['a promise', Promise.resolve(1)],
  ['a null-prototype object', Object.create(null) as unknown],
  ['a Buffer-like object', { type: 'Buffer', data: [39, 59] }],
  ['an invalid Date', new Date(Number.NaN)],
  ['undefined', undefined],
];

class HostileNote extends DBObject {
  static override BELONGSTO = [{ name: 'owner', className: 'HostileOwner', foreignKey: 'owner_code' }];
  declare id: number;
  declare label: unknown;
  declare name: unknown;
  declare data: unknown;
  declare owner_code: string | null;
  declare owner: BelongsTo<HostileOwner>;
}

class HostileOwner extends DBObject {
  static override PRIMARY_KEY = 'code';
  static override HASMANY = [{ name: 'notes', className: 'HostileNote', foreignKey: 'owner_code' }];
  static override HABTM = [
    {
      name: 'tags',
      className: 'HostileTag',
      joinTable: 'hostile_owner_tags',
      foreignKey: 'owner_code',
      associationForeignKey: 'tag_code',
    },
  ];
  declare code: string;
  declare name: string | null;
  declare notes: HasMany<HostileNote>;
  declare tags: HABTM<HostileTag>;
}

class HostileTag extends DBObject {
  static override PRIMARY_KEY = 'code';
  declare code: string;
  declare label: string | null;
}

/** A table whose columns are named `__proto__` and `prototype`. */
class HostileProto extends DBObject {
  declare id: number;
}

/** A table with a column named `constructor`, which no model may have. */
class HostileConstructor extends DBObject {
  declare id: number;
}

class HostileBulk extends DBObject {
  static override TABLENAME = 'hostile_bulk';
  static override HASMANY = [{ name: 'children', className: 'HostileBulkChild', foreignKey: 'bulk_id' }];
  declare id: number;
  declare n: number;
  declare children: HasMany<HostileBulkChild>;
}

class HostileBulkChild extends DBObject {
  declare id: number;
  declare bulk_id: number;
}

Registry.register(
  HostileNote,
  HostileOwner,
  HostileTag,
  HostileProto,
  HostileConstructor,
  HostileBulk,
  HostileBulkChild,
);

type ErrorClass = new (...args: never[]) => Error;

/** `work` must reject with `error`, and no statement may have reached the database. */
async function refused(
  pool: ConnectionPool,
  work: () => unknown,
  error: ErrorClass | ((error: unknown) => boolean) = InvalidQueryError,
  what = '',
): Promise<void> {
  const sent = await statementsOf(pool, () =>
    assert.rejects(
      async () => {
        await work();
      },
      error,
      what,
    ),
  );
  assert.deepEqual(sent, [], `nothing was sent to the database ${what}`);
}

const CONTROL = /^(BEGIN|START TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/;

/** As `refused`, for calls that open a transaction first: only its BEGIN and ROLLBACK may reach the database. */
async function refusedInTransaction(pool: ConnectionPool, work: () => unknown, what = ''): Promise<void> {
  const sent = await statementsOf(pool, () =>
    assert.rejects(
      async () => {
        await work();
      },
      InvalidQueryError,
      what,
    ),
  );
  assert.deepEqual(
    sent.filter((text) => !CONTROL.test(text)),
    [],
    `only transaction control was sent ${what}`,
  );
}

/** Input as a server receives it: parsed JSON, where `__proto__` is an ordinary own key. */
function fromJson(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

/** No prototype anywhere gained a `polluted` property. */
function assertNotPolluted(): void {
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.hasOwn(Object.prototype, 'polluted'), false);
  assert.equal((Object as unknown as Record<string, unknown>).polluted, undefined);
}

/** `row` is a plain (or null-prototype) object holding `value` under `key` as an own property. */
function assertOwn(row: unknown, key: string, value: unknown): void {
  const proto = Object.getPrototypeOf(row) as unknown;
  assert.ok(proto === Object.prototype || proto === null, `the row keeps its prototype (${key})`);
  assert.ok(Object.hasOwn(row as object, key), `${key} is an own property`);
  assert.deepEqual(Object.getOwnPropertyDescriptor(row, key)?.value, value);
}

describeEachBackend('hostile input', (db) => {
  let config: InteractionBase;
  const values = () => hostileValues(db.name);

  async function assertSentinelIntact(): Promise<void> {
    assert.deepEqual(await config.select('hostile_sentinel', { select: 'label' }), [{ label: 'still here' }]);
  }

  before(async () => {
    config = Registry.getConfig();
    await createTable(db.pool, 'hostile_sentinel', { id: 'pk', label: 'string' });
    await createTable(db.pool, 'hostile_notes', {
      id: 'pk',
      label: 'text',
      name: 'string',
      data: 'json',
      owner_code: 'string',
    });
    await createTable(db.pool, 'hostile_owners', { code: 'string primary key', name: 'string' });
    await createTable(db.pool, 'hostile_tags', { code: 'string primary key', label: 'string' });
    await createTable(db.pool, 'hostile_owner_tags', { owner_code: 'string', tag_code: 'string' });
    await createTable(db.pool, 'hostile_protos', {
      id: 'pk',
      ['__proto__']: 'string',
      prototype: 'string',
      data: 'json',
    });
    await createTable(db.pool, 'hostile_constructors', { id: 'pk', constructor: 'string' });
    await createTable(db.pool, 'hostile_bulk', { id: 'pk', n: 'int' });
    await createTable(db.pool, 'hostile_bulk_children', { id: 'pk', bulk_id: 'int' });
    await config.insert('hostile_sentinel', { label: 'still here' });
    for (const model of [HostileNote, HostileOwner, HostileTag, HostileProto, HostileBulk, HostileBulkChild])
      await model.columns();
  });

  beforeEach(async () => {
    for (const table of [
      'hostile_notes',
      'hostile_owners',
      'hostile_tags',
      'hostile_owner_tags',
      'hostile_protos',
      'hostile_constructors',
      'hostile_bulk',
      'hostile_bulk_children',
    ])
      await config.delete(table, ALL_ROWS);
  });

  // 1. Values are always bound parameters.

  it('hostile strings round-trip as data through save, find, findBy, where, insert, insertMany, createMany, update and delete', async () => {
    for (const value of values()) {
      const note = await HostileNote.create({ label: value, name: 'saved' });
      assert.equal((await HostileNote.find(note.id))?.label, value);
      note.name = value;
      await note.save();
      await note.refresh();
      assert.equal(note.name, value);
    }
    assert.equal(
      await config.insertMany(
        'hostile_notes',
        values().map((value) => ({ label: value, name: 'many' })),
      ),
      values().length,
    );
    for (const value of values()) await config.insert('hostile_notes', { label: value, name: 'one' });
    await HostileNote.createMany(values().map((value) => ({ label: value, name: 'bulk' })));
    for (const value of values()) {
      const found = await HostileNote.find({ where: ['label = ?', value], orderBy: 'id' });
      assert.deepEqual(
        found.map((note) => [note.label, note.name]),
        [
          [value, value],
          [value, 'many'],
          [value, 'one'],
          [value, 'bulk'],
        ],
      );
      assert.equal((await HostileNote.findBy({ label: value })).length, 4);
      assert.equal((await HostileNote.findBy({ name: value }, { where: ['label = ?', value] })).length, 1);
      assert.equal(await HostileNote.count(dictToWhere({ label: value })), 4);
      assert.equal(await HostileNote.count(sql`label = ${value}`), 4);
      assert.equal(await HostileNote.exists(['name = ?', value]), true);
      assert.equal(
        await config.update('hostile_notes', { name: value }, ['label = ? AND name = ?', value, 'one']),
        1,
      );
      assert.equal(await config.count('hostile_notes', ['name = ?', value]), 2);
      assert.deepEqual(
        await config.select('hostile_notes', {
          where: ['name = ?', value],
          select: ['label', 'name'],
          orderBy: 'id',
        }),
        [
          { label: value, name: value },
          { label: value, name: value },
        ],
      );
    }
    assert.equal(await HostileNote.count(), values().length * 4);
    for (const value of values()) {
      assert.equal(await config.delete('hostile_notes', ['label = ? AND name = ?', value, 'many']), 1);
      assert.equal(await HostileNote.deleteAll(['label = ?', value]), 3);
    }
    assert.equal(await HostileNote.count(), 0);
    await assertSentinelIntact();
    assertNotPolluted();
  });

  it('hostile strings round-trip as keys through relationship setters and eager loading', async () => {
    const owners = await HostileOwner.createMany(
      values().map((value, i) => ({ code: `${i}:${value}`, name: value })),
    );
    const tags = await HostileTag.createMany(
      values().map((value, i) => ({ code: `${i}:${value}`, label: value })),
    );
    for (const [i, owner] of owners.entries()) {
      const first = await HostileNote.create({ label: 'first' });
      const second = await HostileNote.create({ label: 'second' });
      await first.owner.set(owner);
      assert.equal((await HostileNote.find(first.id))?.owner_code, owner.code);
      assert.equal((await first.owner.get())?.name, owner.name);
      await owner.notes.set([first, second]);
      await owner.tags.set([tags[i]!]);
    }
    const loaded = await HostileOwner.all({ include: ['notes', 'tags'], orderBy: 'code' });
    assert.equal(loaded.length, owners.length);
    for (const owner of loaded) {
      const notes = await owner.notes.get();
      assert.deepEqual(
        notes.map((note) => [note.label, note.owner_code]),
        [
          ['first', owner.code],
          ['second', owner.code],
        ],
      );
      assert.equal(await owner.notes.count(), 2);
      assert.deepEqual(
        (await owner.tags.get()).map((tag) => [tag.code, tag.label]),
        [[owner.code, owner.name]],
      );
      assert.equal((await HostileNote.findBy({ owner_code: owner.code })).length, 2);
    }
    const [gone] = owners;
    await gone!.delete();
    assert.equal(await config.count('hostile_owner_tags', ['owner_code = ?', gone!.code]), 0);
    assert.equal(await config.count('hostile_owner_tags'), owners.length - 1);
    await assertSentinelIntact();
    assertNotPolluted();
  });

  it('a NUL byte is data or refused, never SQL', async () => {
    if (REFUSES_NUL_IN_TEXT.has(db.name)) {
      await assert.rejects(HostileNote.create({ label: NUL }), QueryError);
      await assert.rejects(config.insert('hostile_notes', { name: NUL }), QueryError);
      assert.equal(await HostileNote.count(), 0);
    } else {
      const note = await HostileNote.create({ label: NUL, name: NUL });
      assert.deepEqual(await config.select('hostile_notes', { id: note.id, select: ['label', 'name'] }), {
        label: NUL,
        name: NUL,
      });
      assert.equal((await HostileNote.findBy({ name: NUL })).length, 1);
    }
    await assertSentinelIntact();
  });

  // 2. Structural arguments are validated before anything is sent.

  const BAD_COLUMN_LISTS: readonly unknown[] = [
    'id; DROP TABLE hostile_sentinel',
    'id -- comment',
    'id /* comment */',
    'id # comment',
    '(SELECT 1)',
    'id, (SELECT label FROM hostile_sentinel)',
    'LENGTH(label)',
    'id DESC NULLS LAST',
    'id ASC DESC',
    '1',
    'label"; DROP TABLE hostile_sentinel; --',
    'label`; DROP TABLE hostile_sentinel; --',
    "label'",
    'a.b.c',
    'id\u0000',
    '',
    ' , ',
    [],
    ['id', 'label; DROP TABLE hostile_sentinel'],
    [['id', 'DESC; DROP TABLE hostile_sentinel']],
    [['id); DROP TABLE hostile_sentinel; --', 'ASC']],
    [['id']],
    [[sql`id`, 'ASC']],
    [{ column: 'id' }],
    [null],
    { text: '1; DROP TABLE hostile_sentinel', params: [] },
    42,
  ];

  it('orderBy refuses anything but column lists (strings, lists, [column, direction]) before sending', async () => {
    const owner = await HostileOwner.create({ code: 'o', name: 'o' });
    for (const orderBy of BAD_COLUMN_LISTS) {
      const options = { orderBy } as never;
      await refused(db.pool, () => HostileNote.find(options));
      await refused(db.pool, () => HostileNote.all(options));
      await refused(db.pool, () => HostileNote.findBy({ label: 'x' }, options));
      await refused(db.pool, () => config.select('hostile_notes', options));
      await refused(db.pool, () => owner.notes.get(options));
      await refused(db.pool, () => owner.tags.get(options));
    }
    for (const orderBy of [
      'id; DROP TABLE hostile_sentinel',
      'id DESC, label',
      ['id', 'DOWN'],
      'LENGTH(label)',
    ])
      await refused(db.pool, async () => {
        for await (const _ of HostileNote.each({ orderBy } as never)) break;
      });
    // The forms it takes, and trusted SQL through the sql tag.
    await HostileNote.createMany([
      { label: 'bb', name: 'a' },
      { label: 'a', name: 'b' },
      { label: 'ccc', name: 'b' },
    ]);
    const order = async (orderBy: unknown) =>
      (await HostileNote.find({ orderBy } as Pick<FindOptions, 'orderBy'>)).map((note) => note.label);
    assert.deepEqual(await order('name DESC, label'), ['a', 'ccc', 'bb']);
    assert.deepEqual(await order(['name DESC', 'hostile_notes.label']), ['a', 'ccc', 'bb']);
    assert.deepEqual(await order([['name', 'desc'], 'label']), ['a', 'ccc', 'bb']);
    assert.deepEqual(await order(sql`LENGTH(label) DESC, label`), ['ccc', 'bb', 'a']);
  });

  it('group and select refuse anything but column lists before sending', async () => {
    for (const list of BAD_COLUMN_LISTS) {
      await refused(db.pool, () => config.select('hostile_notes', { group: list, select: 'name' } as never));
      await refused(db.pool, () => HostileNote.find({ group: list } as never));
      await refused(db.pool, () => config.select('hostile_notes', { select: list } as never));
    }
    for (const select of [
      'label AS x; DROP TABLE hostile_sentinel',
      '*; DROP TABLE hostile_sentinel',
      'COUNT(*)',
      'label AS "x"',
      'label x',
    ])
      await refused(db.pool, () => config.select('hostile_notes', { select }));
    await config.insertMany('hostile_notes', [{ name: 'a' }, { name: 'a' }, { name: 'b' }]);
    assert.deepEqual(
      await config.select('hostile_notes', {
        select: sql`name, COUNT(*) AS n`,
        group: 'name',
        orderBy: 'name',
      }),
      [
        { name: 'a', n: 2 },
        { name: 'b', n: 1 },
      ],
    );
  });

  it('limit, offset and lock refuse anything but their forms before sending', async () => {
    for (const bad of [
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      '10',
      '1; DROP TABLE hostile_sentinel',
      10n,
      {},
      [1],
    ]) {
      await refused(db.pool, () => HostileNote.find({ limit: bad } as never));
      await refused(db.pool, () => HostileNote.find({ offset: bad } as never));
      await refused(db.pool, () => config.select('hostile_notes', { limit: bad, offset: 1 } as never));
      await refused(db.pool, () => config.select('hostile_notes', { offset: bad } as never));
    }
    for (const lock of ['update; DROP TABLE hostile_sentinel', 'UPDATE', 'nowait', ''])
      await refused(db.pool, () => HostileNote.find({ lock } as never));
    for (const batchSize of [0, -1, 1.5, '10'])
      await refused(db.pool, async () => {
        for await (const _ of HostileNote.each({ batchSize } as never)) break;
      });
  });

  const BAD_NAMES: readonly string[] = [
    'hostile_notes; DROP TABLE hostile_sentinel',
    'hostile_notes"; DROP TABLE hostile_sentinel; --',
    'hostile_notes`; DROP TABLE hostile_sentinel; --',
    "hostile_notes'",
    'hostile_notes -- ',
    'hostile_notes /**/',
    '(SELECT 1)',
    'hostile\u0000notes',
    'a.b.c',
    ' hostile_notes',
    '',
  ];

  it('table and column names in the low-level interface are plain identifiers, or refused before sending', async () => {
    for (const name of BAD_NAMES) {
      await refused(db.pool, () => config.select(name));
      await refused(db.pool, () => config.select(name, { id: 1 }));
      await refused(db.pool, () => config.insert(name, { label: 'x' }));
      await refused(db.pool, () => config.insert(name, { id: 1, label: 'x' }));
      await refused(db.pool, () => config.insertMany(name, [{ label: 'x' }]));
      await refused(db.pool, () => config.update(name, { label: 'x' }, ['id = ?', 1]));
      await refused(db.pool, () => config.delete(name, ['id = ?', 1]));
      await refused(db.pool, () => config.count(name));
      await refused(db.pool, () => config.columns(name));
      await refused(db.pool, () => config.insert('hostile_notes', { [name]: 'x' }));
      await refused(db.pool, () => config.insert('hostile_notes', { label: 'x' }, name));
      await refused(db.pool, () => config.insertMany('hostile_notes', [{ label: 'x' }, { [name]: 'x' }]));
      await refused(db.pool, () => config.update('hostile_notes', { [name]: 'x' }, ['id = ?', 1]));
      await refused(db.pool, () => config.select('hostile_notes', { id: 1, primaryKey: name }));
      await refused(db.pool, () => HostileNote.findBy({ [name]: 'x' }));
      await refused(db.pool, () => dictToWhere({ [name]: 'x' }));
    }
    assert.equal(await HostileNote.count(), 0);
    await assertSentinelIntact();
  });

  it('escapeColNames doubles embedded quotes, so a quoted name stays one identifier', async () => {
    const names = ['a"b', 'a`b', "a'b", 'a""; DROP TABLE hostile_sentinel; --', 'select'];
    const escaped = config.escapeColNames(names);
    const [row] = await db.pool.runQuery(`SELECT ${escaped.map((name, i) => `${i} AS ${name}`).join(', ')}`);
    assert.deepEqual(Object.keys(row ?? {}), names);
    assert.throws(() => config.escapeColNames(['a\u0000b']), InvalidQueryError);
    assert.throws(() => config.escapeColNames(['']), InvalidQueryError);
    await assertSentinelIntact();
  });

  it('relationship names in include and loadRelations are checked before sending', async () => {
    const owner = await HostileOwner.create({ code: 'o', name: 'o' });
    const note = await HostileNote.create({ label: 'n', owner_code: 'o' });
    for (const name of [
      'notes; DROP TABLE hostile_sentinel',
      'notes.',
      '.notes',
      'notes..tags',
      'notes ',
      ...PROTO_KEYS,
      'toString',
      'save',
      'nope',
      'notes.__proto__',
      'notes.owner.constructor',
      'tags.nope',
    ]) {
      await refused(db.pool, () => HostileOwner.find({ include: [name] }), InvalidRelationshipError);
      await refused(db.pool, () => HostileOwner.find('o', { include: [name] }), InvalidRelationshipError);
      await refused(db.pool, () => HostileOwner.all({ include: ['tags', name] }), InvalidRelationshipError);
      await refused(
        db.pool,
        () => HostileNote.find({ include: ['owner', `owner.${name}`] }),
        InvalidRelationshipError,
      );
      await refused(db.pool, () => note.loadRelations('owner', name), InvalidRelationshipError);
    }
    for (const name of ['notes; DROP TABLE hostile_sentinel', ...PROTO_KEYS, 'toString'])
      await refused(db.pool, () => owner.loadRelations('tags', name), InvalidRelationshipError);
    await assertSentinelIntact();
  });

  // 3. Non-scalars are refused, and prototypes are never polluted.

  it('objects, arrays, functions, symbols and the like are refused as parameters before sending', async () => {
    const owner = await HostileOwner.create({ code: 'o', name: 'o' });
    const note = await HostileNote.create({ label: 'loaded' });
    for (const [what, value] of NOT_SCALARS) {
      const where = ['label = ?', value] as const;
      const check = (work: () => unknown) => refused(db.pool, work, InvalidQueryError, `(${what})`);
      await check(() => db.pool.runQuery('SELECT * FROM hostile_notes WHERE label = ?', [value]));
      await check(() => db.pool.runOperation('UPDATE hostile_notes SET name = ?', [value]));
      await check(() => HostileNote.find({ where }));
      await check(() => HostileNote.find({ where: sql`label = ${value}` }));
      await check(() => HostileNote.count(where));
      await check(() => HostileNote.exists(where));
      await check(() => HostileNote.deleteAll(where));
      await check(() => HostileNote.findBy({ label: value }));
      await check(() => owner.notes.get({ where }));
      await check(() => owner.notes.count({ where }));
      await check(() => config.select('hostile_notes', { where }));
      await check(() => config.update('hostile_notes', { name: 'x' }, where));
      await check(() => config.delete('hostile_notes', where));
      // As a value to write, undefined means "not given" (the column keeps its default); anything else is refused.
      if (value === undefined) continue;
      await check(() => config.insert('hostile_notes', { label: 'x', name: value }));
      await check(() => config.insertMany('hostile_notes', [{ label: 'x' }, { name: value }]));
      await check(() => config.update('hostile_notes', { name: value }, ['id = ?', note.id]));
      await check(() => HostileNote.create({ label: value }));
      await refusedInTransaction(
        db.pool,
        () => HostileNote.createMany([{ label: 'fine' }, { label: value }]),
        `(${what})`,
      );
      note.label = value;
      await check(() => note.save());
      note.label = 'loaded';
    }
    assert.equal(await HostileNote.count(), 1);
    assert.deepEqual(await config.select('hostile_notes', { id: note.id, select: 'label' }), {
      label: 'loaded',
    });
    await assertSentinelIntact();
  });

  it('a JSON column takes objects on save (by its column type) and reads them back without pollution', async () => {
    const data = JSON.parse(
      `{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 2}}, "text": ${JSON.stringify(HOSTILE[0])}, "list": [1, {"b": null}]}`,
    ) as Record<string, unknown>;
    const note = await HostileNote.create({ label: 'json', data });
    const found = await HostileNote.find(note.id);
    const read = found?.data as Record<string, unknown>;
    assert.deepEqual(JSON.parse(JSON.stringify(read)), JSON.parse(JSON.stringify(data)));
    assertOwn(read, '__proto__', { polluted: 1 });
    assertOwn(read, 'constructor', { prototype: { polluted: 2 } });
    assertNotPolluted();
    // The same object in a text column is not JSON to it: refused.
    await refused(db.pool, () => HostileNote.create({ label: data }));
    (read.list as unknown[]).push('more');
    await found!.save();
    await found!.refresh();
    assert.deepEqual((found!.data as { list: unknown[] }).list, [1, { b: null }, 'more']);
    assertNotPolluted();
  });

  it('__proto__, constructor and prototype keys in input never pollute prototypes', async () => {
    const input = () =>
      JSON.parse('{"__proto__": {"polluted": 1}, "prototype": {"polluted": 2}, "label": "from JSON"}') as {
        label: string;
      };
    const built = new HostileNote({ ...input() });
    assert.equal(Object.getPrototypeOf(built), HostileNote.prototype);
    assertOwn({ ...built }, '__proto__', { polluted: 1 });
    assert.equal((built as unknown as Record<string, unknown>).polluted, undefined);
    // Neither key is a column of hostile_notes: their values would not be saved, so each save is refused.
    const before = await HostileNote.count();
    const notColumns = (error: unknown) =>
      error instanceof UnknownColumnError && error.columns.join() === '__proto__,prototype';
    await assert.rejects(built.save(), notColumns);
    await assert.rejects(HostileNote.create(input()), notColumns);
    await assert.rejects(HostileNote.createMany([input()]), notColumns);
    assert.equal(await HostileNote.count(), before);
    assert.equal(Object.getPrototypeOf(HostileNote.build(input())), HostileNote.prototype);
    assert.equal(Object.getPrototypeOf(built), HostileNote.prototype);
    assert.throws(
      () => new HostileNote(fromJson('{"constructor": {"prototype": {"polluted": 1}}}')),
      TwistarError,
    );
    assertNotPolluted();

    // A __proto__ key keeps its condition: a column the table lacks is the database's error, never "every row".
    await assert.rejects(
      HostileNote.findBy(fromJson('{"__proto__": "x", "label": "from JSON"}')),
      QueryError,
    );
    await assert.rejects(
      config.update('hostile_notes', fromJson('{"__proto__": "x"}'), ALL_ROWS),
      QueryError,
    );
    await refused(db.pool, () => HostileNote.findBy(fromJson('{"__proto__": {"polluted": 1}}')));
    assertNotPolluted();

    // On a table that has such columns, they are ordinary columns.
    const id = await config.insert('hostile_protos', fromJson('{"__proto__": "p1", "prototype": "q1"}'));
    await config.insertMany('hostile_protos', [fromJson('{"__proto__": "p2", "prototype": "q2"}')]);
    assert.equal(await config.update('hostile_protos', fromJson('{"__proto__": "p3"}'), ['id = ?', id]), 1);
    assert.equal(await config.count('hostile_protos', dictToWhere(fromJson('{"__proto__": "p3"}'))), 1);
    const found = await HostileProto.findBy(fromJson('{"__proto__": "p2"}'));
    assert.equal(found.length, 1);
    assertOwn({ ...found[0] }, 'prototype', 'q2');
    const proto = new HostileProto(fromJson('{"__proto__": "p4", "prototype": "q4"}'));
    await proto.save();
    assertOwn(
      await config.select('hostile_protos', { id: proto.id ?? 0, select: ['__proto__', 'prototype'] }),
      '__proto__',
      'p4',
    );
    assertNotPolluted();
  });

  it('result columns named __proto__, constructor and prototype are own properties of plain rows (runQuery, select)', async () => {
    const q = (name: string) => db.pool.dialect.quoteIdentifier(name);
    const json = {
      sqlite: `json('{"polluted": 1}')`,
      postgres: `'{"polluted": 1}'::jsonb`,
      mysql: `JSON_OBJECT('polluted', 1)`,
    }[db.name];
    const blob = { sqlite: `x'2701'`, postgres: `'\\x2701'::bytea`, mysql: `x'2701'` }[db.name];
    for (const key of PROTO_KEYS) {
      // Without parameters mysql2 reads the text protocol, with them the binary one.
      for (const [text, params] of [
        ["'seven'", []],
        ['?', ['seven']],
      ] as const) {
        const [row] = await db.pool.runQuery(`SELECT ${text} AS ${q(key)}, 2 AS ${q('other')}`, params);
        assertOwn(row, key, 'seven');
        assertOwn(row, 'other', 2);
      }
      const [object] = await db.pool.runQuery(`SELECT ${json} AS ${q(key)}`);
      const value = (object as Row)[key];
      assertOwn(object, key, value);
      assert.deepEqual(typeof value === 'string' ? JSON.parse(value) : value, { polluted: 1 });
      const [buffer] = await db.pool.runQuery(`SELECT ${blob} AS ${q(key)}`);
      assertOwn(buffer, key, Buffer.from([0x27, 0x01]));
      assertNotPolluted();
    }
    await config.insert(
      'hostile_protos',
      fromJson('{"__proto__": "p1", "prototype": "q1", "data": "{\\"polluted\\": 1}"}'),
    );
    await config.insert('hostile_constructors', { constructor: 'c1' });
    for (const row of [
      ...(await config.select('hostile_protos')),
      ...(await config.select('hostile_protos', { select: ['hostile_protos.*'] })),
      await config.select('hostile_protos', { limit: 1 }),
      await config.select('hostile_protos', { limit: 1, select: ['__proto__', 'prototype AS constructor'] }),
      ...(await db.pool.runQuery(`SELECT * FROM ${q('hostile_protos')} WHERE ${q('__proto__')} = ?`, ['p1'])),
    ]) {
      assertOwn(row, '__proto__', 'p1');
    }
    const [row] = await config.select('hostile_constructors');
    assertOwn(row, 'constructor', 'c1');
    assertNotPolluted();
  });

  it('model hydration keeps __proto__ and prototype columns as own values, and refuses a constructor column', async () => {
    await config.insertMany('hostile_protos', [
      JSON.parse(
        '{"__proto__": "p1", "prototype": "q1", "data": "{\\"__proto__\\": {\\"polluted\\": 1}}"}',
      ) as object,
      fromJson('{"__proto__": "p2", "prototype": "q2"}'),
    ]);
    const all = await HostileProto.all({ orderBy: 'id' });
    const [first] = all;
    assert.equal(Object.getPrototypeOf(first), HostileProto.prototype);
    assert.equal(typeof first!.save, 'function');
    const values = first as unknown as Record<string, unknown>;
    assert.equal(Object.getOwnPropertyDescriptor(first, '__proto__')?.value, 'p1');
    assert.equal(values.prototype, 'q1');
    assertOwn(values.data, '__proto__', { polluted: 1 });
    assert.deepEqual(JSON.parse(JSON.stringify(first)), {
      id: first!.id,
      ['__proto__']: 'p1',
      prototype: 'q1',
      data: JSON.parse('{"__proto__": {"polluted": 1}}') as unknown,
    });
    assertOwn(first!.toHash(), '__proto__', 'p1');
    // Dirty tracking and UPDATE see the column like any other.
    Object.defineProperty(first, '__proto__', {
      value: 'p9',
      enumerable: true,
      writable: true,
      configurable: true,
    });
    await first!.save();
    assert.equal(
      Object.getOwnPropertyDescriptor(await HostileProto.find(first!.id), '__proto__')?.value,
      'p9',
    );
    // Finds merged into one statement hand each caller its own copy of the row.
    const [a, b, c] = await Promise.all([
      HostileProto.find(first!.id),
      HostileProto.find(first!.id),
      HostileProto.find(all[1]!.id),
    ]);
    for (const [obj, value] of [
      [a, 'p9'],
      [b, 'p9'],
      [c, 'p2'],
    ] as const) {
      assert.equal(Object.getPrototypeOf(obj), HostileProto.prototype);
      assert.equal(Object.getOwnPropertyDescriptor(obj, '__proto__')?.value, value);
    }
    await config.insert('hostile_constructors', { constructor: 'c1' });
    await assert.rejects(HostileConstructor.find({}), TwistarError);
    assertNotPolluted();
  });

  // 4. No statement carries more parameters than the database can bind.

  it('a statement with more parameters than the database binds is refused before sending; ORM statements chunk', async () => {
    const count = 70_000;
    const ids = Array.from({ length: count }, (_, i) => i + 1);
    const marks = ids.map(() => '?').join(', ');
    await refused(db.pool, () => db.pool.runQuery(`SELECT id FROM hostile_bulk WHERE id IN (${marks})`, ids));
    await refused(db.pool, () =>
      db.pool.runOperation(`DELETE FROM hostile_bulk WHERE id IN (${marks})`, ids),
    );
    await refused(db.pool, () => HostileBulk.find({ where: [`id IN (${marks})`, ...ids] }));
    await refused(db.pool, () => HostileBulk.count(new SqlFragment(`id IN (${marks})`, ids)));
    await refused(db.pool, () => config.delete('hostile_bulk', [`id IN (${marks})`, ...ids]));
    await refused(db.pool, () => HostileBulk.findBy({ id: ids } as never));

    const max = db.pool.dialect.maxParameters;
    const sent: { sql: string; params: number }[] = [];
    const listener = ({ sql: text, params }: { sql: string; params: readonly unknown[] }) =>
      sent.push({ sql: text, params: params.length });
    db.pool.on('query', listener);
    try {
      assert.equal(
        await config.insertMany(
          'hostile_bulk',
          ids.map((n) => ({ n })),
        ),
        count,
      );
      await HostileBulk.createMany(ids.map((n) => ({ n: -n })));
      const all = await HostileBulk.all({ include: ['children'] });
      assert.equal(all.length, 2 * count);
      const atLimit = ids.slice(0, max);
      const [row] = await db.pool.runQuery(
        `SELECT COUNT(*) AS n FROM hostile_bulk WHERE n IN (${atLimit.map(() => '?').join(', ')})`,
        atLimit,
      );
      assert.equal(Number(row?.n), max, 'a statement with exactly the limit runs');
    } finally {
      db.pool.off('query', listener);
    }
    assert.ok(Math.max(...sent.map((statement) => statement.params)) <= max);
    const inserts = sent.filter((statement) => statement.sql.startsWith('INSERT'));
    assert.equal(inserts.length, 2 * Math.ceil(count / max), 'insertMany and createMany split their rows');
    const loads = sent.filter((statement) => /.bulk_id. IN/.test(statement.sql));
    assert.equal(loads.length, Math.ceil((2 * count) / (max - 8)), 'include splits its IN list');
    assert.equal(await HostileBulk.count(['n > ?', 0]), count);
    assert.equal(await HostileBulk.count(['n < ?', 0]), count);
  });

  // 5. Undefined or empty conditions never widen a query.

  it('findBy, find and the where helpers refuse undefined conditions instead of matching every row', async () => {
    await HostileNote.createMany([{ label: 'a' }, { label: 'b' }]);
    await refused(db.pool, () => HostileNote.findBy({ label: undefined }));
    await refused(db.pool, () => HostileNote.findBy({ label: 'a', name: undefined }));
    await refusedInTransaction(db.pool, () => HostileNote.findOrCreate({}));
    await refused(db.pool, () => HostileNote.count({ label: undefined }));
    await refused(db.pool, () => HostileNote.exists({ label: 'a', name: undefined }));
    await refused(db.pool, () => HostileNote.count({ label: 'a', name: undefined }));
    await refused(db.pool, () => HostileNote.find(undefined as never));
    for (const where of [{ label: 'a' }, { label: undefined }, {}])
      await refused(db.pool, () => HostileNote.find({ where } as never));
    await refused(db.pool, () => HostileNote.find({ where: ['label = ?'] }));
    await refused(db.pool, () => HostileNote.find({ where: ['', 'a'] }));
    await refused(db.pool, () => config.select('hostile_notes', { id: undefined }));
    assert.throws(() => dictToWhere({ label: undefined }), InvalidQueryError);
    // Reads: no condition means every row, as documented; so does findBy({}), as in Twistar.
    for (const where of [undefined, null, [], '', [''], joinWheres(null, [])] as const)
      assert.equal((await HostileNote.find({ where })).length, 2);
    assert.equal((await HostileNote.findBy({})).length, 2);
    // Column values work as a condition of count and exists too.
    assert.equal(await HostileNote.count({ label: 'a' }), 1);
    assert.equal(await HostileNote.count({}), 2);
    assert.equal(await HostileNote.exists({ label: 'b' }), true);
    assert.equal(await HostileNote.exists({ label: 'c' }), false);
  });

  it('unknown option keys are refused, naming the key and the allowed ones, before anything is sent', async () => {
    await HostileNote.createMany([{ label: 'a' }, { label: 'b' }]);
    const named = (key: string) => (error: unknown) =>
      error instanceof InvalidQueryError && error.message.includes(`"${key}"`) && /where/.test(error.message);
    await refused(db.pool, () => HostileNote.find({ wher: ['label = ?', 'a'] } as never), named('wher'));
    await refused(db.pool, () => HostileNote.find({ label: 'a' } as never), named('label'));
    await refused(db.pool, () => HostileNote.find({ limit: 1, lmit: 2 } as never), named('lmit'));
    await refused(db.pool, () => HostileNote.findBy({ label: 'a' }, { wher: 'x' } as never), named('wher'));
    await refused(db.pool, () => HostileNote.all({ ordrBy: 'id' } as never), named('ordrBy'));
    await refused(db.pool, () => HostileNote.find(1, { includes: ['owner'] } as never), InvalidQueryError);
    await refused(db.pool, () => config.select('hostile_notes', { selct: 'label' } as never), named('selct'));
    await refused(
      db.pool,
      async () => {
        for await (const note of HostileNote.each({ batchsize: 1 } as never)) void note;
      },
      InvalidQueryError,
    );
    await assert.rejects(
      transaction(() => 1, { retry: 3 } as never),
      TransactionError,
    );
  });

  it('options, attribute objects and values are read from own properties only', async () => {
    await HostileNote.createMany([{ label: 'a' }, { label: 'b' }, { label: 'c' }]);
    const polluted = ['where', 'limit', 'select', 'include', 'orderBy', 'id', 'label', 'name'] as const;
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.where = ['1 = 0'];
      proto.limit = 1;
      proto.select = 'id';
      proto.include = ['owner'];
      proto.orderBy = 'nonexistent_column';
      proto.id = 2;
      proto.label = 'polluted';
      proto.name = 'polluted';
      assert.equal((await HostileNote.find({})).length, 3);
      assert.equal((await HostileNote.all()).length, 3);
      assert.equal((await HostileNote.findBy({ label: 'a' })).length, 1);
      assert.equal((await config.select('hostile_notes', {})).length, 3);
      assert.equal(await HostileNote.count(), 3);
      const fresh = await HostileNote.create({});
      const saved = await config.select('hostile_notes', { id: fresh.id, select: ['label', 'name'] });
      assert.deepEqual({ ...saved }, { label: null, name: null });
      const note = (await HostileNote.findBy({ label: 'b' }, { limit: 1 }))!;
      note.name = 'changed';
      await note.save();
      assert.deepEqual(
        { ...(await config.select('hostile_notes', { id: note.id, select: ['label', 'name'] })) },
        { label: 'b', name: 'changed' },
      );
      assert.equal((await HostileNote.find(note.id))?.label, 'b');
      // The low-level interface: the generated key, and a column a row leaves out.
      const id = await config.insert('hostile_notes', { label: 'low' });
      assert.notEqual(id, 2);
      assert.deepEqual(
        { ...(await config.select('hostile_notes', { id: id!, select: ['label'] })) },
        { label: 'low' },
      );
      await config.insertMany('hostile_notes', [{ label: 'm1' }, { label: 'm2', name: 'given' }]);
      assert.deepEqual(
        (await db.pool.runQuery("SELECT name FROM hostile_notes WHERE label = 'm1'")).map((row) => row.name),
        [null],
      );
      // Pool options.
      (proto as Record<string, unknown>).statementTimeoutMs = 1;
      (proto as Record<string, unknown>).max = 0;
      const other = connect('sqlite::memory:');
      assert.deepEqual(await other.runQuery('SELECT 1 AS one'), [{ one: 1 }]);
      await other.close();
    } finally {
      Reflect.deleteProperty(proto, 'statementTimeoutMs');
      Reflect.deleteProperty(proto, 'max');
      for (const key of polluted) Reflect.deleteProperty(proto, key);
    }
  });

  it('update and delete refuse a missing or empty where unless given ALL_ROWS; deleteAll() alone deletes every row', async () => {
    await HostileNote.createMany([{ label: 'a' }, { label: 'b' }]);
    const empty = [
      undefined,
      null,
      [],
      '',
      '  ',
      [''],
      sql``,
      joinWheres(null, []),
      dictToWhere({}),
    ] as const;
    for (const where of empty) {
      await refused(db.pool, () => config.delete('hostile_notes', where));
      await refused(db.pool, () => config.update('hostile_notes', { name: 'x' }, where));
      await refused(db.pool, () => HostileNote.deleteAll(where));
    }
    // As a JavaScript caller would, without the argument TypeScript requires.
    const untyped = config as unknown as {
      delete(table: string): Promise<number>;
      update(table: string, values: object): Promise<number>;
    };
    await refused(db.pool, () => untyped.delete('hostile_notes'));
    await refused(db.pool, () => untyped.update('hostile_notes', { name: 'x' }));
    await assert.rejects(config.delete('hostile_notes', undefined), {
      message: /delete\(hostile_notes\) was given no condition .*ALL_ROWS/,
    });
    await assert.rejects(HostileNote.deleteAll(undefined), { message: /deleteAll\(\) with no argument/ });
    assert.equal(await HostileNote.count(), 2);
    assert.equal(await config.update('hostile_notes', { name: 'all' }, ALL_ROWS), 2);
    assert.equal(await HostileNote.count(['name = ?', 'all']), 2);
    assert.equal(await config.delete('hostile_notes', ALL_ROWS), 2);
    await HostileNote.createMany([{ label: 'a' }, { label: 'b' }]);
    assert.equal(await HostileNote.deleteAll(), 2);
    await assertSentinelIntact();
  });
});

it('SQLite worker threads hand back __proto__ columns as own properties of plain rows', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'twistar-hostile-'));
  const pool = connect(`sqlite:${join(dir, 'app.db')}`, { workers: 1 });
  try {
    const [row] = await pool.runQuery(`SELECT x'2701' AS "__proto__", ? AS "constructor"`, ['c']);
    assertOwn(row, '__proto__', Buffer.from([0x27, 0x01]));
    assertOwn(row, 'constructor', 'c');
    assertNotPolluted();
  } finally {
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
