import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  DBObject,
  connect,
  postgresDialect,
  registerDialect,
  transaction,
  type Attributes,
  type Dialect,
  type DialectDefinition,
  type BelongsTo,
  type HABTM,
  type HasMany,
  type HasOne,
  type Id,
} from '../../src/index.js';
import { type Equal, expectType } from '../support/type-checks.js';

class Picture extends DBObject {
  static override BELONGSTO = ['user'];
  declare id: number;
  declare name: string;
  declare user: BelongsTo<User>;
}

class User extends DBObject {
  static override HASMANY = ['pictures'];
  declare id: number;
  declare first_name: string;
  declare age: number | null;
  declare pictures: HasMany<Picture>;
  declare avatar: HasOne<Picture>;
  declare colors: HABTM<Picture>;
  greet(): string {
    return `hi ${this.first_name}`;
  }
}

// These lines are checked by `npm run typecheck`; the test below only keeps them from being dead code.
async function typed(): Promise<void> {
  const _one = await User.find(1);
  expectType<Equal<typeof _one, User | null>>(true);
  const _many = await User.find({ where: ['age > ?', 1] });
  expectType<Equal<typeof _many, User[]>>(true);
  const _first = await User.find({ orderBy: 'id', limit: 1 });
  expectType<Equal<typeof _first, User | null>>(true);
  const _all = await User.all();
  expectType<Equal<typeof _all, User[]>>(true);
  const _byName = await User.findBy({ first_name: 'Ann' });
  expectType<Equal<typeof _byName, User[]>>(true);
  const _created = await User.findOrCreate({ first_name: 'Ann' });
  expectType<Equal<typeof _created, User>>(true);
  const _saved = await new User({ first_name: 'Ann' }).save();
  expectType<Equal<typeof _saved, User>>(true);
  expectType<Equal<typeof _saved.id, number>>(true);
  const _plain = new DBObject();
  expectType<Equal<typeof _plain.id, Id | null>>(true);
  expectType<Equal<Attributes<User>, { first_name: string; age: number | null }>>(true);
  const _pictures = await _saved.pictures.get();
  expectType<Equal<typeof _pictures, Picture[]>>(true);
  const _firstPicture = await _saved.pictures.get({ orderBy: 'id', limit: 1 });
  expectType<Equal<typeof _firstPicture, Picture | null>>(true);
  const _avatar = await _saved.avatar.get();
  expectType<Equal<typeof _avatar, Picture | null>>(true);
  const _colors = await _saved.colors.get({ joinWhere: ['x = ?', 1] });
  expectType<Equal<typeof _colors, Picture[]>>(true);
  const _owner = await new Picture().user.get();
  expectType<Equal<typeof _owner, User | null>>(true);
  // @ts-expect-error set() takes objects of the related class
  await _saved.pictures.set([saved]);
  // @ts-expect-error first_name is declared as a string
  await User.findBy({ first_name: 42 });
  // @ts-expect-error a declared column cannot be given a value of another type
  User.build({ age: 'old' });
}

// A database added from outside is type-checked against the contract.
function dialects(): void {
  const definition: DialectDefinition = {
    dialect: { ...postgresDialect, displayName: 'Embedded' },
    urlSchemes: ['embedded'],
    parseUrl: () => ({ filename: ':memory:' }),
    createDriver: () => ({ defaultPoolSize: 1, connect: () => Promise.reject(new Error('no')) }),
  };
  registerDialect('embedded', definition);
  connect({ dialect: definition, max: 1 });
  // @ts-expect-error a definition without a driver is no definition
  registerDialect('nodriver', { dialect: postgresDialect, urlSchemes: ['x'], parseUrl: () => ({}) });
  // @ts-expect-error a dialect has every member of the contract
  const _partial: Dialect = { name: 'partial', displayName: 'Partial' };
  // @ts-expect-error connect({ dialect }) takes pool options, spelled right
  connect({ dialect: 'sqlite', filenme: 'app.db' });
}

// Transactions take the isolation levels by name; a dialect written before beginTransactionAt still type-checks.
function isolation(): void {
  void transaction(() => 1, { isolation: 'repeatable read' });
  // @ts-expect-error an isolation level is one of three, in lower case
  void transaction(() => 1, { isolation: 'SERIALIZABLE' });
  const { beginTransactionAt: _, ...older } = postgresDialect;
  const _older: Dialect = older;
}

it('types model results from the class the finder is called on', () => {
  assert.equal(typeof dialects, 'function');
  assert.equal(typeof isolation, 'function');
  assert.equal(typeof typed, 'function');
  assert.equal(new User({ first_name: 'Ann' }).greet(), 'hi Ann');
});
