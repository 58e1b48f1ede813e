import assert from 'node:assert/strict';
import {
  DBObject,
  Registry,
  ToJsonError,
  gte,
  lt,
  oneOf,
  type BelongsTo,
  type ColumnNames,
  type HABTM,
  type HasMany,
  type HasOne,
} from '../../src/index.js';
import { describeEachBackend, it } from '../support/backends.js';
import {
  type Avatar,
  type Color,
  Tally,
  people,
  refused,
  seedRelations,
  useQueryTables,
} from '../support/query-models.js';

/*
 * Serialisation control (issue 15): `static HIDDEN` keeps columns out of toJSON() and so of JSON.stringify, at
 * every level; `toJSON({ only, except, showHidden, include })` picks columns and adds loaded relations.
 */

class JsonUser extends DBObject {
  static override TABLENAME = 'query_users';
  static override HIDDEN: ColumnNames<JsonUser> = ['balance'];
  static override HASMANY = [{ name: 'pictures', className: 'JsonPicture', foreignKey: 'user_id' }];
  static override HASONE = [{ name: 'avatar', className: 'Avatar', foreignKey: 'user_id' }];
  static override HABTM = [
    { name: 'colors', className: 'Color', joinTable: 'query_colors_users', foreignKey: 'user_id' },
  ];
  declare id: number;
  declare first_name: string;
  declare last_name: string | null;
  declare age: number | null;
  declare balance: string | null;
  declare pictures: HasMany<JsonPicture>;
  declare avatar: HasOne<Avatar>;
  declare colors: HABTM<Color>;
}

class JsonPicture extends DBObject {
  static override TABLENAME = 'query_pictures';
  static override HIDDEN: ColumnNames<JsonPicture> = ['size'];
  static override BELONGSTO = [{ name: 'user', className: 'JsonUser' }];
  declare id: number;
  declare user_id: number | null;
  declare name: string;
  declare size: number | null;
  declare user: BelongsTo<JsonUser>;
}

/** Inherits its parent's HIDDEN. */
class JsonAdmin extends JsonUser {}

/** Hides nothing, though its parent does. */
class OpenUser extends JsonUser {
  static override HIDDEN = [];
}

/** A misspelled HIDDEN: it would leave `balance` in every toJSON. */
class MisspelledUser extends DBObject {
  static override TABLENAME = 'query_users';
  static override HIDDEN = ['balanse'];
}

Registry.register(JsonUser, JsonPicture, JsonAdmin, OpenUser, MisspelledUser);

const keys = (value: unknown): string[] => Object.keys(value as object).sort();

async function ann(): Promise<JsonUser> {
  const found = await JsonUser.find(people.Ann.id);
  assert.ok(found);
  return found;
}

