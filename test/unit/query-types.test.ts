import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  DBObject,
  between,
  gt,
  gte,
  like,
  lt,
  lte,
  ne,
  noneOf,
  oneOf,
  type BelongsTo,
  type FindOptions,
  type HABTM,
  type HasMany,
  type HasOne,
  type Query,
} from '../../src/index.js';
import { type Equal, type Extends, expectType, typeErrors } from '../support/type-checks.js';

/*
 * Compile-time tests of the query layer's types (issue 14). The functions below never run: `npm run typecheck`
 * checks them, and every `// @ts-expect-error` line fails the check once it stops being an error. The `it`s at
 * the end keep the functions from being dead code, and compile a snippet under exactOptionalPropertyTypes.
 */

class Picture extends DBObject {
  static override BELONGSTO = ['user'];
  declare id: number;
  declare name: string;
  declare size: number | null;
  declare user_id: number | null;
  declare user: BelongsTo<User>;
}

class Avatar extends DBObject {
  declare id: number;
  declare url: string;
}

class Color extends DBObject {
  declare id: number;
  declare name: string;
}

class User extends DBObject {
  static override HASMANY = ['pictures'];
  static override HASONE = ['avatar'];
  static override HABTM = ['colors'];
  static override SCOPES = {
    adults: (q: Query<User>) => q.where({ age: gte(18) }),
    named: (q: Query<User>, name: string) => q.where({ first_name: name }),
  };
  declare id: number;
  declare first_name: string;
  declare born: Date | null;
  declare last_name: string | null;
  declare age: number | null;
  /** A DECIMAL column: a string. */
  declare balance: string;
  declare pictures: HasMany<Picture>;
  declare avatar: HasOne<Avatar>;
  declare colors: HABTM<Color>;
  greet(): string {
    return `hi ${this.first_name}`;
  }
}

class Post extends DBObject {
  static override DEFAULT_SCOPE = (q: Query<Post>) => q.where({ deleted: false });
  declare id: number;
  declare author_id: number;
  declare deleted: boolean;
}

/** A model that declares nothing: any name goes, values are unknown (as for Twistar's finders today). */
class Loose extends DBObject {}

async function queries(): Promise<void> {
  const q = User.where({ age: gte(18), last_name: 'Smith' });
  expectType<Extends<typeof q, Query<User>>>(true);
  const _awaited = await q;
  expectType<Equal<typeof _awaited, User[]>>(true);
  const _all = await q.all();
  expectType<Equal<typeof _all, User[]>>(true);
  const _first = await q.first();
  expectType<Equal<typeof _first, User | null>>(true);
  const _sure = await q.firstOrFail();
  expectType<Equal<typeof _sure, User>>(true);
  const _count = await q.count();
  expectType<Equal<typeof _count, number>>(true);
  const _exists = await q.exists();
  expectType<Equal<typeof _exists, boolean>>(true);
  const _both = await Promise.all([q, q.count()]);
  expectType<Equal<typeof _both, [User[], number]>>(true);

  // Returning a query from an async function runs it: the function resolves to the rows.
  async function _adults() {
    return User.where({ age: gte(18) });
  }
  expectType<Equal<Awaited<ReturnType<typeof _adults>>, User[]>>(true);

  const _chained = User.query()
    .where({ age: lt(30) })
    .orderBy('age', 'desc')
    .orderBy('id')
    .limit(10)
    .offset(20);
  expectType<Extends<typeof _chained, Query<User>>>(true);
  const _statement = User.where({ age: gte(18) }).toSQL();
  expectType<Equal<typeof _statement.sql, string>>(true);
  expectType<Extends<typeof _statement.params, readonly unknown[]>>(true);
}

