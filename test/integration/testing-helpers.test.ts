import assert from 'node:assert/strict';
import { before, beforeEach } from 'node:test';
import {
  DBObject,
  Registry,
  TransactionError,
  ValidationError,
  connect,
  transaction,
  type BelongsTo,
  type ConnectionPool,
} from '../../src/index.js';
import { FactoryError, defineFactory, withRollback } from '../../src/testing/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import { createTable, dropTable } from '../support/schema.js';

/*
 * The testing helpers (issue 15): withRollback runs work in a transaction that always rolls back; model
 * factories build and create objects with a sequence number, overrides, states and lazy associations.
 */

class Member extends DBObject {
  static override TABLENAME = 'testing_members';
  static override HASMANY = [{ name: 'notes', className: 'Note', foreignKey: 'member_id' }];
  declare id: number;
  declare email: string;
  declare name: string | null;
  declare age: number | null;
  declare role: string | null;

  override beforeSave(): void {
    this.email = this.email.toLowerCase();
  }
}
Member.validatesPresenceOf('name');

class Note extends DBObject {
  static override TABLENAME = 'testing_notes';
  static override BELONGSTO = [{ name: 'member', className: 'Member', foreignKey: 'member_id' }];
  declare id: number;
  declare member_id: number | null;
  declare body: string;
  declare member: BelongsTo<Member>;
}

/** Guards every column: a request's body could set none, a factory sets them all. */
class LockedMember extends DBObject {
  static override TABLENAME = 'testing_members';
  static override FILLABLE = [];
  declare id: number;
  declare email: string;
  declare name: string | null;
  declare role: string | null;
}

Registry.register(Member, Note, LockedMember);

const members = defineFactory(Member, (seq) => ({
  email: `Member${seq}@Example.com`,
  name: `Member ${seq}`,
  age: 20 + seq,
}));

const notes = defineFactory(Note, (seq) => ({
  body: `note ${seq}`,
  member_id: async () => (await members.create()).id,
}));

const TABLES = {
  testing_members: {
    id: 'pk',
    email: 'string not null unique',
    name: 'string',
    age: 'int',
    role: 'string',
  },
  testing_notes: { id: 'pk', member_id: 'int', body: 'string not null' },
};

async function useTables(pool: ConnectionPool): Promise<void> {
  for (const [table, columns] of Object.entries(TABLES)) await createTable(pool, table, columns);
}

async function rows(pool: ConnectionPool, table: string): Promise<number> {
  const [row] = await pool.runQuery(`SELECT COUNT(*) AS n FROM ${pool.dialect.quoteIdentifier(table)}`);
  return Number(row?.n);
}

