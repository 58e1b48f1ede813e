import assert from 'node:assert/strict';
import { Registry, TwistarError, gte, ne, type Query } from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { User, people, refused, seedUsers, statementsOf, useQueryTables } from '../support/query-models.js';

/*
 * Pages of a query (issue 14): paginate (offset pages with totals), cursorPage (keyset pages) and each (keyset
 * batches). The keyset forms order by the given columns plus the key, so that no row is skipped or repeated.
 */

const MANY = 23;
const LAST_NAMES = ['Kim', 'Lee', 'Ng'];

/** 23 users whose last names and ages repeat (so that the key must break ties), every fifth age NULL. */
async function seedMany(): Promise<void> {
  await Registry.getConfig().insertMany(
    'query_users',
    Array.from({ length: MANY }, (_, i) => ({
      first_name: `u${String(i + 1).padStart(2, '0')}`,
      last_name: LAST_NAMES[(i * 7) % 3],
      age: i % 5 === 4 ? null : 20 + ((i * 3) % 4),
    })),
  );
}

/** Every page of `query`, `limit` rows at a time, each page's cursor from the one before. */
async function walk(
  query: Query<User>,
  limit: number,
  between?: (page: number, data: readonly User[]) => Promise<void>,
): Promise<{ users: User[]; pages: number }> {
  const users: User[] = [];
  let after: string | null = null;
  let pages = 0;
  do {
    const page: { data: User[]; next: string | null } = await query.cursorPage({ after, limit });
    pages++;
    assert.ok(page.data.length <= limit);
    users.push(...page.data);
    after = page.next;
    if (after !== null) assert.equal(typeof after, 'string');
    if (between !== undefined) await between(pages, page.data);
    assert.ok(pages <= 100, 'the walk ends');
  } while (after !== null);
  return { users, pages };
}

/** The items of `iterable`, stopping after `most` + 1 of them (so that a walk that never ends fails). */
async function collect<T>(iterable: AsyncIterable<T>, most = 100): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) if (items.push(item) > most) break;
  return items;
}

/** The keys of `users` in the order a keyset walk must give. */
function sortedBy(users: readonly User[], compare: (a: User, b: User) => number): number[] {
  return [...users].sort(compare).map((user) => user.id);
}

/** Text compared as the databases compare these names (capitalised ASCII): by code unit. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byKey = (a: User, b: User) => a.id - b.id;
/** By last name (none NULL), ties by key. */
const byName = (a: User, b: User) => byText(a.last_name!, b.last_name!) || byKey(a, b);
/** Rows whose last name is set: where NULLs sort differs by database, so tests of order leave them out. */
const named = () => User.where({ last_name: ne(null) });