function operators(): void {
  User.where({ age: gt(1), first_name: like('A%') });
  User.where({ age: between(18, 30) }).orWhere({ first_name: like('A%') });
  User.where({ id: oneOf([1, 2, 3]) });
  User.where({ id: noneOf([4]) });
  User.where({ last_name: null });
  User.where({ last_name: ne(null) });
  User.where({ age: lte(3), balance: ne('0.00') });
  User.where({ age: oneOf([17, null]) });
  User.where(['age > ?', 18]);
  User.where({ age: 1 }).orWhere(['first_name = ?', 'Ann']);
  User.where({ id: oneOf(Post.query().select('author_id')) });
  // A nullable foreign key's subquery against a key: IN never matches NULL, so nothing unsound.
  User.where({ id: oneOf(Picture.query().select('user_id')) });

  // @ts-expect-error gt('x') on a number column
  User.where({ age: gt('x') });
  // @ts-expect-error between on a number column takes numbers
  User.where({ age: between('a', 'z') });
  // @ts-expect-error lt on a string column takes a string
  User.where({ first_name: lt(3) });
  // @ts-expect-error oneOf on a number column takes numbers
  User.where({ id: oneOf(['1']) });
  // @ts-expect-error noneOf on a number column takes numbers
  User.where({ id: noneOf(['1']) });
  // @ts-expect-error a plain value of another type than the column's
  User.where({ first_name: 42 });
  // @ts-expect-error a subquery of strings where numbers are expected
  User.where({ id: oneOf(Picture.query().select('name')) });
}

function columnNames(): void {
  // @ts-expect-error a misspelled column in where
  User.where({ frist_name: 'Ann' });
  // @ts-expect-error a misspelled column beside a right one
  User.where({ age: 1, frist_name: 'Ann' });
  // @ts-expect-error a misspelled column in orWhere
  User.where({ age: 1 }).orWhere({ agee: 1 });
  // @ts-expect-error a misspelled column in orderBy
  User.query().orderBy('agee');
  // @ts-expect-error a direction is asc or desc
  User.query().orderBy('age', 'sideways');
  // @ts-expect-error a relation is no column
  User.query().orderBy('pictures');
  // @ts-expect-error nor is a method
  User.query().orderBy('greet');
  // @ts-expect-error a misspelled column in select
  User.query().select('id', 'frist_name');
  // @ts-expect-error a misspelled column in pluck
  User.query().pluck('frist_name');
  // @ts-expect-error a misspelled column in group
  User.query().group('lastname');
  // @ts-expect-error a misspelled column in sum
  User.sum('agee');
  // @ts-expect-error a misspelled column in avg
  User.where({ age: 1 }).avg('agee');
  // @ts-expect-error a misspelled column in min
  User.min('agee');
  // @ts-expect-error a misspelled column in max
  User.query().max('agee');
  // @ts-expect-error a relation is not summed
  User.sum('pictures');
}

async function selectAndPluck(): Promise<void> {
  const _picked = await User.query().select('id', 'first_name');
  const _one = _picked[0]!;
  expectType<Equal<typeof _one.id, number>>(true);
  expectType<Equal<typeof _one.first_name, string>>(true);
  expectType<Extends<typeof _one, Pick<User, 'id' | 'first_name'>>>(true);
  // @ts-expect-error an unselected column is not on the record
  const _last = _one.last_name;
  const _onlyAge = await User.query().select('age').where({ first_name: 'Ann' }).first();
  expectType<Equal<NonNullable<typeof _onlyAge>['age'], number | null>>(true);
  // @ts-expect-error a where on an unselected column is fine, reading it is not
  const _name = _onlyAge?.first_name;

  const _names = await User.where({ age: gte(18) }).pluck('first_name');
  expectType<Equal<typeof _names, string[]>>(true);
  const _ages = await User.query().pluck('age');
  expectType<Equal<typeof _ages, (number | null)[]>>(true);
  const _keys = await Post.query().pluck('id');
  expectType<Equal<typeof _keys, number[]>>(true);
}

async function aggregates(): Promise<void> {
  // Integer sums are numbers (bigint past 2^53): never a string, never unknown.
  const _sum = await User.sum('age');
  expectType<Extends<typeof _sum, number | bigint | null>>(true);
  expectType<Extends<number, typeof _sum>>(true);
  const _avg = await User.where({ age: gte(18) }).avg('age');
  expectType<Extends<typeof _avg, number | null>>(true);
  expectType<Extends<number, typeof _avg>>(true);
  expectType<Extends<null, typeof _avg>>(true);
  // A DECIMAL column is a string, and so are its sum and average.
  const _decimal = await User.sum('balance');
  expectType<Extends<typeof _decimal, string | null>>(true);
  expectType<Extends<string, typeof _decimal>>(true);
  const _min = await User.min('first_name');
  expectType<Equal<typeof _min, string | null>>(true);
  const _max = await User.query().max('age');
  expectType<Equal<typeof _max, number | null>>(true);

  const _total = await User.query().count();
  expectType<Equal<typeof _total, number>>(true);
  const _groups = await User.query().group('last_name').having(['COUNT(*) > ?', 1]).count();
  type Group = (typeof _groups)[number];
  expectType<Equal<Group['last_name'], string | null>>(true);
  expectType<Equal<Group['count'], number>>(true);
}

