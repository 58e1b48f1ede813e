import assert from 'node:assert/strict';
import { beforeEach } from 'node:test';
import {
  DBObject,
  DBObjectSaveError,
  QueryError,
  CheckViolationError,
  ConstraintViolationError,
  ForeignKeyViolationError,
  NotNullViolationError,
  Registry,
  TransactionError,
  UniqueViolationError,
  ValidationError,
  transaction,
  type ConnectionPool,
} from '../../src/index.js';
import { describeEachBackend, type DialectName, it } from '../support/backends.js';
import { columnType, createTable, dropTable } from '../support/schema.js';

class Account extends DBObject {
  declare id: number;
  declare email: string | null;
  declare name: string | null;
  declare age: number | null;
  declare score: number | null;
}

class AccountNote extends DBObject {
  static override BELONGSTO = ['account'];
  declare id: number;
  declare account_id: number | null;
  declare label: string;
}

/** Accounts whose email is also checked by a validation, with its own message. */
class CheckedAccount extends Account {
  static override TABLENAME = 'accounts';
}
CheckedAccount.validatesUniquenessOf('email', { message: 'is already registered.' });

/** Accounts another writer beats to the email between the validation and the INSERT. */
class RacedAccount extends CheckedAccount {
  override async beforeCreate(): Promise<void> {
    await Registry.getConfig().insert('accounts', { email: this.email, name: 'Other writer' });
  }
}

class Scratch extends DBObject {
  declare name: string;
}

Registry.register(Account, AccountNote);

/**
 * What each database tells about a CHECK constraint with a name of its own (`score_small`): PostgreSQL and
 * MySQL/MariaDB give its definition through the catalogue, so the message goes under its column; SQLite
 * keeps none, so it goes under `base`.
 */
const NAMED_CHECK: Record<DialectName, Record<string, string[]>> = {
  sqlite: { base: ['The database refused the record: it violates the check constraint score_small.'] },
  postgres: { score: ['Score is not valid (check score_small).'] },
  mysql: { score: ['Score is not valid (check score_small).'] },
};

/** `CREATE TABLE` with table constraints after the columns (createTable takes columns only). */
async function createTableWith(
  pool: ConnectionPool,
  table: string,
  columns: Readonly<Record<string, string>>,
  constraints: readonly string[],
): Promise<void> {
  const quote = (name: string) => pool.dialect.quoteIdentifier(name);
  await dropTable(pool, table);
  const body = [
    ...Object.entries(columns).map(([name, type]) => `${quote(name)} ${columnType(pool.dialect.name, type)}`),
    ...constraints,
  ].join(', ');
  await pool.runOperation(`CREATE TABLE ${quote(table)} (${body})`);
  Registry.getConfig(pool).forgetColumns(table);
}