/** The rejection of `promise`. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describeEachBackend('withRollback', (db) => {
  before(() => useTables(db.pool));
  beforeEach(async () => {
    await db.pool.runOperation('DELETE FROM testing_notes');
    await db.pool.runOperation('DELETE FROM testing_members');
  });

  it('leaves nothing of what the work wrote, however it wrote it, and resolves to its result', async () => {
    const kept = await Member.create({ email: 'kept@example.com', name: 'Kept', age: 1 });
    const result = await withRollback(async () => {
      await Member.create({ email: 'a@example.com', name: 'A' });
      await Member.createMany([
        { email: 'b@example.com', name: 'B' },
        { email: 'c@example.com', name: 'C' },
      ]);
      await db.pool.runOperation('INSERT INTO testing_notes (body) VALUES (?)', ['low level']);
      kept.age = 99;
      await kept.save();
      await Member.where({ id: kept.id }).updateAll({ name: 'Changed' });
      assert.equal(await Member.count(), 4);
      return { inside: await Member.count(), answer: 42 };
    });
    assert.deepEqual(result, { inside: 4, answer: 42 });
    assert.equal(await rows(db.pool, 'testing_members'), 1);
    assert.equal(await rows(db.pool, 'testing_notes'), 0);
    const reread = await Member.find(kept.id);
    assert.equal(reread?.age, 1);
    assert.equal(reread.name, 'Kept');
  });

  it("rejects with the work's own error, unwrapped, and rolls back all the same", async () => {
    const failure = new RangeError('the assertion failed');
    const error = await rejection(
      withRollback(async () => {
        await Member.create({ email: 'a@example.com', name: 'A' });
        throw failure;
      }),
    );
    assert.equal(error, failure);
    assert.equal(await rows(db.pool, 'testing_members'), 0);
  });

  it('a transaction() inside is a savepoint: what it commits is rolled back at the end, what it rolls back at once', async () => {
    await withRollback(async () => {
      await transaction(() => Member.create({ email: 'saved@example.com', name: 'Saved' }));
      const failed = await rejection(
        transaction(async () => {
          await Member.create({ email: 'undone@example.com', name: 'Undone' });
          throw new Error('undo this part');
        }),
      );
      assert.ok(failed instanceof TransactionError);
      // The work goes on after the nested transaction that failed.
      assert.deepEqual(
        (await Member.all({ orderBy: 'email' })).map((member) => member.email),
        ['saved@example.com'],
      );
    });
    assert.equal(await rows(db.pool, 'testing_members'), 0);
  });

  it('two at once keep apart, and both roll back', async () => {
    const work = (name: string) =>
      withRollback(async () => {
        await Member.create({ email: `${name}@example.com`, name });
        await new Promise((resolve) => setTimeout(resolve, 20));
        return (await Member.all()).map((member) => member.name);
      });
    const [one, two] = await Promise.all([work('One'), work('Two')]);
    assert.deepEqual(one, ['One']);
    assert.deepEqual(two, ['Two']);
    assert.equal(await rows(db.pool, 'testing_members'), 0);
  });

  it('work started concurrently inside (Promise.all) joins the transaction and is rolled back with it', async () => {
    const seen = await withRollback(async () => {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) => Member.create({ email: `m${i}@example.com`, name: `M${i}` })),
      );
      return Member.count();
    });
    assert.equal(seen, 8);
    assert.equal(await rows(db.pool, 'testing_members'), 0);
  });

  it('work left running (not awaited) cannot write after the end: it fails with TransactionError', async () => {
    let late: Promise<unknown> = Promise.resolve();
    await withRollback(() => {
      late = new Promise((resolve) => setTimeout(resolve, 30)).then(() =>
        Member.create({ email: 'late@example.com', name: 'Late' }),
      );
    });
    const error = await rejection(late);
    assert.ok(error instanceof TransactionError, String(error));
    assert.match(error.message, /already finished/);
    assert.equal(await rows(db.pool, 'testing_members'), 0);
  });

  it('inside a transaction() it is a savepoint rolled back: the transaction around it commits the rest', async () => {
    await transaction(async () => {
      await Member.create({ email: 'outer@example.com', name: 'Outer' });
      await withRollback(() => Member.create({ email: 'inner@example.com', name: 'Inner' }));
      assert.equal(await Member.count(), 1);
    });
    assert.deepEqual(
      (await Member.all()).map((member) => member.name),
      ['Outer'],
    );
  });

  it('a save the database refused does not change the outcome, but as in any transaction nothing more runs', async () => {
    await Member.create({ email: 'taken@example.com', name: 'Taken' });
    const after = await withRollback(async () => {
      const copy = await Member.create({ email: 'taken@example.com', name: 'Copy' });
      assert.ok(!copy.errors.isEmpty());
      return rejection(Member.count());
    });
    assert.ok(after instanceof TransactionError);
    assert.match(after.message, /can only roll back/);
    assert.equal(await rows(db.pool, 'testing_members'), 1);
  });

  it('takes a pool, given as it is or as { pool }, and refuses an unknown option', async () => {
    assert.equal(await withRollback(() => Member.count(), db.pool), 0);
    assert.equal(await withRollback(() => Member.count(), { pool: db.pool }), 0);
    const error = await rejection(withRollback(() => 1, { pool: db.pool, rollback: true } as never));
    assert.ok(error instanceof TransactionError);
    assert.match(error.message, /no option "rollback"/);
  });

  it('another pool sees none of its rows, while the work runs or after', async () => {
    // A pool of its own on a database another pool can open (an in-memory SQLite database is a file here).
    const app = connect(db.sharedUrl);
    const observer = connect(db.sharedUrl);
    try {
      await createTable(app, 'testing_shared', { id: 'pk', name: 'string' });
      const seen = await withRollback(
        async (txn) => {
          await txn.runOperation('INSERT INTO testing_shared (name) VALUES (?)', ['inside']);
          await app.runOperation('INSERT INTO testing_shared (name) VALUES (?)', ['also inside']);
          return {
            inside: await rows(app, 'testing_shared'),
            outside: await rows(observer, 'testing_shared'),
          };
        },
        { pool: app },
      );
      assert.deepEqual(seen, { inside: 2, outside: 0 });
      assert.equal(await rows(observer, 'testing_shared'), 0);
      await dropTable(app, 'testing_shared');
    } finally {
      await app.close();
      await observer.close();
    }
  });
});

describeEachBackend('model factories', (db) => {
  before(() => useTables(db.pool));
  beforeEach(async () => {
    await db.pool.runOperation('DELETE FROM testing_notes');
    await db.pool.runOperation('DELETE FROM testing_members');
  });

  it('build() makes unsaved objects, each with the next sequence number', async () => {
    const factory = defineFactory(Member, (seq) => ({ email: `u${seq}@example.com`, name: `U${seq}` }));
    const [one, two] = [factory.build(), factory.build({ name: 'Given' })];
    assert.ok(one instanceof Member && one.isNewRecord());
    assert.deepEqual(one.toHash(), { id: null, email: 'u1@example.com', name: 'U1' });
    assert.deepEqual(two.toHash(), { id: null, email: 'u2@example.com', name: 'Given' });
    assert.deepEqual(
      factory.build(2).map((member) => member.email),
      ['u3@example.com', 'u4@example.com'],
    );
    assert.equal(await rows(db.pool, 'testing_members'), 0);
  });

  it('create(overrides) saves through save(): hooks run, overrides win, the row is written', async () => {
    const factory = defineFactory(Member, (seq) => ({ email: `U${seq}@EXAMPLE.com`, name: `U${seq}` }));
    const member = await factory.create({ age: 40 });
    assert.ok(!member.isNewRecord());
    // beforeSave lower-cased the email.
    assert.equal(member.email, 'u1@example.com');
    const reread = await Member.find(member.id);
    assert.deepEqual([reread?.email, reread?.name, reread?.age], ['u1@example.com', 'U1', 40]);
  });

  it('create(n, overrides) saves n objects in order, overrides given as values or per sequence number', async () => {
    const factory = defineFactory(Member, (seq) => ({ email: `n${seq}@example.com`, name: `N${seq}` }));
    const made = await factory.create(3, { role: 'admin' });
    assert.equal(made.length, 3);
    assert.deepEqual(
      made.map((member) => [member.email, member.role]),
      [
        ['n1@example.com', 'admin'],
        ['n2@example.com', 'admin'],
        ['n3@example.com', 'admin'],
      ],
    );
    assert.ok(made.every((member, i) => i === 0 || member.id > (made[i - 1]?.id ?? Infinity)));
    const more = await factory.create(2, (seq) => ({ age: seq * 10 }));
    assert.deepEqual(
      more.map((member) => member.age),
      [40, 50],
    );
    assert.deepEqual(await factory.create(0), []);
    assert.equal(await Member.count(), 5);
  });

  it('the sequence is per factory, and with() states share it', async () => {
    const a = defineFactory(Member, (seq) => ({ email: `a${seq}@example.com`, name: 'A' }));
    const b = defineFactory(Member, (seq) => ({ email: `b${seq}@example.com`, name: 'B' }));
    const admins = a.with({ role: 'admin' }).with((seq) => ({ name: `Admin ${seq}` }));
    const made = [await a.create(), await b.create(), await admins.create(), await a.create()];
    assert.deepEqual(
      made.map((member) => [member.email, member.name, member.role ?? null]),
      [
        ['a1@example.com', 'A', null],
        ['b1@example.com', 'B', null],
        ['a2@example.com', 'Admin 2', 'admin'],
        ['a3@example.com', 'A', null],
      ],
    );
    // A call's overrides come after the states.
    assert.equal((await admins.create({ role: 'owner' })).role, 'owner');
  });

  it('a validation failure rejects with ValidationError, and create(n) then writes none of the n', async () => {
    const failed = await rejection(members.create({ name: null }));
    assert.ok(failed instanceof ValidationError, String(failed));
    assert.match(failed.message, /name/i);
    const third = await rejection(members.create(3, (seq) => (seq % 3 === 0 ? { name: '' } : {})));
    assert.ok(third instanceof ValidationError);
    assert.equal(await rows(db.pool, 'testing_members'), 0);
  });

  it('a constraint the database enforces rejects with ValidationError; inside withRollback the work goes on', async () => {
    const taken = await members.create();
    await withRollback(async () => {
      const failed = await rejection(members.create({ email: taken.email }));
      assert.ok(failed instanceof ValidationError, String(failed));
      assert.match(failed.message, /email/i);
      // Its own savepoint was rolled back: the test's transaction takes statements.
      assert.equal(await Member.count(), 1);
      await members.create();
      assert.equal(await Member.count(), 2);
    });
    assert.equal(await Member.count(), 1);
  });

  it('sets columns a model guards from objects (GUARDED, FILLABLE), as code does', async () => {
    const locked = defineFactory(LockedMember, (seq) => ({ email: `l${seq}@example.com`, name: 'L' }));
    const member = await locked.create({ role: 'admin' });
    assert.equal((await LockedMember.find(member.id))?.role, 'admin');
  });

  it('a lazy value (an association) is computed by create() unless overridden, and left unset by build()', async () => {
    const note = await notes.create();
    const author = await note.member.get();
    assert.ok(author instanceof Member);
    assert.equal(await Member.count(), 1);
    const mine = await notes.create(2, { member_id: author.id });
    assert.deepEqual(
      mine.map((each) => each.member_id),
      [author.id, author.id],
    );
    assert.equal(await Member.count(), 1);
    const built = notes.build();
    assert.equal(built.member_id, undefined);
    assert.equal(await Member.count(), 1);
  });

  it('a lazy value is created in the same transaction: a record refused afterwards leaves no orphan', async () => {
    const refused = await rejection(notes.create({ body: null as never }));
    assert.ok(refused instanceof ValidationError, String(refused));
    assert.equal(await rows(db.pool, 'testing_members'), 0);
    assert.equal(await rows(db.pool, 'testing_notes'), 0);
  });

  it('refuses a count that is not a whole number, values that are not an object, and a class that is no model', async () => {
    await assert.rejects(members.create(-1), FactoryError);
    assert.throws(() => members.build(1.5), FactoryError);
    assert.throws(() => members.build(() => null as never), FactoryError);
    assert.throws(() => defineFactory(Date as never, () => ({})), FactoryError);
    assert.throws(() => defineFactory(Member, { name: 'x' } as never), FactoryError);
  });
});