async function pages(): Promise<void> {
  const _page = await User.where({ age: gte(18) }).paginate({ page: 2, perPage: 20 });
  expectType<Equal<typeof _page.data, User[]>>(true);
  expectType<Equal<typeof _page.total, number>>(true);
  expectType<Equal<typeof _page.page, number>>(true);
  expectType<Equal<typeof _page.perPage, number>>(true);
  expectType<Equal<typeof _page.lastPage, number>>(true);

  const _keyset = await User.query().orderBy('id').cursorPage({ limit: 20 });
  expectType<Equal<typeof _keyset.data, User[]>>(true);
  expectType<Equal<typeof _keyset.next, string | null>>(true);
  // The previous page's `next` goes straight back in (null: the first page), as a walking loop does.
  const _again = await User.query().orderBy('id').cursorPage({ after: _keyset.next, limit: 20 });
  expectType<Equal<typeof _again.next, string | null>>(true);
  // @ts-expect-error a cursor is a string
  await User.query().cursorPage({ after: 42, limit: 20 });

  for await (const _user of User.where({ age: gte(18) })
    .orderBy('id')
    .each({ batchSize: 500 }))
    expectType<Equal<typeof _user, User>>(true);
}

async function relations(): Promise<void> {
  User.whereHas('pictures', { size: gt(100) });
  User.whereHas('avatar');
  User.whereDoesntHave('colors', { name: 'red' });
  User.query().whereHas('pictures', ['size > ?', 100]);
  Picture.whereHas('user', { age: gte(18) });
  // @ts-expect-error a misspelled relation in whereHas
  User.whereHas('picturez');
  // @ts-expect-error a column is no relation
  User.whereHas('first_name');
  // @ts-expect-error a misspelled relation in whereDoesntHave
  User.whereDoesntHave('avatr');
  // @ts-expect-error the condition names the related model's columns
  User.whereHas('pictures', { first_name: 'Ann' });
  // @ts-expect-error and is typed by them
  User.whereHas('pictures', { size: gt('big') });

  const _counted = await User.query().withCount('pictures');
  expectType<Equal<typeof _counted, User[]>>(true);
  // @ts-expect-error a misspelled relation in withCount
  User.query().withCount('picturez');

  const _loaded = await User.query().include('pictures', 'avatar');
  expectType<Equal<typeof _loaded, User[]>>(true);
  User.query().include({ pictures: (q) => q.where({ size: gt(100) }).orderBy('id') });
  User.query().include({ colors: (q) => q.where({ name: like('r%') }) });
  // @ts-expect-error a misspelled relation in include
  User.query().include('picturez');
  // @ts-expect-error a column is no relation
  User.query().include('first_name');
  User.query().include({
    // @ts-expect-error the query per relation is the related model's
    pictures: (q) => q.where({ first_name: 'x' }),
  });

  const user = new User();
  const _big = await user.pictures
    .query()
    .where({ size: gt(100) })
    .orderBy('id');
  expectType<Equal<typeof _big, Picture[]>>(true);
  const _colorNames = await user.colors.query().pluck('name');
  expectType<Equal<typeof _colorNames, string[]>>(true);
  const _gotten = await user.pictures.get({ orderBy: 'id' });
  expectType<Equal<typeof _gotten, Picture[]>>(true);
  // @ts-expect-error a relation's query knows the related model's columns
  user.pictures.query().where({ sise: 1 });
}

function locks(): void {
  User.query().forUpdate();
  User.query().forUpdate({ skipLocked: true });
  User.query().forUpdate({ noWait: true });
  User.query().forShare();
  User.query().forShare({ skipLocked: true });
  // @ts-expect-error a misspelled lock option
  User.query().forUpdate({ skiplocked: true });
}

