import assert from 'node:assert/strict';
import {
  InvalidQueryError,
  NotFoundError,
  TransactionError,
  TwistarError,
  between,
  gt,
  gte,
  like,
  lt,
  lte,
  ne,
  noneOf,
  oneOf,
  transaction,
  type QueryEvent,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  Picture,
  Tally,
  User,
  namesOf,
  people,
  refused,
  seedRelations,
  statementsOf,
  useQueryTables,
} from '../support/query-models.js';

/*
 * The typed, chainable query layer (issue 14): where and its operators, chaining, the finishing methods,
 * select, pluck, aggregates, group, toSQL and subqueries, on every backend. Pages, relations, scopes and row
 * locks have suites of their own (query-pages, query-relations, query-scopes, query-locks).
 *
 * The seeded users (test/support/query-models.ts):
 *   Ann Smith 30 10.10 · Abe Smith 17 0.10 · Bob Jones 45 0.20 · Cid Smith NULL NULL · Dee Brown 18 5.00 ·
 *   Eve Jones 30 2.50 · Fay NULL 60 1.00
 */

describeEachBackend('queries', (db) => {
  useQueryTables(db, seedRelations);

  const ids = (users: readonly { id: number }[]) => users.map((user) => user.id);

  // where and its operators
  it('where with an object: equal values, several keys joined with AND; awaiting the query gives User objects', async () => {
    const q = User.where({ last_name: 'Smith', age: 30 });
    const found = await q;
    assert.deepEqual(namesOf(found), ['Ann']);
    assert.ok(found[0] instanceof User);
    assert.deepEqual(namesOf(await User.where({ last_name: 'Smith' })), ['Abe', 'Ann', 'Cid']);
    assert.deepEqual(namesOf(await User.where({})), namesOf(Object.values(people)), '{} sets no condition');
    assert.deepEqual(namesOf(await User.query()), namesOf(Object.values(people)));
  });

  it('gt, gte, lt and lte compare; ne is SQL <>, so a NULL column matches neither ne(v) nor v', async () => {
    assert.deepEqual(namesOf(await User.where({ age: gt(30) })), ['Bob', 'Fay']);
    assert.deepEqual(namesOf(await User.where({ age: gte(30) })), ['Ann', 'Bob', 'Eve', 'Fay']);
    assert.deepEqual(namesOf(await User.where({ age: lt(18) })), ['Abe']);
    assert.deepEqual(namesOf(await User.where({ age: lte(18) })), ['Abe', 'Dee']);
    // As Rails' where.not, Prisma's not and every SQL builder: Cid (age NULL) is not "not 30".
    assert.deepEqual(namesOf(await User.where({ age: ne(30) })), ['Abe', 'Bob', 'Dee', 'Fay']);
    assert.deepEqual(namesOf(await User.where({ first_name: ne('Ann'), last_name: 'Smith' })), [
      'Abe',
      'Cid',
    ]);
    assert.deepEqual(namesOf(await User.where({ age: gt(17), last_name: lt('K') })), ['Bob', 'Dee', 'Eve']);
  });

  it('between includes both ends', async () => {
    assert.deepEqual(namesOf(await User.where({ age: between(18, 30) })), ['Ann', 'Dee', 'Eve']);
    assert.deepEqual(namesOf(await User.where({ age: between(31, 44) })), []);
    assert.deepEqual(namesOf(await User.where({ age: between(45, 45) })), ['Bob']);
  });

  it('like matches with the % and _ wildcards', async () => {
    // Capitals only, so that the databases' different case rules do not matter.
    assert.deepEqual(namesOf(await User.where({ first_name: like('A%') })), ['Abe', 'Ann']);
    assert.deepEqual(namesOf(await User.where({ first_name: like('_ve') })), ['Eve']);
    assert.deepEqual(namesOf(await User.where({ last_name: like('%on%') })), ['Bob', 'Eve']);
    assert.deepEqual(namesOf(await User.where({ first_name: like('Z%') })), []);
  });

  it('oneOf is IN and noneOf NOT IN; oneOf([]) matches nothing and noneOf([]) everything, also inside OR and AND', async () => {
    assert.deepEqual(namesOf(await User.where({ last_name: oneOf(['Jones', 'Brown']) })), [
      'Bob',
      'Dee',
      'Eve',
    ]);
    assert.deepEqual(namesOf(await User.where({ id: oneOf([people.Ann.id, people.Fay.id]) })), [
      'Ann',
      'Fay',
    ]);
    // NOT IN, like <>, does not match a NULL column (Fay has no last name).
    assert.deepEqual(namesOf(await User.where({ last_name: noneOf(['Smith']) })), ['Bob', 'Dee', 'Eve']);
    assert.deepEqual(await User.where({ id: oneOf([]) }), []);
    assert.equal(await User.where({ id: oneOf([]) }).count(), 0);
    assert.equal(await User.where({ id: oneOf([]) }).exists(), false);
    // Everything, rows with NULLs too: no value is excluded.
    assert.deepEqual(namesOf(await User.where({ last_name: noneOf([]) })), namesOf(Object.values(people)));
    assert.deepEqual(namesOf(await User.where({ id: oneOf([]) }).orWhere({ first_name: 'Ann' })), ['Ann']);
    assert.deepEqual(namesOf(await User.where({ id: noneOf([]), last_name: 'Smith' })), [
      'Abe',
      'Ann',
      'Cid',
    ]);
    assert.deepEqual(namesOf(await User.where({ id: noneOf([]) }).where({ age: gt(44) })), ['Bob', 'Fay']);
  });

  it('oneOf and noneOf with null in the list match and exclude NULL, as Rails does', async () => {
    assert.deepEqual(namesOf(await User.where({ age: oneOf([17, null]) })), ['Abe', 'Cid']);
    assert.deepEqual(namesOf(await User.where({ age: noneOf([17, null]) })), [
      'Ann',
      'Bob',
      'Dee',
      'Eve',
      'Fay',
    ]);
    assert.deepEqual(namesOf(await User.where({ age: oneOf([null]) })), ['Cid']);
  });

  it('null is IS NULL and ne(null) IS NOT NULL', async () => {
    assert.deepEqual(namesOf(await User.where({ last_name: null })), ['Fay']);
    assert.deepEqual(namesOf(await User.where({ age: null })), ['Cid']);
    assert.deepEqual(namesOf(await User.where({ age: ne(null) })), [
      'Abe',
      'Ann',
      'Bob',
      'Dee',
      'Eve',
      'Fay',
    ]);
    assert.deepEqual(namesOf(await User.where({ last_name: 'Smith', age: null })), ['Cid']);
    assert.equal(await User.where({ balance: null }).count(), 1);
  });

  it('orWhere groups what came before it: (a AND b) OR c', async () => {
    const q = User.where({ last_name: 'Smith' })
      .where({ age: gte(18) })
      .orWhere({ first_name: 'Bob' });
    assert.deepEqual(namesOf(await q), ['Ann', 'Bob']);
    const twice = User.where({ first_name: 'Ann' }).orWhere({ first_name: 'Bob' }).orWhere({ age: null });
    assert.deepEqual(namesOf(await twice), ['Ann', 'Bob', 'Cid']);
  });

  it("where after orWhere applies to the whole: (a OR b) AND c, as Rails (not SQL's flat a OR (b AND c))", async () => {
    const q = User.where({ last_name: 'Smith' })
      .orWhere({ last_name: 'Jones' })
      .where({ age: gte(30) });
    assert.deepEqual(namesOf(await q), ['Ann', 'Bob', 'Eve']);
    assert.equal(await q.count(), 3);
  });

  it('orWhere with several keys ANDs them inside its own branch', async () => {
    const q = User.where({ first_name: 'Fay' }).orWhere({ last_name: 'Jones', age: 30 });
    assert.deepEqual(namesOf(await q), ['Eve', 'Fay']);
  });

  it("Twistar's where arrays are accepted in where and orWhere, kept whole, placeholders in order", async () => {
    assert.deepEqual(namesOf(await User.where(['age > ?', 44])), ['Bob', 'Fay']);
    const mixed = User.where(['age > ?', 10])
      .where({ last_name: 'Smith' })
      .orWhere(['first_name = ?', 'Fay']);
    assert.deepEqual(namesOf(await mixed), ['Abe', 'Ann', 'Fay']);
    // The array's own OR stays inside its parentheses: not (age < 20 AND Smith) OR Jones.
    const grouped = User.where({ age: lt(20) }).where(['last_name = ? OR last_name = ?', 'Smith', 'Jones']);
    assert.deepEqual(namesOf(await grouped), ['Abe']);
    const orArray = User.where({ first_name: 'Dee' }).orWhere(['age > ? AND last_name = ?', 40, 'Jones']);
    assert.deepEqual(namesOf(await orArray), ['Bob', 'Dee']);
    assert.deepEqual(namesOf(await User.where(['last_name IS NULL'])), ['Fay']);
  });

  it('queries are immutable values: a base query reused by several branches gives independent results', async () => {
    const base = User.where({ last_name: 'Smith' });
    const adults = base.where({ age: gte(18) });
    const minors = base.where({ age: lt(18) });
    const ordered = base.orderBy('first_name', 'desc').limit(2);
    const widened = base.orWhere({ first_name: 'Fay' });
    const picked = base.select('id', 'first_name');
    assert.notEqual(adults, base);
    assert.deepEqual(namesOf(await adults), ['Ann']);
    assert.deepEqual(namesOf(await minors), ['Abe']);
    assert.deepEqual(
      (await ordered).map((user) => user.first_name),
      ['Cid', 'Ann'],
    );
    assert.deepEqual(namesOf(await widened), ['Abe', 'Ann', 'Cid', 'Fay']);
    assert.equal((await picked).length, 3);
    // The base query is as it was built, whatever was chained on it since.
    assert.deepEqual(namesOf(await base), ['Abe', 'Ann', 'Cid']);
    assert.equal(await base.count(), 3);
    const ann = (await base.where({ first_name: 'Ann' }).first())!;
    assert.equal(ann.age, 30, "the branch's select did not narrow the base");
    assert.equal(ann.balance, '10.10');
  });

  it('orderBy over several columns and directions, limit and offset', async () => {
    // NULLs sort first or last depending on the database: leave them out.
    const q = User.where({ age: ne(null) })
      .orderBy('age', 'desc')
      .orderBy('first_name');
    assert.deepEqual(
      (await q).map((user) => user.first_name),
      ['Fay', 'Bob', 'Ann', 'Eve', 'Dee', 'Abe'],
    );
    assert.deepEqual(
      (await q.limit(2).offset(2)).map((user) => user.first_name),
      ['Ann', 'Eve'],
    );
    assert.deepEqual(
      (await q.offset(5)).map((user) => user.first_name),
      ['Abe'],
    );
    assert.deepEqual(
      (await User.query().orderBy('first_name', 'asc').limit(3)).map((user) => user.first_name),
      ['Abe', 'Ann', 'Bob'],
    );
  });

  // running a query: all, first, count, select, pluck
  it('all, first, firstOrFail (NotFoundError), count and exists', async () => {
    const jones = User.where({ last_name: 'Jones' });
    assert.deepEqual(namesOf(await jones.all()), ['Bob', 'Eve']);
    assert.equal((await jones.orderBy('age', 'desc').first())?.first_name, 'Bob');
    assert.equal((await jones.orderBy('age').firstOrFail()).first_name, 'Eve');
    assert.equal(await jones.count(), 2);
    assert.equal(await jones.exists(), true);
    const nobody = User.where({ age: gt(1000) });
    assert.equal(await nobody.first(), null);
    await assert.rejects(nobody.firstOrFail(), NotFoundError);
    await assert.rejects(nobody.firstOrFail(), TwistarError);
    assert.equal(await nobody.count(), 0);
    assert.equal(await nobody.exists(), false);
    assert.equal(await User.query().count(), 7);
  });

  it('first() without orderBy gives the row with the lowest key (as Rails), even after that row was updated', async () => {
    // An UPDATE moves a PostgreSQL row to the end of its table: without an ORDER BY it would come last.
    const ann = people.Ann;
    ann.age = 31;
    await ann.save();
    assert.equal((await User.query().first())?.first_name, 'Ann');
    assert.equal((await User.where({ last_name: 'Smith' }).first())?.first_name, 'Ann');
    assert.equal((await User.where({ last_name: 'Smith' }).firstOrFail()).first_name, 'Ann');
  });

  it('select reads only the given columns: others read undefined, and saving such a record writes only what changed', async () => {
    const rows = await User.query().select('id', 'first_name').orderBy('id');
    assert.deepEqual(
      rows.map((row) => row.first_name),
      ['Ann', 'Abe', 'Bob', 'Cid', 'Dee', 'Eve', 'Fay'],
    );
    const first = rows[0]!;
    assert.ok(first instanceof User, 'a selected record is still a User');
    const read = first as unknown as Partial<User>;
    assert.equal(read.last_name, undefined);
    assert.equal(read.age, undefined);
    assert.equal(read.balance, undefined);

    const ann = (await User.where({ id: people.Ann.id })
      .select('id', 'first_name')
      .first())! as unknown as User;
    ann.first_name = 'Anne';
    await ann.save();
    const stored = (await User.find(people.Ann.id))!;
    assert.deepEqual(
      { first: stored.first_name, last: stored.last_name, age: stored.age, balance: stored.balance },
      { first: 'Anne', last: 'Smith', age: 30, balance: '10.10' },
      'the columns it did not read are left as they were',
    );
  });

  it("pluck gives one column's values, in the query's order, as the model reads them", async () => {
    assert.deepEqual(await User.where({ last_name: 'Smith' }).orderBy('first_name').pluck('first_name'), [
      'Abe',
      'Ann',
      'Cid',
    ]);
    assert.deepEqual(await User.query().orderBy('id').pluck('age'), [30, 17, 45, null, 18, 30, 60]);
    assert.deepEqual(await User.query().orderBy('id').pluck('balance'), [
      '10.10',
      '0.10',
      '0.20',
      null,
      '5.00',
      '2.50',
      '1.00',
    ]);
    assert.deepEqual(await User.query().orderBy('id').pluck('id'), ids(Object.values(people)));
    assert.deepEqual(await User.where({ age: gt(1000) }).pluck('first_name'), []);
  });

  // aggregates and group
  it('sum, avg, min and max of integer columns are numbers, on the model and on a query', async () => {
    const sum = await User.sum('age');
    assert.equal(sum, 30 + 17 + 45 + 18 + 30 + 60);
    assert.equal(typeof sum, 'number');
    assert.equal(await User.where({ last_name: 'Smith' }).sum('age'), 47);
    assert.equal(await User.where({ last_name: 'Smith' }).avg('age'), 23.5);
    const avg = await User.avg('age');
    assert.equal(typeof avg, 'number');
    assert.ok(Math.abs(Number(avg) - 200 / 6) < 1e-9, `avg of the six known ages, got ${String(avg)}`);
    assert.equal(await User.min('age'), 17);
    assert.equal(await User.max('age'), 60);
    assert.equal(await User.where({ last_name: 'Jones' }).min('age'), 30);
    assert.equal(await User.where({ last_name: 'Jones' }).max('age'), 45);
    assert.equal(await User.min('first_name'), 'Abe');
    assert.equal(await User.query().max('first_name'), 'Fay');
  });

  it('sum and avg of a DECIMAL(10,2) column are strings with exact digits: 0.10 + 0.20 is 0.30', async () => {
    const two = User.where({ first_name: oneOf(['Abe', 'Bob']) });
    assert.equal(await two.sum('balance'), '0.30');
    assert.equal(await User.sum('balance'), '18.90');
    const avg = await two.avg('balance');
    // The places an average keeps differ (PostgreSQL 20, MySQL the scale + 4); its digits do not.
    assert.equal(typeof avg, 'string');
    assert.match(String(avg), /^0\.150*$/);
    assert.equal(await User.min('balance'), '0.10');
    assert.equal(await User.max('balance'), '10.10');
  });

  it('sums of a BIGINT column are exact: a number where it fits, a bigint past 2^53', async () => {
    await Tally.createMany([{ n: 1 }, { n: 2 }]);
    assert.equal(await Tally.sum('n'), 3);
    await Tally.createMany([{ n: 2n ** 53n }, { n: 2n ** 53n + 2n }]);
    assert.equal(await Tally.where({ n: gt(2) }).sum('n'), 2n ** 54n + 2n, 'not rounded through a double');
    assert.equal(await Tally.max('n'), 2n ** 53n + 2n);
    assert.equal(await Tally.min('n'), 1);
  });

  it('aggregates of no rows: sum is 0 (as Rails and Laravel), avg, min and max are null', async () => {
    const none = User.where({ age: gt(1000) });
    assert.equal(await none.sum('age'), 0);
    const decimal = await none.sum('balance');
    assert.equal(typeof decimal, 'string');
    assert.equal(Number(decimal), 0);
    assert.equal(await none.avg('age'), null);
    assert.equal(await none.avg('balance'), null);
    assert.equal(await none.min('age'), null);
    assert.equal(await none.max('first_name'), null);
    assert.equal(await none.count(), 0);
    // An empty table answers the same.
    assert.equal(await Tally.query().count(), 0);
    assert.equal(await Tally.sum('n'), 0);
    assert.equal(await Tally.avg('n'), null);
    assert.equal(await Tally.min('n'), null);
    assert.equal(await Tally.query().max('n'), null);
  });

  it('group with having and count gives [{ last_name, count }]', async () => {
    const groups = await User.query().group('last_name').having(['COUNT(*) > ?', 1]).count();
    assert.deepEqual(
      groups
        .map((row) => ({ ...row }))
        .sort((a, b) => String(a.last_name).localeCompare(String(b.last_name))),
      [
        { last_name: 'Jones', count: 2 },
        { last_name: 'Smith', count: 3 },
      ],
    );
  });

  it('group counts every group, NULL included, after the where', async () => {
    const byName = (rows: readonly { last_name: string | null; count: number }[]) =>
      Object.fromEntries(rows.map((row) => [String(row.last_name), row.count]));
    assert.deepEqual(byName(await User.query().group('last_name').count()), {
      Brown: 1,
      Jones: 2,
      Smith: 3,
      null: 1,
    });
    assert.deepEqual(
      byName(
        await User.where({ age: gte(18) })
          .group('last_name')
          .count(),
      ),
      {
        Brown: 1,
        Jones: 2,
        Smith: 1,
        null: 1,
      },
    );
    const counts = await User.query().group('last_name').count();
    assert.ok(
      counts.every((row) => typeof row.count === 'number'),
      'counts are numbers',
    );
  });

  // toSQL and subqueries
  it('toSQL() sends nothing and gives { sql, params }: the pool runs it to the same rows, and it is what the query sends', async () => {
    const q = User.where({ age: gte(18), last_name: oneOf(['Smith', 'Jones']) }).orderBy('id');
    let statement: { sql: string; params: readonly unknown[] } | undefined;
    const sent = await statementsOf(db.pool, async () => {
      statement = q.toSQL();
    });
    assert.deepEqual(sent, []);
    assert.ok(statement !== undefined);
    assert.equal(typeof statement.sql, 'string');
    assert.ok(Array.isArray(statement.params));
    // Assumed: the text Twistar's pool takes (`?` placeholders, names quoted for the connected database).
    const rows = await db.pool.runQuery(statement.sql, [...statement.params]);
    const users = await q;
    assert.deepEqual(
      rows.map((row) => Number(row.id)),
      ids(users),
    );
    assert.deepEqual(namesOf(users), ['Ann', 'Bob', 'Eve']);
    const events: Pick<QueryEvent, 'sql' | 'params'>[] = [];
    const listener = ({ sql, params }: QueryEvent) => events.push({ sql, params });
    db.pool.on('query', listener);
    try {
      await q.all();
    } finally {
      db.pool.off('query', listener);
    }
    assert.deepEqual(events, [{ sql: statement.sql, params: statement.params }]);
  });

  it('oneOf(subquery) and noneOf(subquery): a query where a list is expected', async () => {
    const owners = Picture.query().select('user_id');
    assert.deepEqual(namesOf(await User.where({ id: oneOf(owners) })), ['Ann', 'Bob', 'Dee']);
    const big = Picture.where({ size: gt(100) }).select('user_id');
    assert.deepEqual(namesOf(await User.where({ id: oneOf(big) })), ['Ann', 'Bob']);
    assert.equal(await User.where({ id: oneOf(big) }).count(), 2);
  });

  it('noneOf(subquery) is not fooled by a NULL the subquery yields (SQL NOT IN would match nothing)', async () => {
    // The picture 'lost' has no user: its user_id is NULL.
    const owners = Picture.query().select('user_id');
    assert.deepEqual(namesOf(await User.where({ id: noneOf(owners) })), ['Abe', 'Cid', 'Eve', 'Fay']);
  });

  it("a subquery's own parameters and OR keep their places among the outer query's", async () => {
    const sub = Picture.where({ size: gt(100), name: ne('dog') }).select('user_id');
    const q = User.where({ last_name: oneOf(['Smith', 'Jones']) })
      .where({ id: oneOf(sub) })
      .where({ age: gte(18) });
    assert.deepEqual(namesOf(await q), ['Ann']);
    const tiny = Picture.where({ size: lt(20) })
      .orWhere({ size: gt(400) })
      .select('user_id');
    assert.deepEqual(namesOf(await User.where({ id: oneOf(tiny) }).where({ age: gte(18) })), ['Dee']);
    assert.deepEqual(namesOf(await User.where({ id: oneOf(tiny), first_name: ne('Dee') })), []);
    const { sql, params } = q.toSQL();
    const rows = (await db.pool.runQuery(sql, [...params])) as { first_name?: string }[];
    assert.deepEqual(namesOf(rows), ['Ann'], 'toSQL of a query with a subquery runs as it is');
  });

  it('a subquery that selects other than one column is refused before sending', async () => {
    const twoColumns = Picture.query().select('user_id', 'id');
    await refused(db.pool, () => User.where({ id: oneOf(twoColumns as never) } as never));
  });

  // when a query runs
  it('a query sends nothing until it is awaited, and runs in the transaction it is awaited in', async () => {
    const built: unknown[] = [];
    const sent = await statementsOf(db.pool, async () => {
      const base = User.where({ age: gte(18) });
      built.push(base, base.orderBy('id').limit(2), base.select('id'), base.orWhere({ last_name: null }));
      built.push(User.whereHas('pictures'), User.query().withCount('pictures').include('avatar'));
      await new Promise((resolve) => setTimeout(resolve, 20));
    });
    assert.equal(built.length, 6);
    assert.deepEqual(sent, []);

    const smiths = User.where({ last_name: 'Smith' });
    await assert.rejects(
      transaction(async () => {
        await User.create({ first_name: 'Gus', last_name: 'Smith', age: 5 });
        assert.deepEqual(namesOf(await smiths), ['Abe', 'Ann', 'Cid', 'Gus']);
        throw new Error('roll back');
      }),
      TransactionError,
    );
    assert.deepEqual(namesOf(await smiths), ['Abe', 'Ann', 'Cid']);
  });

  it('returning a query from an async function runs it', async () => {
    async function adults() {
      return User.where({ age: gte(18) }).orderBy('id');
    }
    let result: unknown;
    const sent = await statementsOf(db.pool, async () => {
      result = await adults();
    });
    assert.equal(sent.length, 1);
    assert.ok(Array.isArray(result));
    assert.deepEqual(
      (result as User[]).map((user) => user.first_name),
      ['Ann', 'Bob', 'Dee', 'Eve', 'Fay'],
    );
    assert.ok((result as User[]).every((user) => user instanceof User));
  });

  it('overlapping awaits of one query object each get the whole, same result', async () => {
    const q = User.where({ last_name: 'Smith' }).orderBy('id');
    const [a, b, c, n, first] = await Promise.all([q, q, q.all(), q.count(), q.first()]);
    const expected = [people.Ann.id, people.Abe.id, people.Cid.id];
    assert.deepEqual(ids(a), expected);
    assert.deepEqual(ids(b), expected);
    assert.deepEqual(ids(c), expected);
    assert.equal(n, 3);
    assert.equal(first?.id, people.Ann.id);
    assert.notEqual(a, b, 'each await gets its own array');
    assert.deepEqual(ids(await q), expected, 'and it can be awaited again');
  });

  it('find({ limit }) resolves as its types say: one object or null for 1, an array otherwise', async () => {
    const one = await User.find({ orderBy: 'id', limit: 1 });
    assert.ok(one instanceof User);
    const n: number = [1][0]!;
    const dynamic = await User.find({ orderBy: 'id', limit: n });
    assert.ok(dynamic instanceof User, "Twistar's limit: 1 rule, whatever the static type");
    const two = await User.find({ orderBy: 'id', limit: 2 });
    assert.ok(Array.isArray(two));
    assert.equal((two as User[]).length, 2);
    const all = await User.find({ where: undefined, orderBy: undefined, limit: undefined });
    assert.ok(Array.isArray(all));
    assert.equal((all as User[]).length, 7, 'undefined options are left out');
  });

  // hostile input
  const HOSTILE_NAMES = [
    'age; DROP TABLE query_users',
    'age -- comment',
    'age /* comment */',
    '(SELECT 1)',
    'COUNT(*)',
    'age DESC',
    'age"',
    'age`',
    "age'",
    'a.b.c',
    'age\u0000',
    '1',
    '',
    ' ',
  ];

  it('column names from input in where keys, orderBy, select, pluck, group and aggregates are refused before sending', async () => {
    for (const name of HOSTILE_NAMES) {
      const column = name as never;
      const what = JSON.stringify(name);
      await refused(db.pool, () => User.where({ [name]: 1 } as never), InvalidQueryError, `where ${what}`);
      await refused(db.pool, () => User.where({ age: 1 }).orWhere({ [name]: 1 } as never), InvalidQueryError);
      await refused(db.pool, () => User.query().orderBy(column), InvalidQueryError, `orderBy ${what}`);
      await refused(db.pool, () => User.query().select('id', column), InvalidQueryError, `select ${what}`);
      await refused(db.pool, () => User.query().pluck(column), InvalidQueryError, `pluck ${what}`);
      await refused(db.pool, () => User.query().group(column).count(), InvalidQueryError, `group ${what}`);
      await refused(db.pool, () => User.sum(column), InvalidQueryError, `sum ${what}`);
      await refused(db.pool, () => User.query().avg(column), InvalidQueryError, `avg ${what}`);
      await refused(db.pool, () => User.query().min(column), InvalidQueryError, `min ${what}`);
      await refused(db.pool, () => User.max(column), InvalidQueryError, `max ${what}`);
      await refused(
        db.pool,
        () => User.query().orderBy('age', name as never),
        InvalidQueryError,
        `direction ${what}`,
      );
    }
    assert.equal(await User.query().count(), 7);
  });

  it('a well-formed name that is not a column is refused, never dropped from the condition', async () => {
    await assert.rejects(async () => await User.where({ nickname: 'x' } as never), TwistarError);
    await assert.rejects(async () => await User.query().orderBy('nickname' as never), TwistarError);
    await assert.rejects(async () => await User.query().pluck('nickname' as never), TwistarError);
    // JSON.parse makes `__proto__` an ordinary own key: a name like any other, and no column.
    const parsed = JSON.parse('{"__proto__": {"polluted": 1}}') as never;
    await assert.rejects(async () => await User.where(parsed), TwistarError);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('undefined values in a where object or an operator are refused before sending', async () => {
    const undef = undefined as never;
    await refused(db.pool, () => User.where({ age: undef }), InvalidQueryError);
    await refused(db.pool, () => User.where({ first_name: 'Ann', age: undef }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: 1 }).orWhere({ age: undef }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: gt(undef) }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: ne(undef) }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: between(undef, 3) }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: between(1, undef) }), InvalidQueryError);
    await refused(db.pool, () => User.where({ first_name: like(undef) }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: oneOf([1, undef]) }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: noneOf([undef]) }), InvalidQueryError);
    await refused(db.pool, () => User.where({ age: oneOf(undef) } as never), InvalidQueryError);
  });

  it('a plain object or array from parsed input is a value, never an operator or a list', async () => {
    // A JSON copy of an operator (what a request body could carry) must not act as one.
    const forged = JSON.parse(JSON.stringify(gt(0))) as never;
    await refused(db.pool, () => User.where({ age: forged }));
    const forgedList = JSON.parse(JSON.stringify(oneOf([17, 30]))) as never;
    await refused(db.pool, () => User.where({ age: forgedList }));
    // A list needs oneOf(), as in findBy: `?id[]=1&id[]=2` must not widen a lookup into IN.
    await refused(db.pool, () => User.where({ id: [people.Ann.id, people.Bob.id] } as never));
    await refused(db.pool, () => User.where({ age: { gt: 0 } } as never));
    await refused(db.pool, () => User.where({ age: gt({ toString: () => '0 OR 1=1' } as never) }));
  });

  it('operator values are parameters, never SQL', async () => {
    const hostile = "x' OR '1'='1";
    for (const q of [
      User.where({ first_name: hostile }),
      User.where({ first_name: like(`%${hostile}`) }),
      User.where({ first_name: oneOf([hostile, `${hostile}--`]) }),
      User.where({ first_name: gt(hostile) }).where({ first_name: lt(`${hostile}~`) }),
      User.where({ first_name: between(hostile, `${hostile}~`) }),
    ]) {
      assert.deepEqual(await q, []);
      const { sql, params } = q.toSQL();
      assert.ok(!sql.includes("'1'='1"), `the value is not in the text: ${sql}`);
      assert.ok(JSON.stringify(params).includes('OR'), 'it is a parameter');
    }
    assert.equal((await User.where({ first_name: noneOf([hostile]) })).length, 7);
  });

  it('a where object and the options objects are read from own properties only', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.last_name = 'Brown';
      proto.after = 'garbage';
      proto.skipLocked = true;
      proto.noWait = true;
      assert.deepEqual(namesOf(await User.where({ first_name: 'Ann' })), ['Ann']);
      assert.deepEqual(namesOf(await User.where({ age: 1000 }).orWhere({ first_name: 'Bob' })), ['Bob']);
      const page = await User.query().orderBy('id').cursorPage({ limit: 2 });
      assert.deepEqual(ids(page.data), [people.Ann.id, people.Abe.id]);
      // Both lock options together would be refused: neither is read from the prototype.
      const locked = await transaction(() => User.where({ first_name: 'Ann' }).forUpdate({}).all());
      assert.deepEqual(namesOf(locked), ['Ann']);
    } finally {
      delete proto.last_name;
      delete proto.after;
      delete proto.skipLocked;
      delete proto.noWait;
    }
  });

  it('limit and offset refuse anything but non-negative integers, before sending', async () => {
    for (const bad of [
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      2 ** 53,
      '10',
      '1; DROP TABLE query_users',
      10n,
      {},
      [1],
    ]) {
      await refused(
        db.pool,
        () => User.query().limit(bad as never),
        InvalidQueryError,
        `limit ${String(bad)}`,
      );
      await refused(
        db.pool,
        () => User.query().offset(bad as never),
        InvalidQueryError,
        `offset ${String(bad)}`,
      );
    }
    assert.deepEqual(await User.query().limit(0), []);
  });
});
