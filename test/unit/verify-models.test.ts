import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  ConnectionError,
  DBObject,
  Registry,
  verifyModels,
  type ColumnSchema,
  type DatabaseSchema,
  type TableSchema,
} from '../../src/index.js';

const column = (name: string): ColumnSchema => ({
  name,
  type: 'integer',
  kind: 'integer',
  nullable: true,
  default: null,
  primaryKey: name === 'id',
  autoIncrement: false,
});

const table = (name: string, ...columns: string[]): TableSchema => ({
  name,
  columns: columns.map(column),
  primaryKey: columns.includes('id') ? ['id'] : [],
  foreignKeys: [],
  indexes: [],
});

class Person extends DBObject {
  static override HABTM = [
    {
      name: 'friends',
      className: 'Person',
      joinTable: 'friendships',
      foreignKey: 'person_id',
      associationForeignKey: 'friend_id',
    },
  ];
  static override HASMANY = [{ name: 'essays', className: 'Post', foreignKey: 'writer_id' }];
}
class Post extends DBObject {
  static override BELONGSTO = [{ name: 'writer', className: 'Person' }];
}
/** Shares its parent's table and inherits its relationships. */
class Editor extends Person {
  static override TABLENAME = 'people';
}
/** Registered, but not a model: verify() leaves it alone. */
class Helper {
  readonly purpose = 'not a model';
}
Registry.register(Person, Post, Editor, Helper);

const AGREEING: DatabaseSchema = {
  dialect: 'sqlite',
  tables: [
    table('people', 'id'),
    table('posts', 'id', 'writer_id'),
    table('friendships', 'person_id', 'friend_id'),
  ],
};