async function narrowing(): Promise<void> {
  const picked = await User.query().select('first_name').first();
  // @ts-expect-error the key was not selected either
  void picked?.id;
  const _keyed = await User.query().select('id', 'first_name').first();
  expectType<Equal<typeof _keyed extends infer P ? (P extends { id: infer I } ? I : never) : never, number>>(
    true,
  );
  // @ts-expect-error a date column has no sum
  await User.sum('born');
  // @ts-expect-error nor an average
  await User.query().avg('born');
  await User.min('born');
}

async function scopes(): Promise<void> {
  User.scope('named', 'Ann');
  // @ts-expect-error a scope's arguments are typed by its function
  User.scope('named', 42);
  // @ts-expect-error and required
  User.scope('named');
  const _adults = User.scope('adults');
  expectType<Extends<typeof _adults, Query<User>>>(true);
  const _rows = await _adults;
  expectType<Equal<typeof _rows, User[]>>(true);
  User.where({ last_name: 'Smith' }).scope('adults');
  const _everything = await Post.unscoped();
  expectType<Equal<typeof _everything, Post[]>>(true);
  // @ts-expect-error a misspelled scope
  User.scope('adultz');
  // @ts-expect-error on a query too
  User.query().scope('adultz');
  // @ts-expect-error Picture has no scopes
  Picture.scope('adults');
}

async function softDeletes(): Promise<void> {
  const _all = await User.withDeleted().where({ age: gte(18) });
  expectType<Equal<typeof _all, User[]>>(true);
  const _trash = await User.where({ last_name: 'Smith' }).onlyDeleted().orderBy('age').first();
  expectType<Equal<typeof _trash, User | null>>(true);
  User.onlyDeleted().scope('adults');
  // @ts-expect-error a query of the deleted rows is typed by the model's columns
  User.onlyDeleted().where({ agee: 1 });
  // @ts-expect-error and by its scopes
  User.withDeleted().scope('adultz');
  const user = new User();
  const _restored: Promise<boolean> = user.restore();
  const _removed: Promise<boolean> = user.forceDelete();
  const _deleted: boolean = user.isDeleted();
  const _count: Promise<number> = User.forceDeleteAll(['age < ?', 18]);
  const _soft: Promise<number> = User.where({ age: lt(18) }).forceDeleteAll();
}

async function undeclared(): Promise<void> {
  const _loose = await Loose.where({ anything: 1, other: gt(3), label: like('x%') });
  expectType<Equal<typeof _loose, Loose[]>>(true);
  Loose.query().orderBy('whatever', 'desc').select('a', 'b').group('c');
  const _plucked = await Loose.query().pluck('x');
  expectType<Equal<typeof _plucked, unknown[]>>(true);
  Loose.query().include('anything');
  Loose.whereHas('anything');
  await Loose.sum('x');
}

/*
 * find({ limit }): Twistar resolves `limit: 1` to one object or null and any other limit to an array, at run
 * time, whatever the static type. Assumed sound and precise: the literal 1 gives `M | null`, another literal or
 * none `M[]`, and a `number` (which may be 1 at run time) the union `M | M[] | null`.
 */
async function findLimits(): Promise<void> {
  const _byOne = await User.find({ limit: 1 });
  expectType<Equal<typeof _byOne, User | null>>(true);
  const _byFive = await User.find({ orderBy: 'id', limit: 5 });
  expectType<Equal<typeof _byFive, User[]>>(true);
  const _byNone = await User.find({ where: ['age > ?', 1] });
  expectType<Equal<typeof _byNone, User[]>>(true);
  const n: number = Math.floor(Math.random() * 3);
  const _byNumber = await User.find({ limit: n });
  expectType<Equal<typeof _byNumber, User | User[] | null>>(true);
  const _byUndefined = await User.find({ where: undefined, limit: undefined });
  expectType<Equal<typeof _byUndefined, User[]>>(true);
  // A FindOptions value may hold limit 1.
  const options: FindOptions = { limit: n };
  const _byOptions = await User.find(options);
  expectType<Equal<typeof _byOptions, User | User[] | null>>(true);
  // The same rule in findBy and a relation's get().
  const _byAttributes = await User.findBy({ first_name: 'Ann' }, { limit: n });
  expectType<Equal<typeof _byAttributes, User | User[] | null>>(true);
  const _pictures = await new User().pictures.get({ limit: n });
  expectType<Equal<typeof _pictures, Picture | Picture[] | null>>(true);
}

