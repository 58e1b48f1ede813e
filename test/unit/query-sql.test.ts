import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  DBObject,
  InvalidQueryError,
  InvalidRelationshipError,
  type Query,
  Registry,
  UnsafeSqlError,
  between,
  connect,
  gt,
  gte,
  like,
  lt,
  lte,
  ne,
  noneOf,
  oneOf,
  sql,
  type BelongsTo,
  type ConnectionPool,
  type HABTM,
  type HasMany,
  type HasOne,
} from '../../src/index.js';
import { testSql, type DialectName } from '../support/dialects.js';

/*
 * The exact SQL of the query layer on each database. toSQL() needs no connection: pools connect on first use, and
 * these tests never run a statement (values are sent as given, since no model's columns are read).
 */

class Picture extends DBObject {
  static override BELONGSTO = ['user'];
  declare id: number;
  declare size: number;
  declare user_id: number;
  declare user: BelongsTo<User>;
}

class Avatar extends DBObject {
  declare id: number;
  declare user_id: number;
}

class Color extends DBObject {
  declare id: number;
  declare name: string;
}

class Note extends DBObject {
  static override BELONGSTO = [{ name: 'subject', polymorphic: true }];
  static override DEFAULT_SCOPE = (q: Query<Note>) => q.where({ deleted_at: null }).orderBy('id', 'desc');
  declare id: number;
  declare deleted_at: Date | null;
  declare subject: BelongsTo<User>;
}

class User extends DBObject {
  static override HASMANY = ['pictures', { name: 'notes', as: 'subject' }];
  static override HASONE = ['avatar'];
  static override HABTM = ['colors'];
  static override SCOPES = {
    adults: (q: Query<User>) => q.where({ age: gte(18) }),
    named: (q: Query<User>, name: unknown) => q.where({ first_name: name as string }),
  };
  declare id: number;
  declare first_name: string;
  declare age: number | null;
  declare pictures: HasMany<Picture>;
  declare notes: HasMany<Note>;
  declare avatar: HasOne<Avatar>;
  declare colors: HABTM<Color>;
}

/** Soft-deleting memos of a user. */
class Memo extends DBObject {
  static override SOFT_DELETE = 'deleted_at';
  static override BELONGSTO = ['user'];
  declare id: number;
  declare user_id: number;
  declare deleted_at: Date | null;
  declare user: BelongsTo<User>;
}

class Writer extends DBObject {
  static override TABLENAME = 'users';
  static override HASMANY = [{ name: 'memos', foreignKey: 'user_id' }];
  declare id: number;
  declare memos: HasMany<Memo>;
}

Registry.register(User, Picture, Avatar, Color, Note, Memo, Writer);

const URLS: Record<DialectName, string> = {
  sqlite: 'sqlite::memory:',
  postgres: 'postgres://nobody@127.0.0.1:1/none',
  mysql: 'mysql://nobody@127.0.0.1:1/none',
};
const pools = new Map<DialectName, ConnectionPool>();
const previous = Registry.DBPOOL;
after(async () => {
  Registry.DBPOOL = previous;
  for (const pool of pools.values()) await pool.close();
});

/** The query's statement on `dialect`, in `?` placeholders (each database's own numbering is unit-tested apart). */
function on(dialect: DialectName, query: () => { toSQL(): { sql: string; params: unknown[] } }) {
  let pool = pools.get(dialect);
  if (pool === undefined) pools.set(dialect, (pool = connect(URLS[dialect])));
  Registry.DBPOOL = pool;
  const statement = query().toSQL();
  return { sql: statement.sql.replace(/\$\d+/g, '?'), params: statement.params };
}

/** The same SQL on every database, quoted with double quotes, or with backquotes on MySQL. */
function everywhere(text: string): Record<DialectName, string> {
  return { sqlite: text, postgres: text, mysql: text.replaceAll('"', '`') };
}

