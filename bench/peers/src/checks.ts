/**
 * One untimed call of each operation through an ORM, checked against what the seeded data must give, so that
 * a fast number can never come from a query that does less than the raw one.
 */
import type { PeerClient } from './orms/peer.js';
import type { Admin } from './raw.js';
import {
  BULK_ROWS,
  IN_FLIGHT,
  PAGE_OFFSET,
  PAGE_SIZE,
  PICTURES_EACH,
  SEEDED_USERS,
  UPDATED_USER,
  USERS_WITH_PICTURES,
  type OperationName,
  newRow,
} from './workload.js';

type Record_ = Record<string, unknown>;

function fail(message: string): never {
  throw new Error(message);
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function field(record: unknown, name: string): unknown {
  if (record === null || typeof record !== 'object') fail(`expected a record, got ${String(record)}`);
  return (record as Record_)[name];
}

/** A picture's user id, whether the ORM maps the column itself or a reference to the user. */
function pictureUserId(picture: unknown): number {
  const own = field(picture, 'user_id');
  if (own !== undefined) return Number(own);
  return Number(field(field(picture, 'user'), 'id'));
}

function items(collection: unknown): unknown[] {
  if (Array.isArray(collection)) return collection;
  if (collection !== null && typeof collection === 'object' && Symbol.iterator in collection)
    return [...(collection as Iterable<unknown>)];
  return fail(`pictures is not loaded (${typeof collection})`);
}

/** The ids paginate must give: seeded user i has id i + 1 and age i % 100. */
function expectedPage(age: number, limit: number, offset: number): number[] {
  const ids = [];
  for (let i = 0; i < SEEDED_USERS; i++) if (i % 100 >= age) ids.push(i + 1);
  return ids.slice(offset, offset + limit);
}

async function usersInTable(admin: Admin): Promise<number> {
  return Number(await admin.value('SELECT COUNT(*) FROM bench_users'));
}

/** Runs `operation` once through `client`, throws if the result is wrong, and says what was checked. */
export async function check(
  operation: OperationName,
  client: PeerClient,
  admin: Admin,
  bulkChunk: number,
): Promise<string> {
  switch (operation) {
    case 'find-by-pk': {
      const user = await client.findByPk(42);
      if (Number(field(user, 'id')) !== 42 || field(user, 'first_name') !== 'First41')
        fail(`find-by-pk(42) gave ${show(user)}`);
      if ((await client.findByPk(SEEDED_USERS + 1_000_000)) != null)
        fail('find-by-pk of a missing id found a row');
      return 'user 42, and none for a missing id';
    }
    case 'find-where': {
      const users = await client.findWhere(37, 37);
      if (users.length !== SEEDED_USERS / 100)
        fail(`age 37: ${users.length} rows, not ${SEEDED_USERS / 100}`);
      const ids = users.map((user) => Number(field(user, 'id')));
      if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) fail('rows are not ordered by id');
      if (users.some((user) => Number(field(user, 'age')) !== 37)) fail('a row has another age');
      const range = await client.findWhere(10, 12);
      if (range.length !== (3 * SEEDED_USERS) / 100) fail(`ages 10–12: ${range.length} rows`);
      return `${users.length} rows in id order`;
    }
    case 'count': {
      const count = await client.count(37);
      if (count !== (99 - 37) * (SEEDED_USERS / 100)) fail(`age > 37 counted ${count}`);
      return `${count} as a number`;
    }
    case 'paginate': {
      // The timed page, and a last page that is not full.
      for (const [age, limit, offset] of [
        [37, PAGE_SIZE, PAGE_OFFSET],
        [99, 30, 90],
      ] as const) {
        const page = await client.paginate(age, limit, offset);
        const total = (100 - age) * (SEEDED_USERS / 100);
        if (page.total !== total) fail(`age >= ${age}: total ${show(page.total)}, not ${total}`);
        const ids = page.rows.map((user) => Number(field(user, 'id')));
        const expected = expectedPage(age, limit, offset);
        if (show(ids) !== show(expected))
          fail(`age >= ${age}, ${limit} from ${offset}: ids ${show(ids)}, not ${show(expected)}`);
        if (page.rows.some((user) => !(Number(field(user, 'age')) >= age))) fail('a row has a lower age');
      }
      return `a total as a number and ${PAGE_SIZE} rows after the first ${PAGE_OFFSET} by id; a short last page`;
    }
    case 'eager-load': {
      const users = await client.eagerLoad(USERS_WITH_PICTURES);
      if (users.length !== USERS_WITH_PICTURES) fail(`${users.length} users`);
      users.forEach((user, i) => {
        const id = Number(field(user, 'id'));
        if (id !== i + 1) fail(`user ${i} has id ${id}`);
        const pictures = items(field(user, 'pictures'));
        if (pictures.length !== PICTURES_EACH) fail(`user ${id} has ${pictures.length} pictures`);
        if (pictures.some((picture) => pictureUserId(picture) !== id))
          fail(`user ${id} has another's picture`);
      });
      return `${users.length} users × ${PICTURES_EACH} pictures`;
    }
    case 'update-one': {
      for (const age of [55, 56]) {
        await client.updateOne(UPDATED_USER, age);
        const stored = Number(await admin.value('SELECT age FROM bench_users WHERE id = ?', [UPDATED_USER]));
        if (stored !== age) fail(`saved age ${age}, the table has ${stored}`);
      }
      return 'two saves of one loaded record reach the table';
    }
    case 'insert-one': {
      const before = await usersInTable(admin);
      const id = Number(await client.insertOne(newRow(0)));
      if (!(id > SEEDED_USERS)) fail(`insert returned id ${id}`);
      const stored = await admin.value('SELECT first_name FROM bench_users WHERE id = ?', [id]);
      if (stored !== 'New0' || (await usersInTable(admin)) !== before + 1)
        fail('the row is not in the table');
      return 'the new id, and the row';
    }
    case 'insert-bulk': {
      const before = await usersInTable(admin);
      await client.insertBulk(
        Array.from({ length: BULK_ROWS }, (_, i) => newRow(i)),
        bulkChunk,
      );
      const added = (await usersInTable(admin)) - before;
      if (added !== BULK_ROWS) fail(`${added} rows inserted`);
      return `${added} rows`;
    }
    case 'concurrent-find': {
      const ids = Array.from({ length: IN_FLIGHT * 2 }, (_, i) => i * 97 + 1);
      const users = await Promise.all(ids.map((id) => client.findByPk(id)));
      users.forEach((user, i) => {
        if (Number(field(user, 'id')) !== ids[i]) fail(`concurrent find ${ids[i]} gave ${show(user)}`);
      });
      return `${ids.length} finds in flight`;
    }
  }
}