describeEachBackend('query pages', (db) => {
  useQueryTables(db, seedUsers);

  const ids = (users: readonly { id: number }[]) => users.map((user) => user.id);

  it('paginate gives { data, total, page, perPage, lastPage }', async () => {
    const q = User.query().orderBy('id');
    const all = ids(Object.values(people));
    const second = await q.paginate({ page: 2, perPage: 3 });
    assert.deepEqual(ids(second.data), all.slice(3, 6));
    assert.ok(second.data.every((user) => user instanceof User));
    assert.deepEqual(
      { total: second.total, page: second.page, perPage: second.perPage, lastPage: second.lastPage },
      { total: 7, page: 2, perPage: 3, lastPage: 3 },
    );
    const third = await q.paginate({ page: 3, perPage: 3 });
    assert.deepEqual(ids(third.data), all.slice(6));
    assert.equal(third.lastPage, 3);
    const whole = await q.paginate({ page: 1, perPage: 7 });
    assert.deepEqual(ids(whole.data), all);
    assert.equal(whole.lastPage, 1);
  });

  it('paginate past the last page gives no data and the totals; no rows at all is one empty page (as Laravel and Lucid)', async () => {
    const beyond = await User.query().orderBy('id').paginate({ page: 9, perPage: 3 });
    assert.deepEqual(beyond.data, []);
    assert.deepEqual([beyond.total, beyond.page, beyond.lastPage], [7, 9, 3]);
    const empty = await User.where({ age: gte(1000) }).paginate({ page: 1, perPage: 3 });
    assert.deepEqual(empty.data, []);
    assert.deepEqual([empty.total, empty.page, empty.perPage, empty.lastPage], [0, 1, 3, 1]);
  });

  it('paginate keeps the where and the order, and counts the total under the where', async () => {
    const q = User.where({ age: ne(null) })
      .orderBy('age', 'desc')
      .orderBy('first_name');
    const first = await q.paginate({ page: 1, perPage: 4 });
    assert.deepEqual(
      first.data.map((user) => user.first_name),
      ['Fay', 'Bob', 'Ann', 'Eve'],
    );
    assert.deepEqual([first.total, first.lastPage], [6, 2]);
    const second = await q.paginate({ page: 2, perPage: 4 });
    assert.deepEqual(
      second.data.map((user) => user.first_name),
      ['Dee', 'Abe'],
    );
    const smiths = await User.where({ last_name: 'Smith' }).orderBy('id').paginate({ page: 1, perPage: 2 });
    assert.deepEqual([smiths.total, smiths.lastPage, smiths.data.length], [3, 2, 2]);
  });

  it('paginate refuses a page or perPage that is not a positive integer, with a TwistarError before sending', async () => {
    const q = User.query().orderBy('id');
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2', 2n, {}]) {
      const value = bad as never;
      await refused(
        db.pool,
        () => q.paginate({ page: value, perPage: 10 }),
        TwistarError,
        `page ${String(bad)}`,
      );
      await refused(
        db.pool,
        () => q.paginate({ page: 1, perPage: value }),
        TwistarError,
        `perPage ${String(bad)}`,
      );
    }
  });

  it('cursorPage walks every row once, in order, with ties on the order column broken by the key', async () => {
    await seedMany();
    const all = await named();
    for (const limit of [1, 3, 7, 30]) {
      const { users } = await walk(named().orderBy('last_name'), limit);
      assert.deepEqual(ids(users), sortedBy(all, byName), `limit ${limit}`);
    }
    const { users: filtered } = await walk(User.where({ last_name: 'Lee' }).orderBy('last_name'), 2);
    assert.deepEqual(
      ids(filtered),
      sortedBy(
        all.filter((user) => user.last_name === 'Lee'),
        byKey,
      ),
    );
  });

  it('cursorPage walks a descending order: every row once, none out of order', async () => {
    await seedMany();
    const all = await User.where({ age: ne(null) });
    const { users } = await walk(User.where({ age: ne(null) }).orderBy('age', 'desc'), 4);
    assert.equal(users.length, all.length);
    assert.deepEqual([...ids(users)].sort(), [...ids(all)].sort(), 'no row skipped or repeated');
    for (let i = 1; i < users.length; i++) assert.ok(users[i - 1]!.age! >= users[i]!.age!, 'descending');
  });

  it('cursorPage over two columns in opposite directions', async () => {
    await seedMany();
    const all = await named().where({ age: ne(null) });
    const q = named()
      .where({ age: ne(null) })
      .orderBy('last_name')
      .orderBy('age', 'desc');
    const { users } = await walk(q, 3);
    assert.deepEqual([...ids(users)].sort(), [...ids(all)].sort(), 'no row skipped or repeated');
    for (let i = 1; i < users.length; i++) {
      const [a, b] = [users[i - 1]!, users[i]!];
      const name = byText(a.last_name!, b.last_name!);
      assert.ok(name < 0 || (name === 0 && a.age! >= b.age!), `${a.first_name} before ${b.first_name}`);
    }
  });

  it('cursorPage skips none of the rows whose order column is NULL', async () => {
    await seedMany();
    const total = await User.query().count();
    for (const direction of ['asc', 'desc'] as const) {
      const { users } = await walk(User.query().orderBy('age', direction), 4);
      assert.equal(users.length, total, direction);
      assert.equal(new Set(ids(users)).size, total, `${direction}: no row repeated`);
      assert.equal(users.filter((user) => user.age === null).length, await User.where({ age: null }).count());
    }
  });

  it('cursorPage orders by the key alone without orderBy; next is null on the page that holds the last row (as Laravel)', async () => {
    const all = ids(Object.values(people));
    const first = await User.query().cursorPage({ limit: 4 });
    assert.deepEqual(ids(first.data), all.slice(0, 4));
    assert.ok(first.next !== null);
    const last = await User.query().cursorPage({ after: first.next, limit: 3 });
    assert.deepEqual(ids(last.data), all.slice(4));
    assert.equal(last.next, null, 'the page that ends the rows says so');
    const exact = await User.query().orderBy('id').cursorPage({ limit: 7 });
    assert.equal(exact.data.length, 7);
    assert.equal(exact.next, null);
    const none = await User.where({ age: gte(1000) }).cursorPage({ limit: 3 });
    assert.deepEqual(none.data, []);
    assert.equal(none.next, null);
  });

  it('cursorPage: rows inserted or deleted between pages never make it skip or repeat a row', async () => {
    await seedMany();
    const before = await named();
    const inserted: User[] = [];
    let deleted: number | undefined;
    const { users } = await walk(named().orderBy('last_name'), 5, async (page, data) => {
      if (page === 1) {
        // One that sorts before the cursor (not seen: keyset pages start after it) and one after.
        inserted.push(await User.create({ first_name: 'early', last_name: 'Aa' }));
        inserted.push(await User.create({ first_name: 'late', last_name: 'Zz' }));
      }
      if (page === 2) {
        // The row the cursor was taken from: the next page still starts after where it was.
        const last = data.at(-1)!;
        deleted = last.id;
        await last.delete();
      }
    });
    const seen = ids(users);
    assert.equal(new Set(seen).size, seen.length, 'no row repeated');
    for (const user of before)
      if (user.id !== deleted) assert.ok(seen.includes(user.id), `${user.first_name} was not skipped`);
    assert.ok(!seen.includes(inserted[0]!.id), 'a row inserted before the cursor is not read');
    assert.ok(seen.includes(inserted[1]!.id), 'a row inserted after the cursor is read');
  });

  it('cursorPage refuses a garbled or forged cursor and a bad limit with a TwistarError, before sending', async () => {
    await seedMany();
    const q = User.query().orderBy('last_name');
    const { next } = await q.cursorPage({ limit: 3 });
    assert.ok(next !== null);
    const byId = (await User.query().orderBy('id').cursorPage({ limit: 3 })).next!;
    const garbled = [
      'garbage',
      '',
      ' ',
      next.slice(0, -2),
      next.slice(1),
      '{"id":1}',
      '[1]',
      Buffer.from('{"id":"1 OR 1=1"}').toString('base64'),
      Buffer.from('not json at all').toString('base64url'),
      '\u0000',
    ];
    for (const after of garbled)
      await refused(db.pool, () => q.cursorPage({ after, limit: 3 }), TwistarError, JSON.stringify(after));
    // A cursor of another order (one value where two are expected) is not this query's.
    await refused(
      db.pool,
      () => q.cursorPage({ after: byId, limit: 3 }),
      TwistarError,
      'the cursor of another order',
    );
    for (const after of [42, {}, ['x'], true])
      await refused(
        db.pool,
        () => q.cursorPage({ after: after as never, limit: 3 }),
        TwistarError,
        String(after),
      );
    for (const limit of [0, -1, 1.5, Number.NaN, '3'])
      await refused(
        db.pool,
        () => q.cursorPage({ limit: limit as never }),
        TwistarError,
        `limit ${String(limit)}`,
      );
  });

  it('a cursor rebuilt with hostile values is refused, or bound as a value: never SQL', async () => {
    await seedMany();
    const q = User.query().orderBy('last_name');
    const { next } = await q.cursorPage({ limit: 3 });
    // Black box: if the cursor is readable JSON (base64 or base64url), rebuild it with hostile values.
    let decoded: unknown;
    for (const encoding of ['base64url', 'base64'] as const) {
      try {
        decoded = JSON.parse(Buffer.from(next!, encoding).toString('utf8'));
        break;
      } catch {
        decoded = undefined;
      }
    }
    if (decoded === undefined) return;
    const hostile = "Zz' OR '1'='1";
    const swap = (value: unknown): unknown =>
      typeof value === 'string' || typeof value === 'number'
        ? hostile
        : Array.isArray(value)
          ? value.map(swap)
          : value !== null && typeof value === 'object'
            ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, swap(inner)]))
            : value;
    for (const forged of [swap(decoded), { ...(decoded as object), sql: 'DROP TABLE query_users' }]) {
      for (const encoding of ['base64url', 'base64'] as const) {
        const after = Buffer.from(JSON.stringify(forged)).toString(encoding);
        const sent = await statementsOf(db.pool, async () => {
          const outcome = await q.cursorPage({ after, limit: 50 }).then(
            (page) => ({ page }),
            (error: unknown) => ({ error }),
          );
          if ('error' in outcome) assert.ok(outcome.error instanceof TwistarError, String(outcome.error));
          else assert.ok(outcome.page.data.every((user) => user instanceof User));
        });
        assert.ok(
          sent.every((sql) => !sql.includes(hostile) && !sql.includes('DROP')),
          'hostile text stays out of the statements',
        );
      }
    }
    assert.equal(await User.query().count(), 7 + MANY);
  });

  it("each({ batchSize }) walks a query's rows once each, in order with ties, a statement per batch and no OFFSET", async () => {
    await seedMany();
    const all = await named();
    let walked: User[] = [];
    const statements = await statementsOf(db.pool, async () => {
      walked = await collect(named().orderBy('last_name').each({ batchSize: 4 }));
    });
    assert.deepEqual(ids(walked), sortedBy(all, byName));
    assert.ok(walked.every((user) => user instanceof User));
    assert.ok(statements.length <= Math.ceil(all.length / 4) + 1, `${statements.length} statements`);
    assert.ok(statements.length >= Math.ceil(all.length / 4));
    assert.ok(
      statements.every((sql) => !/\bOFFSET\b/i.test(sql)),
      'keyset, not OFFSET',
    );
    const lees = await collect(User.where({ last_name: 'Lee' }).orderBy('id').each({ batchSize: 2 }));
    assert.deepEqual(
      ids(lees),
      sortedBy(
        all.filter((user) => user.last_name === 'Lee'),
        byKey,
      ),
    );
    const nulls = await collect(User.query().orderBy('age', 'desc').each({ batchSize: 3 }));
    assert.equal(nulls.length, 7 + MANY);
    assert.equal(new Set(ids(nulls)).size, 7 + MANY, 'rows with a NULL order column are walked too, once');
  });

  it('each refuses a batchSize that is not a positive integer, before sending', async () => {
    for (const batchSize of [0, -1, 1.5, Number.NaN, '10'])
      await refused(db.pool, async () => {
        for await (const _ of User.query().each({ batchSize: batchSize as never })) break;
      });
  });
});