describeEachBackend('serialisation (toJSON, HIDDEN)', (db) => {
  useQueryTables(db, seedRelations);

  it('a hidden column is absent from JSON.stringify of a record, of a list, of an object holding them', async () => {
    const user = await ann();
    assert.deepEqual(keys(JSON.parse(JSON.stringify(user))), ['age', 'first_name', 'id', 'last_name']);
    // Still on the object, and in toHash(): HIDDEN is about JSON only.
    assert.equal(user.balance, '10.10');
    assert.equal(user.toHash().balance, '10.10');
    const smiths = await JsonUser.where({ last_name: 'Smith' }).orderBy('id');
    const text = JSON.stringify({ users: smiths, first: smiths[0], page: { data: [smiths] } });
    assert.doesNotMatch(text, /balance|10\.10|0\.10/);
    assert.equal((JSON.parse(text) as { users: unknown[] }).users.length, 3);
    // A record not saved yet, and one of a subclass, likewise.
    assert.doesNotMatch(JSON.stringify(JsonUser.build({ first_name: 'New', balance: '7.77' })), /balance/);
    assert.doesNotMatch(JSON.stringify(await JsonAdmin.find(people.Ann.id)), /balance/);
    // A subclass may hide nothing.
    assert.equal(
      (JSON.parse(JSON.stringify(await OpenUser.find(people.Ann.id))) as JsonUser).balance,
      '10.10',
    );
  });

  it('records loaded with include keep their hidden columns out, at every level', async () => {
    const users = await JsonUser.where({ first_name: oneOf(['Ann', 'Bob']) })
      .include('pictures', 'avatar')
      .orderBy('id');
    // Without options, toJSON gives no relations: the JSON is the columns, hidden ones left out.
    assert.doesNotMatch(JSON.stringify(users), /balance|pictures|avatar/);
    const json = users.map((user) => user.toJSON({ include: ['pictures', 'avatar'] }));
    const text = JSON.stringify(json);
    assert.doesNotMatch(text, /balance|size/);
    assert.deepEqual(
      json[0]?.pictures.map((picture) => picture.name),
      ['beach', 'hills', 'city'],
    );
    assert.deepEqual(keys(json[0]?.pictures[0]), ['id', 'name', 'user_id']);
    assert.equal(json[0]?.avatar?.name, 'ann.png');
    // Bob has no avatar.
    assert.equal(json[1]?.avatar, null);
    // The related records themselves, serialised alone.
    const pictures = await (await ann()).pictures.get();
    assert.doesNotMatch(JSON.stringify(pictures), /size/);
  });

  it('only, except and showHidden pick the columns; a hidden one comes out only when showHidden names it', async () => {
    const user = await ann();
    assert.deepEqual(user.toJSON({ only: ['id', 'first_name'] }), { id: user.id, first_name: 'Ann' });
    assert.deepEqual(keys(user.toJSON({ except: ['age', 'last_name'] })), ['first_name', 'id']);
    assert.deepEqual(keys(user.toJSON({ only: ['first_name'], except: undefined })), ['first_name']);
    assert.throws(() => user.toJSON({ only: ['first_name', 'balance'] }), /"balance".*showHidden/s);
    assert.throws(() => user.toJSON({ only: ['balance'] }), ToJsonError);
    assert.deepEqual(user.toJSON({ only: ['balance'], showHidden: ['balance'] }), { balance: '10.10' });
    assert.deepEqual(keys(user.toJSON({ showHidden: ['balance'] })), [
      'age',
      'balance',
      'first_name',
      'id',
      'last_name',
    ]);
    assert.deepEqual(keys(user.toJSON({ except: ['age'], showHidden: ['balance'] })), [
      'balance',
      'first_name',
      'id',
      'last_name',
    ]);
    // except never reveals: a hidden column stays out.
    assert.deepEqual(keys(user.toJSON({ except: ['age'] })), ['first_name', 'id', 'last_name']);
  });

  it('include takes a name, a list, or names with the options of the related objects, nested', async () => {
    const [user] = await JsonUser.where({ id: people.Ann.id }).include('pictures.user', 'avatar', 'colors');
    assert.ok(user);
    const json = user.toJSON({
      only: ['first_name'],
      include: {
        pictures: { only: ['name'], include: { user: { only: ['id', 'first_name'] } } },
        avatar: true,
        colors: { except: ['id'] },
      },
    });
    assert.deepEqual(keys(json), ['avatar', 'colors', 'first_name', 'pictures']);
    assert.deepEqual(json.pictures, [
      { name: 'beach', user: { id: user.id, first_name: 'Ann' } },
      { name: 'hills', user: { id: user.id, first_name: 'Ann' } },
      { name: 'city', user: { id: user.id, first_name: 'Ann' } },
    ]);
    assert.deepEqual(keys(json.avatar), ['id', 'name', 'user_id']);
    assert.deepEqual(json.colors.map((color) => color.name).sort(), ['blue', 'red']);
    assert.deepEqual(keys(json.colors[0]), ['name']);
    // The related model's HIDDEN applies to it, also back at the owner's model.
    const nested = JSON.stringify(user.toJSON({ include: { pictures: { include: 'user' } } }));
    assert.doesNotMatch(nested, /balance|size/);
    assert.match(nested, /"first_name":"Ann"/);
    // A picture of nobody: its belongs-to is null.
    const [lost] = await JsonPicture.where({ name: 'lost' }).include('user');
    assert.deepEqual(lost?.toJSON({ only: ['name'], include: 'user' }), { name: 'lost', user: null });
  });

  it('a relation not loaded, or not declared, is refused, and toJSON sends nothing', async () => {
    const user = await ann();
    await refused(db.pool, () => user.toJSON({ include: 'pictures' }), ToJsonError, 'not loaded');
    assert.throws(() => user.toJSON({ include: 'pictures' }), /not loaded.*include\('pictures'\)/s);
    await refused(
      db.pool,
      () => user.toJSON({ include: 'friends' as 'pictures' }),
      ToJsonError,
      'not declared',
    );
    await user.pictures.get();
    assert.equal(user.toJSON({ include: 'pictures' }).pictures.length, 3);
    // Forgotten again: reload(), refresh().
    user.pictures.reload();
    assert.throws(() => user.toJSON({ include: 'pictures' }), ToJsonError);
    await user.loadRelations('avatar');
    assert.equal(user.toJSON({ include: 'avatar' }).avatar?.name, 'ann.png');
    await user.refresh();
    assert.throws(() => user.toJSON({ include: 'avatar' }), ToJsonError);
  });

  it('refuses options it does not take: unknown keys, only with except, unknown columns, wrong shapes', async () => {
    const user = await ann();
    const refusedWith = (options: unknown, message: RegExp) =>
      assert.throws(
        () => user.toJSON(options as object),
        (error: unknown) => error instanceof ToJsonError && message.test(error.message),
      );
    refusedWith(
      { fields: ['id'] },
      /has no option "fields"; its options are only, except, showHidden, include/,
    );
    refusedWith({ only: ['id'], except: ['age'] }, /only or except, not both/);
    refusedWith({ only: ['frist_name'] }, /"frist_name".*no column/);
    refusedWith({ showHidden: ['pasword'] }, /"pasword"/);
    refusedWith({ only: 'id' }, /must be a list of column names/);
    refusedWith({ include: 42 }, /include takes a relation name/);
    refusedWith({ include: { pictures: 'yes' } }, /include\.pictures must be true or the options/);
    refusedWith([], /takes an options object/);
    // What JSON.stringify passes (the record's key in its parent) is no option.
    assert.deepEqual(user.toJSON('0' as never), user.toJSON());
    assert.deepEqual(user.toJSON(undefined as never), user.toJSON());
  });

  it('a HIDDEN that names no column is refused once the columns are known, and Registry.verify reports it', async () => {
    const found = await MisspelledUser.find(people.Ann.id);
    assert.ok(found);
    assert.throws(
      () => JSON.stringify(found),
      (error: unknown) =>
        error instanceof ToJsonError && /MisspelledUser\.HIDDEN names "balanse"/.test(error.message),
    );
    const problems = await Registry.verify({ models: [MisspelledUser] });
    assert.deepEqual(
      problems.map(({ kind, column }) => [kind, column]),
      [['missing-column', 'balanse']],
    );
  });

  it('before a model has read its columns, HIDDEN still hides, and names are not checked', () => {
    class FreshUser extends DBObject {
      static override TABLENAME = 'query_users';
      static override HIDDEN = ['balance'];
    }
    const fresh = new FreshUser({ first_name: 'New', balance: '1.00', nickname: 'x' });
    assert.deepEqual(keys(fresh.toJSON()), ['first_name', 'id', 'nickname']);
    assert.deepEqual(fresh.toJSON({ only: ['first_name', 'not_yet_known'] }), { first_name: 'New' });
  });

  it('bigints come out as text, with options or without', async () => {
    const tally = await Tally.create({ n: 2n ** 60n });
    assert.equal((JSON.parse(JSON.stringify(tally)) as { n: unknown }).n, '1152921504606846976');
    assert.deepEqual(tally.toJSON({ only: ['n'] }), { n: '1152921504606846976' });
  });

  it('overlapping loads serialise each its own relations; a save under way changes nothing', async () => {
    const [large, small] = await Promise.all([
      JsonUser.where({ id: people.Ann.id }).include({ pictures: (q) => q.where({ size: gte(100) }) }),
      JsonUser.where({ id: people.Ann.id }).include({ pictures: (q) => q.where({ size: lt(100) }) }),
    ]);
    const names = (users: JsonUser[]) =>
      users[0]?.toJSON({ include: 'pictures' }).pictures.map((picture) => picture.name);
    assert.deepEqual(names(large), ['hills', 'city']);
    assert.deepEqual(names(small), ['beach']);
    const user = await ann();
    user.balance = '99.99';
    user.age = 31;
    const saving = user.save();
    const during = JSON.stringify(user);
    await saving;
    assert.doesNotMatch(during, /balance/);
    assert.equal((JSON.parse(during) as JsonUser).age, 31);
    assert.equal((await JsonUser.find(user.id))?.balance, '99.99');
  });
});