describe('where objects', () => {
  testSql(
    'equality, IS NULL and comparisons, joined with AND',
    (d) => on(d.name, () => User.where({ first_name: 'Ann', age: gte(18) }).where({ id: null })),
    everywhere('SELECT * FROM "users" WHERE (("first_name" = ?) AND ("age" >= ?)) AND ("id" IS NULL)'),
    ['Ann', 18],
  );
  testSql(
    'every operator',
    (d) =>
      on(d.name, () =>
        User.where({ id: gt(1) })
          .where({ id: lt(9) })
          .where({ id: lte(8) })
          .where({ id: ne(5) })
          .where({ age: ne(null) })
          .where({ age: between(18, 30) })
          .where({ first_name: like('A%') }),
      ),
    everywhere(
      'SELECT * FROM "users" WHERE ("id" > ?) AND ("id" < ?) AND ("id" <= ?) AND ("id" <> ?) AND ' +
        '("age" IS NOT NULL) AND ("age" BETWEEN ? AND ?) AND ("first_name" LIKE ?)',
    ),
    [1, 9, 8, 5, 18, 30, 'A%'],
  );
  testSql(
    'oneOf and noneOf, with a null and empty',
    (d) =>
      on(d.name, () =>
        User.where({ id: oneOf([1, 2]) })
          .where({ age: oneOf([3, null]) })
          .where({ id: noneOf([4]) })
          .where({ age: noneOf([5, null]) }),
      ),
    everywhere(
      'SELECT * FROM "users" WHERE ("id" IN (?, ?)) AND (("age" IN (?) OR "age" IS NULL)) AND ' +
        '("id" NOT IN (?)) AND (("age" NOT IN (?) AND "age" IS NOT NULL))',
    ),
    [1, 2, 3, 4, 5],
  );
  testSql(
    'oneOf([]) matches no row and noneOf([]) every row',
    (d) => on(d.name, () => User.where({ id: oneOf([]) }).orWhere({ id: noneOf([]) })),
    everywhere('SELECT * FROM "users" WHERE (1 = 0) OR (1 = 1)'),
  );
  testSql(
    "orWhere groups everything before it; Twistar's arrays mix in",
    (d) =>
      on(d.name, () =>
        User.where({ first_name: 'Ann' })
          .where(['age > ?', 1])
          .orWhere({ first_name: 'Bob' })
          .where({ id: ne(3) }),
      ),
    everywhere(
      'SELECT * FROM "users" WHERE ((("first_name" = ?) AND (age > ?)) OR ("first_name" = ?)) AND ("id" <> ?)',
    ),
    ['Ann', 1, 'Bob', 3],
  );
  testSql(
    'a query of one column stands for its values',
    (d) => on(d.name, () => User.where({ id: oneOf(Picture.where({ size: gt(5) }).select('user_id')) })),
    everywhere(
      'SELECT * FROM "users" WHERE "id" IN (SELECT "user_id" FROM "pictures" AS "s10" WHERE "size" > ?)',
    ),
    [5],
  );
});

describe('shape of the SELECT', () => {
  testSql(
    'order, limit and offset',
    (d) => on(d.name, () => User.query().orderBy('age', 'desc').orderBy('id').limit(10).offset(20)),
    {
      sqlite: 'SELECT * FROM "users" ORDER BY "age" DESC, "id" ASC LIMIT 10 OFFSET 20',
      postgres: 'SELECT * FROM "users" ORDER BY "age" DESC, "id" ASC LIMIT 10 OFFSET 20',
      mysql: 'SELECT * FROM `users` ORDER BY `age` DESC, `id` ASC LIMIT 10 OFFSET 20',
    },
  );
  testSql(
    'select, group and having',
    (d) =>
      on(d.name, () => User.query().select('first_name').group('first_name').having(['COUNT(*) > ?', 1])),
    everywhere('SELECT "first_name" FROM "users" GROUP BY "first_name" HAVING COUNT(*) > ?'),
    [1],
  );
  testSql(
    'an order by trusted SQL',
    (d) => on(d.name, () => User.query().orderBy(sql`LENGTH(first_name) > ${3}`)),
    everywhere('SELECT * FROM "users" ORDER BY LENGTH(first_name) > ?'),
    [3],
  );
  testSql(
    'row locks: FOR UPDATE SKIP LOCKED, FOR SHARE NOWAIT; none on SQLite',
    (d) =>
      on(d.name, () => ({
        toSQL: () => {
          const a = User.query().forUpdate({ skipLocked: true }).toSQL();
          const b = User.query().forShare({ noWait: true }).toSQL();
          return { sql: `${a.sql}; ${b.sql}`, params: [] };
        },
      })),
    {
      sqlite: 'SELECT * FROM "users"; SELECT * FROM "users"',
      postgres: 'SELECT * FROM "users" FOR UPDATE SKIP LOCKED; SELECT * FROM "users" FOR SHARE NOWAIT',
      mysql: 'SELECT * FROM `users` FOR UPDATE SKIP LOCKED; SELECT * FROM `users` LOCK IN SHARE MODE NOWAIT',
    },
  );
});