describe('verifyModels without a database', () => {
  it('compares with a given schema, following foreignKey, joinTable and className options', async () => {
    assert.deepEqual(await verifyModels({ schema: AGREEING }), []);
    assert.deepEqual(await Registry.verify({ schema: AGREEING, models: [Person, Post, Editor, Helper] }), []);
  });

  it('checks a subclass by its own table, with the relationships it inherits', async () => {
    const schema = { ...AGREEING, tables: [table('people', 'id'), table('posts', 'id', 'writer_id')] };
    const problems = await Registry.verify({ schema });
    assert.deepEqual(
      problems.map((problem) => problem.message),
      [
        'Editor.friends (habtm): join table "friendships" does not exist.',
        'Person.friends (habtm): join table "friendships" does not exist.',
      ],
    );
  });

  it('names both keys of a self-referencing join table', async () => {
    const schema = {
      ...AGREEING,
      tables: [...AGREEING.tables.slice(0, 2), table('friendships', 'person_id')],
    };
    const problems = await verifyModels({ schema, models: [Person] });
    assert.deepEqual(problems, [
      {
        model: 'Person',
        kind: 'missing-column',
        relation: 'friends',
        table: 'friendships',
        column: 'friend_id',
        message:
          'Person.friends (habtm): join table "friendships" has no column "friend_id" (the key of Person).',
      },
    ]);
  });

  it('reports columns the model would refuse at run time: a method, accessor or relationship of the same name', async () => {
    const schema = {
      ...AGREEING,
      tables: [
        table('people', 'id', 'save', 'essays', 'toJSON', 'nickname'),
        AGREEING.tables[1] as TableSchema,
      ],
    };
    const problems = await verifyModels({ schema, models: [Person] });
    assert.deepEqual(
      problems.map(({ kind, column }) => [kind, column]),
      [
        ['hidden-member', 'save'],
        ['hidden-member', 'essays'],
        ['hidden-member', 'toJSON'],
        ['missing-join-table', undefined],
      ],
    );
    assert.equal(
      problems[0]?.message,
      'Person: column "save" of "people" has the name of a method, property or relationship of Person, which ' +
        'the column would hide; rename the column (or the member).',
    );
  });

  it('reports columns named like the soft-delete members (restore, forceDelete, isDeleted), as any member', async () => {
    const schema = {
      ...AGREEING,
      tables: [
        table('people', 'id', 'restore', 'forceDelete', 'isDeleted', 'deleted_at'),
        AGREEING.tables[1] as TableSchema,
      ],
    };
    const problems = await verifyModels({ schema, models: [Person] });
    assert.deepEqual(
      problems.filter(({ kind }) => kind === 'hidden-member').map(({ column }) => column),
      ['restore', 'forceDelete', 'isDeleted'],
    );
  });

  it('compares the columns a model declares in COLUMNS with the table: gone, renamed or added', async () => {
    class Member extends DBObject {
      static readonly COLUMNS = ['id', 'name', 'age'] as const;
    }
    const agreeing = { ...AGREEING, tables: [table('members', 'id', 'name', 'age')] };
    assert.deepEqual(await verifyModels({ schema: agreeing, models: [Member] }), []);
    // `age` dropped, `name` renamed to `full_name`.
    const apart = { ...AGREEING, tables: [table('members', 'id', 'full_name')] };
    const problems = await verifyModels({ schema: apart, models: [Member] });
    assert.deepEqual(
      problems.map(({ kind, table, column }) => [kind, table, column]),
      [
        ['missing-column', 'members', 'name'],
        ['missing-column', 'members', 'age'],
        ['undeclared-column', 'members', 'full_name'],
      ],
    );
    assert.equal(
      problems[1]?.message,
      'Member: table "members" has no column "age", which Member.COLUMNS names (dropped or renamed?): a value ' +
        'set on it would not be saved. Regenerate the models (twistar generate models) or migrate the database.',
    );
    assert.equal(
      problems[2]?.message,
      'Member: column "full_name" of "members" is not in Member.COLUMNS: regenerate the models ' +
        '(twistar generate models), or add it.',
    );
    // A subclass inherits its base's list (as a user's class inherits the generated base's).
    class Admin extends Member {
      static override TABLENAME = 'members';
    }
    assert.equal((await verifyModels({ schema: apart, models: [Admin] })).length, 3);
    // A missing key is reported once, as the key.
    const keyless = { ...AGREEING, tables: [table('members', 'name', 'age')] };
    assert.deepEqual(
      (await verifyModels({ schema: keyless, models: [Member] })).map(({ kind, column }) => [kind, column]),
      [['missing-column', 'id']],
    );
  });

  it('leaves a model without COLUMNS uncompared column by column, and refuses a COLUMNS that is no list of names', async () => {
    class Loose extends DBObject {}
    const schema = { ...AGREEING, tables: [table('looses', 'id', 'anything')] };
    assert.deepEqual(await verifyModels({ schema, models: [Loose] }), []);
    class Odd extends DBObject {
      static readonly COLUMNS = 'id, name';
    }
    const problems = await verifyModels({
      schema: { ...AGREEING, tables: [table('odds', 'id')] },
      models: [Odd],
    });
    assert.deepEqual(
      problems.map(({ kind }) => kind),
      ['invalid-columns'],
    );
    assert.match(problems[0]?.message ?? '', /^Odd\.COLUMNS must be the list of its table's column names/);
  });

  it('reports a HIDDEN that names a column the table lacks (the column it meant would be in toJSON), or is no list', async () => {
    class Account extends DBObject {
      static override HIDDEN = ['id', 'password_hash', 'pasword_hash'];
    }
    const schema = { ...AGREEING, tables: [table('accounts', 'id', 'email', 'password_hash')] };
    const problems = await verifyModels({ schema, models: [Account] });
    assert.deepEqual(
      problems.map(({ kind, column }) => [kind, column]),
      [['missing-column', 'pasword_hash']],
    );
    assert.match(problems[0]?.message ?? '', /Account\.HIDDEN names/);
    class Wrong extends DBObject {
      static override TABLENAME = 'accounts';
      static override HIDDEN = 'password_hash' as unknown as string[];
    }
    assert.deepEqual(
      (await verifyModels({ schema, models: [Wrong] })).map(({ kind }) => kind),
      ['invalid-columns'],
    );
  });

  it('reports a PRIMARY_KEY that is neither the primary key nor a NOT NULL column with a unique index', async () => {
    class Entry extends DBObject {
      static override TABLENAME = 'entries';
      static override PRIMARY_KEY = 'list_id';
    }
    const notNull = (name: string): ColumnSchema => ({ ...column(name), nullable: false });
    const index = (name: string, columns: string[], unique = true, partial = false) => ({
      name,
      columns,
      unique,
      partial,
    });
    const entries = (primaryKey: string[], ...indexes: ReturnType<typeof index>[]): DatabaseSchema => ({
      ...AGREEING,
      tables: [
        {
          name: 'entries',
          columns: [notNull('list_id'), notNull('item_id')],
          primaryKey,
          foreignKeys: [],
          indexes,
        },
      ],
    });
    const kinds = async (schema: DatabaseSchema) =>
      (await verifyModels({ schema, models: [Entry] })).map(({ kind, column }) => [kind, column]);
    const notUnique = [['key-not-unique', 'list_id']];
    // One column of a composite key, as a join table's.
    assert.deepEqual(await kinds(entries(['list_id', 'item_id'])), notUnique);
    const [problem] = await verifyModels({ schema: entries(['list_id', 'item_id']), models: [Entry] });
    assert.match(
      problem?.message ?? '',
      /^Entry: PRIMARY_KEY "list_id" is not unique in "entries" \(its primary key: \(list_id, item_id\)\)/,
    );
    assert.deepEqual(await kinds(entries([], index('by_list', ['list_id'], false))), notUnique);
    assert.deepEqual(await kinds(entries([], index('by_list', ['list_id', 'item_id']))), notUnique);
    assert.deepEqual(await kinds(entries([], index('by_list', ['list_id'], true, true))), notUnique);
    // The table's key, or a unique index of its own.
    assert.deepEqual(await kinds(entries(['list_id'])), []);
    assert.deepEqual(await kinds(entries(['item_id'], index('by_list', ['list_id']))), []);
    // A unique index on a column that may be NULL holds any number of NULLs.
    const nullable: DatabaseSchema = {
      ...AGREEING,
      tables: [{ ...table('entries', 'list_id'), indexes: [index('by_list', ['list_id'])] }],
    };
    assert.deepEqual(await kinds(nullable), notUnique);
  });

  it('needs a pool when no schema is given', async () => {
    Registry.DBPOOL = null;
    await assert.rejects(Registry.verify(), ConnectionError);
  });
});