describeEachBackend('Constraints the database enforces', (db) => {
  beforeEach(async () => {
    await dropTable(db.pool, 'account_notes');
    await createTableWith(
      db.pool,
      'accounts',
      {
        id: 'pk',
        email: 'string unique',
        name: 'string not null',
        age: 'int check (age >= 0)',
        score: 'int',
        a: 'int',
        b: 'int',
      },
      ['CONSTRAINT score_small CHECK (score < 10)', 'CONSTRAINT accounts_a_b UNIQUE (a, b)'],
    );
    await createTableWith(db.pool, 'account_notes', { id: 'pk', account_id: 'int', label: 'string' }, [
      'FOREIGN KEY (account_id) REFERENCES accounts (id)',
    ]);
  });

  it('reports a unique index on the record: save() resolves, nothing is written', async () => {
    await Account.create({ email: 'ann@example.com', name: 'Ann' });
    const twin = new Account({ email: 'ann@example.com', name: 'Twin' });
    assert.equal(await twin.save(), twin);
    assert.equal(twin.isNewRecord(), true);
    assert.equal(twin.id, null);
    assert.deepEqual(twin.errors.toJSON(), { email: ['Email is not unique.'] });
    assert.equal(await Account.count(), 1);
    // Fixed, it saves.
    twin.email = 'twin@example.com';
    await twin.save();
    assert.equal(twin.errors.isEmpty(), true);
    assert.equal(twin.isNewRecord(), false);
    assert.equal(await Account.count(), 2);
  });

  it('puts a composite unique constraint under each of its columns', async () => {
    await Account.create({ name: 'Ann', a: 1, b: 2 } as Partial<Account>);
    const twin = await Account.create({ name: 'Twin', a: 1, b: 2 } as Partial<Account>);
    assert.deepEqual(twin.errors.toJSON(), { a: ['A is not unique.'], b: ['B is not unique.'] });
  });

  it('names the columns of a unique index added after the table was first used', async () => {
    await Account.create({ email: 'ann@example.com', name: 'Ann' });
    assert.equal((await Account.create({ email: 'ann@example.com', name: 'B' })).errors.length, 1);
    await db.pool.runOperation('CREATE UNIQUE INDEX accounts_name ON accounts (name)');
    const twin = await Account.create({ email: 'twin@example.com', name: 'Ann' });
    assert.deepEqual(twin.errors.toJSON(), { name: ['Name is not unique.'] });
  });

  it('reports a refused UPDATE the same way, and leaves the row and the change as they were', async () => {
    await Account.create({ email: 'ann@example.com', name: 'Ann' });
    const bob = await Account.create({ email: 'bob@example.com', name: 'Bob' });
    bob.email = 'ann@example.com';
    await bob.save();
    assert.deepEqual(bob.errors.errorsFor('email'), ['Email is not unique.']);
    assert.equal(bob.isNewRecord(), false);
    assert.equal((await Account.find(bob.id))?.email, 'bob@example.com');
    bob.email = 'robert@example.com';
    await bob.save();
    assert.equal(bob.errors.isEmpty(), true);
    assert.equal((await Account.find(bob.id))?.email, 'robert@example.com');
  });

  it("uses validatesUniquenessOf's message when the index, not the validation, refuses the row", async () => {
    const late = await RacedAccount.create({ email: 'eve@example.com', name: 'Eve' });
    assert.equal(late.isNewRecord(), true);
    assert.deepEqual(late.errors.errorsFor('email'), ['Email is already registered.']);
    assert.deepEqual(
      (await Account.all()).map((account) => account.name),
      ['Other writer'],
    );
  });

  it('reports NOT NULL as "cannot be blank.", for a NULL given and for a column left out', async () => {
    const given = await Account.create({ email: 'x@example.com', name: null });
    assert.deepEqual(given.errors.toJSON(), { name: ['Name cannot be blank.'] });
    const omitted = await Account.create({ email: 'y@example.com' });
    assert.deepEqual(omitted.errors.toJSON(), { name: ['Name cannot be blank.'] });
    assert.equal(await Account.count(), 0);
  });

  it('reports a foreign key under the belongs-to key that points nowhere', async () => {
    const orphan = await AccountNote.create({ account_id: 999, label: 'lost' });
    assert.equal(orphan.isNewRecord(), true);
    assert.deepEqual(orphan.errors.toJSON(), { account_id: ['Account must refer to an existing row.'] });
    const ann = await Account.create({ email: 'ann@example.com', name: 'Ann' });
    orphan.account_id = ann.id;
    await orphan.save();
    assert.equal(orphan.isNewRecord(), false);
  });

  it("reports a column's CHECK under that column", async () => {
    const negative = await Account.create({ name: 'Neg', age: -1 });
    assert.deepEqual(negative.errors.properties(), ['age']);
    assert.match(negative.errors.errorsFor('age')[0] ?? '', /^Age is not valid \(check .+\)\.$/);
    assert.equal(await Account.count(), 0);
  });

  it('reports a named CHECK under its column where the database says which, else under base', async () => {
    const big = await Account.create({ name: 'Big', score: 11 });
    assert.equal(big.isNewRecord(), true);
    assert.deepEqual(big.errors.toJSON(), NAMED_CHECK[db.name]);
  });

  it('still rejects with QueryError for failures that are not constraints', async () => {
    await createTable(db.pool, 'scratches', { id: 'pk', name: 'string' });
    await Scratch.create({ name: 'read the columns' });
    // Dropped behind Twistar's back: its columns are still known, so the INSERT is sent and fails.
    await db.pool.runOperation('DROP TABLE scratches');
    await assert.rejects(Scratch.create({ name: 'lost' }), QueryError);
    Registry.getConfig(db.pool).forgetColumns('scratches');
  });

  it('a constraint refusing a save inside a transaction makes it roll back, as in Twistar', async () => {
    const error = await transaction(async () => {
      await Account.create({ email: 'ann@example.com', name: 'Ann' });
      const twin = await Account.create({ email: 'ann@example.com', name: 'Twin' });
      assert.deepEqual(twin.errors.errorsFor('email'), ['Email is not unique.']);
      // Further statements are refused: the transaction can only roll back.
      await assert.rejects(Account.create({ email: 'bob@example.com', name: 'Bob' }), TransactionError);
    }).catch((e: unknown) => e);
    assert.ok(error instanceof TransactionError);
    assert.ok(error.cause instanceof UniqueViolationError);
    assert.equal(await Account.count(), 0);
  });

  it('types each kind of constraint failure, in the low-level interface and as the cause of a rolled-back transaction', async () => {
    const config = Registry.getConfig();
    await Account.create({ email: 'ann@example.com', name: 'Ann' });
    const cases = [
      [UniqueViolationError, { email: 'ann@example.com', name: 'Twin' }, 'accounts'],
      [NotNullViolationError, { email: 'nameless@example.com', name: null }, 'accounts'],
      [CheckViolationError, { email: 'big@example.com', name: 'Big', score: 11 }, 'accounts'],
      [ForeignKeyViolationError, { account_id: 999_999, label: 'orphan' }, 'account_notes'],
    ] as const;
    for (const [kind, values, table] of cases) {
      await assert.rejects(config.insert(table, values), (error: unknown) => {
        assert.ok(error instanceof kind, `${kind.name}: ${String(error)}`);
        assert.ok(error instanceof ConstraintViolationError);
        return true;
      });
      const model = (table === 'accounts' ? Account : AccountNote) as typeof Account;
      const error = await transaction(async () => {
        const refused = await model.create(values as never);
        assert.equal(refused.isNewRecord(), true);
        assert.equal(refused.errors.isEmpty(), false);
      }).catch((e: unknown) => e);
      assert.ok(error instanceof TransactionError, `${kind.name}: ${String(error)}`);
      assert.ok(error.cause instanceof kind, `${kind.name}: ${String(error.cause)}`);
    }
    assert.equal(await Account.count(), 1);
    assert.equal(await AccountNote.count(), 0);
  });

  it('a nested transaction around a save keeps a constraint failure to itself', async () => {
    await transaction(async () => {
      await Account.create({ email: 'ann@example.com', name: 'Ann' });
      const twin = new Account({ email: 'ann@example.com', name: 'Twin' });
      await assert.rejects(
        transaction(() => twin.save()),
        (error: unknown) => error instanceof TransactionError && error.cause instanceof QueryError,
      );
      assert.deepEqual(twin.errors.errorsFor('email'), ['Email is not unique.']);
      await Account.create({ email: 'bob@example.com', name: 'Bob' });
    });
    assert.deepEqual(
      (await Account.all({ orderBy: 'id' })).map((account) => account.name),
      ['Ann', 'Bob'],
    );
  });

  it('createMany rolls everything back and puts the message on the object the database refused', async () => {
    const items = [
      new Account({ email: 'x@example.com', name: 'A', age: 1 }),
      new Account({ email: 'y@example.com', name: 'B' }),
      new Account({ email: 'x@example.com', name: 'C' }),
    ];
    // The first object is written by its own INSERT (its columns differ), and rolled back with the rest.
    await assert.rejects(Account.createMany(items), (error: unknown) => {
      assert.ok(error instanceof DBObjectSaveError);
      assert.match(error.message, /refused item 2 \(Email is not unique\.\)/);
      return true;
    });
    assert.equal(await Account.count(), 0);
    assert.deepEqual(
      items.map((item) => item.errors.toJSON()),
      [{}, {}, { email: ['Email is not unique.'] }],
    );
    for (const item of items) {
      assert.equal(item.isNewRecord(), true);
      assert.equal(item.id, null);
    }
    items[2]!.email = 'z@example.com';
    await Account.createMany(items);
    assert.equal(await Account.count(), 3);
  });

  it('createMany finds the object that leaves a NOT NULL column empty', async () => {
    const items = [
      { email: 'p@example.com', name: 'P' },
      { email: 'q@example.com', name: null },
    ].map((attrs) => new Account(attrs));
    await assert.rejects(Account.createMany(items), DBObjectSaveError);
    assert.deepEqual(
      items.map((item) => item.errors.toJSON()),
      [{}, { name: ['Name cannot be blank.'] }],
    );
    assert.equal(await Account.count(), 0);
  });

  it('saveOrFail resolves to the object, or rejects with ValidationError carrying the errors', async () => {
    const ann: Account = await new Account({ email: 'ann@example.com', name: 'Ann' }).saveOrFail();
    assert.equal(ann.isNewRecord(), false);

    const twin = new Account({ email: 'ann@example.com', name: 'Twin' });
    const refused = await twin.saveOrFail().catch((error: unknown) => error);
    assert.ok(refused instanceof ValidationError);
    assert.equal(refused.record, twin);
    assert.equal(refused.errors, twin.errors);
    assert.equal(refused.message, 'Account is not valid: Email is not unique.');

    const invalid = new CheckedAccount({ email: 'ann@example.com', name: 'Checked' });
    await assert.rejects(invalid.saveOrFail(), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.errors.toJSON(), { email: ['Email is already registered.'] });
      return true;
    });
    assert.equal(await Account.count(), 1);
  });

  it('saveOrFail rejects with DBObjectSaveError when a before-hook cancels', async () => {
    class Locked extends Account {
      static override TABLENAME = 'accounts';
      override beforeSave(): boolean {
        return false;
      }
    }
    await assert.rejects(new Locked({ name: 'L' }).saveOrFail(), DBObjectSaveError);
    assert.equal(await Account.count(), 0);
  });

  it('keeps validatesUniquenessOf right under 20 concurrent saves of one value', async () => {
    const accounts = Array.from(
      { length: 20 },
      (_, i) => new CheckedAccount({ email: 'race@example.com', name: `Racer ${i}` }),
    );
    await Promise.all(accounts.map((account) => account.save()));
    assert.equal(await Account.count(['email = ?', 'race@example.com']), 1);
    const saved = accounts.filter((account) => !account.isNewRecord());
    const refused = accounts.filter((account) => account.isNewRecord());
    assert.equal(saved.length, 1);
    assert.equal(refused.length, 19);
    for (const account of refused) {
      assert.deepEqual(account.errors.toJSON(), { email: ['Email is already registered.'] });
    }
  });

  it('findOrCreate from 50 concurrent callers creates one row and gives each the same id', async () => {
    for (const model of [Account, CheckedAccount]) {
      const email = `${model.name}@example.com`;
      const found = await Promise.all(
        Array.from({ length: 50 }, () => model.findOrCreate({ email, name: 'Once' })),
      );
      assert.equal(await Account.count(['email = ?', email]), 1, model.name);
      const ids = new Set(found.map((account) => account.id));
      assert.equal(ids.size, 1, model.name);
      assert.equal(typeof [...ids][0], 'number', model.name);
      for (const account of found) assert.equal(account.errors.isEmpty(), true, model.name);
    }
  });
});