describe('relations in queries', () => {
  testSql(
    'whereHas a has-many relation, narrowed',
    (d) => on(d.name, () => User.whereHas('pictures', { size: gt(100) })),
    everywhere(
      'SELECT * FROM "users" WHERE EXISTS (SELECT 1 FROM "pictures" AS "t1" WHERE "t1"."user_id" = "users"."id" ' +
        'AND ("size" > ?))',
    ),
    [100],
  );
  testSql(
    'whereDoesntHave a has-one relation',
    (d) => on(d.name, () => User.whereDoesntHave('avatar')),
    everywhere(
      'SELECT * FROM "users" WHERE NOT EXISTS (SELECT 1 FROM "avatars" AS "t1" WHERE "t1"."user_id" = "users"."id")',
    ),
  );
  testSql(
    'whereHas a belongs-to relation, by a function of its query',
    (d) => on(d.name, () => Picture.whereHas('user', (q) => q.where({ age: gte(18) }))),
    everywhere(
      'SELECT * FROM "pictures" WHERE EXISTS (SELECT 1 FROM "users" AS "t1" WHERE "t1"."id" = "pictures"."user_id" ' +
        'AND ("age" >= ?))',
    ),
    [18],
  );
  testSql(
    'whereHas a HABTM relation goes through its join table',
    (d) => on(d.name, () => User.whereHas('colors', { name: 'red' })),
    everywhere(
      'SELECT * FROM "users" WHERE EXISTS (SELECT 1 FROM "colors" AS "t1" WHERE "t1"."id" IN (SELECT ' +
        '"colors_users"."color_id" FROM "colors_users" WHERE "colors_users"."user_id" = "users"."id") AND ("name" = ?))',
    ),
    ['red'],
  );
  testSql(
    "whereHas a polymorphic has-many applies the related model's DEFAULT_SCOPE",
    (d) => on(d.name, () => User.whereHas('notes')),
    everywhere(
      'SELECT * FROM "users" WHERE EXISTS (SELECT 1 FROM "notes" AS "t1" WHERE "t1"."subject_id" = "users"."id" ' +
        'AND "t1"."subject_type" = ? AND ("deleted_at" IS NULL))',
    ),
    ['User'],
  );
  testSql(
    'withCount reads a correlated count with each row',
    (d) => on(d.name, () => User.query().withCount('pictures')),
    everywhere(
      'SELECT "users".*, (SELECT COUNT(*) FROM "pictures" AS "t1" WHERE "t1"."user_id" = "users"."id") AS ' +
        '"__twistar_count_pictures" FROM "users"',
    ),
  );
  it('refuses whereHas on a polymorphic belongs-to, whose table each row names', () => {
    assert.throws(() => on('sqlite', () => Note.whereHas('subject')), InvalidQueryError);
  });
  it('refuses an unknown relation when the query is built', () => {
    assert.throws(() => User.whereHas('pictur' as never), InvalidRelationshipError);
  });
});

