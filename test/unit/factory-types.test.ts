import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DBObject, type BelongsTo } from '../../src/index.js';
import { defineFactory, type Factory } from '../../src/testing/index.js';
import { type Equal, expectType } from '../support/type-checks.js';

/*
 * Compile-time tests of the model factories' types (issue 15). The functions below never run: `npm run
 * typecheck` checks them, and every `// @ts-expect-error` line fails the check once it stops being an error.
 */

class User extends DBObject {
  declare id: number;
  declare first_name: string;
  declare age: number | null;
  declare admin: boolean;
}

class Post extends DBObject {
  static override BELONGSTO = ['user'];
  declare id: number;
  declare title: string;
  declare user_id: number;
  declare user: BelongsTo<User>;
}

/** A model that declares no columns takes any values, as its `create` does. */
class Loose extends DBObject {}

const users = defineFactory(User, (seq) => ({ first_name: `Ann ${seq}`, age: 30 + seq, admin: false }));

function definitions(): void {
  // @ts-expect-error a misspelled column in the definition
  defineFactory(User, (seq) => ({ frist_name: `Ann ${seq}` }));
  // @ts-expect-error a misspelled column beside right ones
  defineFactory(User, (seq) => ({ first_name: `Ann ${seq}`, agge: 30 }));
  // @ts-expect-error a misspelled column returned from a block body
  defineFactory(User, (seq) => {
    return { first_name: `Ann ${seq}`, agge: 30 };
  });
  // @ts-expect-error a value of the wrong type
  defineFactory(User, () => ({ age: 'thirty' }));
  // @ts-expect-error a relation is not a column
  defineFactory(Post, () => ({ user: null }));
  // Lazy values: a function (sync or async) of the column's type, which create() calls.
  defineFactory(Post, (seq) => ({ title: `Post ${seq}`, user_id: async () => (await users.create()).id }));
  // @ts-expect-error a lazy value of the wrong type
  defineFactory(Post, () => ({ user_id: async () => 'one' }));
  defineFactory(Loose, () => ({ anything: 1 }));
  // @ts-expect-error not a model class
  defineFactory(Date, () => ({}));
}

async function calls(): Promise<void> {
  expectType<Equal<typeof users, Factory<User>>>(true);
  const _single = users.build({ age: null });
  expectType<Equal<typeof _single, User>>(true);
  const _one = await users.create({ age: 40 });
  expectType<Equal<typeof _one, User>>(true);
  const _many = await users.create(3, { age: 40 });
  expectType<Equal<typeof _many, User[]>>(true);
  const _built = users.build(2);
  expectType<Equal<typeof _built, User[]>>(true);
  await users.create(2, (seq) => ({ first_name: `Bob ${seq}` }));
  // @ts-expect-error a misspelled column in the overrides
  await users.create({ frist_name: 'Ann' });
  // @ts-expect-error a misspelled column in the overrides of many
  await users.create(3, { agee: 1 });
  // @ts-expect-error a misspelled column in overrides given as a function
  users.build((seq) => ({ first_nam: `x${seq}` }));
  // @ts-expect-error a misspelled column beside a right one, in overrides given as a function
  await users.create(2, (seq) => ({ first_name: `x${seq}`, agge: 1 }));
  // @ts-expect-error a misspelled column in a state given as a function
  users.with((seq) => ({ admin: seq > 1, admn: true }));
  // @ts-expect-error the wrong type in a state
  users.with({ admin: 'yes' });
  const _admins = users.with({ admin: true });
  expectType<Equal<typeof _admins, Factory<User>>>(true);
  // @ts-expect-error the count comes first
  await users.create({ age: 1 }, 3);
}

it('the factory type checks above compile (npm run typecheck runs them)', () => {
  for (const check of [definitions, calls]) assert.equal(typeof check, 'function');
});