/** A project using twistar under exactOptionalPropertyTypes: explicit `undefined` options compile. */
const EXACT_OPTIONAL = `
import { DBObject, gte, type FindOptions } from 'twistar';

class User extends DBObject {
  declare id: number;
  declare age: number | null;
}

export async function run(where: FindOptions['where'], after: string | undefined): Promise<void> {
  const options: FindOptions = {
    where: undefined,
    orderBy: undefined,
    group: undefined,
    limit: undefined,
    offset: undefined,
    lock: undefined,
    include: undefined,
    batch: undefined,
  };
  await User.find(options);
  await User.find({ where, limit: undefined });
  await User.all({ where: undefined, orderBy: undefined });
  await User.findBy({ age: 1 }, { limit: undefined, include: undefined });
  await User.count(undefined);
  await User.query().cursorPage({ after, limit: 10 });
  await User.query().cursorPage({ after: undefined, limit: 10 });
  for await (const _user of User.query().orderBy('id').each({ batchSize: undefined })) break;
  await User.query().forUpdate({ skipLocked: undefined, noWait: undefined });
  await User.where({ age: gte(1) }).paginate({ page: 1, perPage: 10 });
}
`;

/** Upserts and createMany (issue 15): typed keys, values and results. */
async function writes(): Promise<void> {
  const { record: _record, created: _created } = await User.upsert(
    { first_name: 'Ann', age: 3 },
    { uniqueBy: ['first_name'] },
  );
  expectType<Equal<typeof _record, User>>(true);
  expectType<Equal<typeof _created, boolean>>(true);
  const _many = await User.upsertMany([{ first_name: 'Ann' }], { uniqueBy: ['first_name'], update: ['age'] });
  expectType<Equal<typeof _many.records, User[]>>(true);
  expectType<Equal<typeof _many.created | typeof _many.updated, number>>(true);
  // @ts-expect-error -- a misspelled key column
  await User.upsert({ first_name: 'Ann' }, { uniqueBy: ['frist_name'] });
  // @ts-expect-error -- a misspelled update column
  await User.upsert({ first_name: 'Ann' }, { uniqueBy: ['first_name'], update: ['agee'] });
  // @ts-expect-error -- a value of the wrong type
  await User.upsert({ first_name: 3 }, { uniqueBy: ['first_name'] });
  // @ts-expect-error -- uniqueBy is required
  await User.upsert({ first_name: 'Ann' }, {});
  const _all = await User.createMany([{ first_name: 'Ann' }]);
  expectType<Equal<typeof _all, User[]>>(true);
  const _ignoring = await User.createMany([{ first_name: 'Ann' }], { onConflict: 'ignore' });
  expectType<Equal<typeof _ignoring, { readonly created: number; readonly records: User[] }>>(true);
  // @ts-expect-error -- not a choice
  await User.createMany([{ first_name: 'Ann' }], { onConflict: 'replace' });
  const _loose = await Loose.upsert({ anything: 1 }, { uniqueBy: ['anything'] });
  expectType<Equal<typeof _loose.record, Loose>>(true);
}

it('types queries from the model: columns, relations, operators, results and scopes (checked by typecheck)', () => {
  for (const check of [
    queries,
    operators,
    columnNames,
    selectAndPluck,
    aggregates,
    pages,
    relations,
    locks,
    scopes,
    narrowing,
    undeclared,
    findLimits,
    writes,
    softDeletes,
  ])
    assert.equal(typeof check, 'function');
});

it('FindOptions and the query options take explicit undefined values under exactOptionalPropertyTypes', () => {
  assert.deepEqual(typeErrors(EXACT_OPTIONAL, { exactOptionalPropertyTypes: true }), []);
  // The check itself finds errors: a misspelled option is one.
  assert.notDeepEqual(
    typeErrors(`${EXACT_OPTIONAL}\nexport const bad: FindOptions = { limt: 1 };\n`, {
      exactOptionalPropertyTypes: true,
    }),
    [],
  );
});