describe('scopes', () => {
  testSql(
    'DEFAULT_SCOPE adds its condition to an OR as a whole, and its order where none is given',
    (d) => on(d.name, () => Note.where({ id: 1 }).orWhere({ id: 2 })),
    everywhere(
      'SELECT * FROM "notes" WHERE ("deleted_at" IS NULL) AND (("id" = ?) OR ("id" = ?)) ORDER BY "id" DESC',
    ),
    [1, 2],
  );
  testSql(
    'unscoped() lifts it',
    (d) => on(d.name, () => Note.unscoped().where({ id: 1 })),
    everywhere('SELECT * FROM "notes" WHERE "id" = ?'),
    [1],
  );
  testSql(
    'named scopes, with arguments',
    (d) => on(d.name, () => User.scope('adults').scope('named', 'Ann')),
    everywhere('SELECT * FROM "users" WHERE ("age" >= ?) AND ("first_name" = ?)'),
    [18, 'Ann'],
  );
  testSql(
    'SOFT_DELETE adds the live rows as a condition of its own, which orWhere cannot widen; unscoped() keeps it',
    (d) => on(d.name, () => Memo.unscoped().where({ id: 1 }).orWhere({ id: 2 })),
    everywhere('SELECT * FROM "memos" WHERE ("deleted_at" IS NULL) AND (("id" = ?) OR ("id" = ?))'),
    [1, 2],
  );
  testSql(
    'withDeleted() drops it, onlyDeleted() turns it round',
    (d) => on(d.name, () => Memo.withDeleted().onlyDeleted().where({ id: 1 })),
    everywhere('SELECT * FROM "memos" WHERE ("deleted_at" IS NOT NULL) AND ("id" = ?)'),
    [1],
  );
  testSql(
    'withDeleted() reads every row',
    (d) => on(d.name, () => Memo.withDeleted().where({ id: 1 })),
    everywhere('SELECT * FROM "memos" WHERE "id" = ?'),
    [1],
  );
  testSql(
    "whereHas applies the related model's soft deletes inside the subquery, and a refinement's withDeleted()",
    (d) =>
      on(d.name, () =>
        Writer.whereHas('memos').whereDoesntHave('memos', (q) => q.withDeleted().where({ id: 3 })),
      ),
    everywhere(
      'SELECT * FROM "users" WHERE (EXISTS (SELECT 1 FROM "memos" AS "t1" WHERE "t1"."user_id" = "users"."id" ' +
        'AND ("deleted_at" IS NULL))) AND (NOT EXISTS (SELECT 1 FROM "memos" AS "t1" WHERE ' +
        '"t1"."user_id" = "users"."id" AND ("id" = ?)))',
    ),
    [3],
  );
  it('refuses a scope the model does not declare', () => {
    assert.throws(() => User.scope('adultz' as never), InvalidQueryError);
  });
});

describe('what a query refuses before anything is sent', () => {
  it('a column name that is not a plain name, in every place', () => {
    const hostile = 'age; DROP TABLE users' as never;
    assert.throws(() => User.where({ [hostile]: 1 } as never), UnsafeSqlError);
    assert.throws(() => User.query().orderBy(hostile), UnsafeSqlError);
    assert.throws(() => User.query().select(hostile), UnsafeSqlError);
    assert.throws(() => User.query().group(hostile), UnsafeSqlError);
    assert.throws(() => User.query().withCount(hostile), UnsafeSqlError);
  });
  it('an undefined condition, a direction that is not one, a negative limit', () => {
    assert.throws(() => User.where({ first_name: undefined }), InvalidQueryError);
    assert.throws(() => User.query().orderBy('id', 'sideways' as never), InvalidQueryError);
    assert.throws(() => User.query().limit(-1), InvalidQueryError);
    assert.throws(() => User.where(undefined as never), InvalidQueryError);
  });
  it('an object where a value belongs, as a parsed query string would give ({ age: { $gt: 1 } })', () => {
    assert.throws(() => on('sqlite', () => User.where({ age: { $gt: 1 } } as never)), InvalidQueryError);
  });
  it('gt(null), and noWait with skipLocked', () => {
    assert.throws(() => gt(null), InvalidQueryError);
    assert.throws(() => User.query().forUpdate({ noWait: true, skipLocked: true }), InvalidQueryError);
    assert.throws(() => User.query().forUpdate({ nowait: true } as never), InvalidQueryError);
  });
  it('a key inherited from a polluted Object.prototype is no condition', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 1;
    try {
      assert.deepEqual(
        on('sqlite', () => User.where({ first_name: 'Ann' })),
        { sql: 'SELECT * FROM "users" WHERE "first_name" = ?', params: ['Ann'] },
      );
    } finally {
      delete proto.polluted;
    }
  });
  it('queries are values: each method returns a new query and leaves the one it was called on alone', () => {
    const base = User.where({ age: gte(18) });
    const a = base.where({ first_name: 'Ann' });
    const b = base.orderBy('id');
    assert.notEqual(a, base);
    assert.equal(on('sqlite', () => base).sql, 'SELECT * FROM "users" WHERE "age" >= ?');
    assert.equal(on('sqlite', () => b).sql, 'SELECT * FROM "users" WHERE "age" >= ? ORDER BY "id" ASC');
  });
});
