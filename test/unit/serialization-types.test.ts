import assert from 'node:assert/strict';
import { it } from 'node:test';
import {
  DBObject,
  type BelongsTo,
  type ColumnNames,
  type HABTM,
  type HasMany,
  type HasOne,
  type JsonOf,
  type JsonOptions,
} from '../../src/index.js';
import { type Equal, expectType, typeErrors } from '../support/type-checks.js';

/*
 * Compile-time tests of toJSON's types and `static HIDDEN` (issue 15). The functions below never run: `npm run
 * typecheck` checks them, and every `// @ts-expect-error` line fails the check once it stops being an error.
 */

class Picture extends DBObject {
  static override BELONGSTO = ['user'];
  static override HIDDEN: ColumnNames<Picture> = ['storage_key'];
  declare id: number;
  declare url: string;
  declare storage_key: string;
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
  static override HIDDEN: ColumnNames<User> = ['password_hash'];
  declare id: number;
  declare first_name: string;
  declare age: number | null;
  declare visits: number | bigint;
  declare password_hash: string;
  declare pictures: HasMany<Picture>;
  declare avatar: HasOne<Avatar>;
  declare colors: HABTM<Color>;
  greet(): string {
    return `hi ${this.first_name}`;
  }
}

/** A model that declares nothing: any name goes. */
class Loose extends DBObject {}

function hiddenLists(): void {
  class _Typed extends DBObject {
    declare email: string;
    declare password_hash: string;
    static override HIDDEN: ColumnNames<_Typed> = ['password_hash', 'id'];
  }
  class _Misspelled extends DBObject {
    declare email: string;
    declare password_hash: string;
    // @ts-expect-error -- a misspelled column in a typed HIDDEN
    static override HIDDEN: ColumnNames<_Misspelled> = ['pasword_hash'];
  }
  class _Method extends DBObject {
    declare email: string;
    // @ts-expect-error -- a method is not a column
    static override HIDDEN: ColumnNames<_Method> = ['save'];
  }
  // The same type checks GUARDED and FILLABLE.
  class _Guarded extends DBObject {
    declare is_admin: boolean;
    static override GUARDED: ColumnNames<_Guarded> = ['is_admin'];
    // @ts-expect-error -- a misspelled column in a typed FILLABLE
    static override FILLABLE: ColumnNames<_Guarded> = ['is_admn'];
  }
  // @ts-expect-error -- HIDDEN is a list, not one name
  class _NotAList extends DBObject {
    static override HIDDEN = 'password_hash';
  }
  // Untyped, any string goes at compile time (the run time refuses a name the table lacks).
  class _Untyped extends DBObject {
    static override HIDDEN = ['anything'];
  }
}

function plain(user: User): void {
  const _json = user.toJSON();
  expectType<
    Equal<
      typeof _json,
      {
        id?: number;
        first_name?: string;
        age?: number | null;
        visits?: number | string;
        password_hash?: string;
      }
    >
  >(true);
  // No relation, no method.
  // @ts-expect-error -- relations are not in toJSON() without include
  void _json.pictures;
  // @ts-expect-error -- methods are not columns
  void _json.greet;
}

function picking(user: User): void {
  const _only = user.toJSON({ only: ['id', 'first_name'] });
  expectType<Equal<typeof _only, { id?: number; first_name?: string }>>(true);
  const _except = user.toJSON({ except: ['age', 'visits', 'password_hash'] });
  expectType<Equal<typeof _except, { id?: number; first_name?: string }>>(true);
  const _shown = user.toJSON({ only: ['id', 'password_hash'], showHidden: ['password_hash'] });
  expectType<Equal<typeof _shown, { id?: number; password_hash?: string }>>(true);
  // @ts-expect-error -- a misspelled column in only
  user.toJSON({ only: ['frist_name'] });
  // @ts-expect-error -- a misspelled column in except
  user.toJSON({ except: ['agee'] });
  // @ts-expect-error -- a misspelled column in showHidden
  user.toJSON({ showHidden: ['password'] });
  // @ts-expect-error -- a relation is not a column
  user.toJSON({ only: ['pictures'] });
  // @ts-expect-error -- an unknown option
  user.toJSON({ fields: ['id'] });
  // @ts-expect-error -- only takes a list
  user.toJSON({ only: 'id' });
}

function including(user: User): void {
  const _one = user.toJSON({ include: 'pictures' });
  expectType<Equal<(typeof _one)['pictures'], JsonOf<Picture>[]>>(true);
  const _many = user.toJSON({ only: ['id'], include: ['pictures', 'avatar', 'colors'] });
  expectType<Equal<(typeof _many)['avatar'], JsonOf<Avatar> | null>>(true);
  expectType<Equal<(typeof _many)['colors'], JsonOf<Color>[]>>(true);
  expectType<Equal<(typeof _many)['id'], number | undefined>>(true);
  const _nested = user.toJSON({
    include: { pictures: { only: ['url'], include: { user: { only: ['first_name'] } } }, avatar: true },
  });
  const _picture = _nested.pictures[0];
  expectType<Equal<NonNullable<typeof _picture>['url'], string | undefined>>(true);
  expectType<Equal<NonNullable<typeof _picture>['user'], { first_name?: string } | null>>(true);
  expectType<Equal<(typeof _nested)['avatar'], JsonOf<Avatar> | null>>(true);
  // @ts-expect-error -- a misspelled relation
  user.toJSON({ include: 'picture' });
  // @ts-expect-error -- a misspelled relation in a list
  user.toJSON({ include: ['pictures', 'avatr'] });
  // @ts-expect-error -- a column of the related model, misspelled
  user.toJSON({ include: { pictures: { only: ['uri'] } } });
  // @ts-expect-error -- a column of the owner is not one of the related model
  user.toJSON({ include: { avatar: { only: ['first_name'] } } });
  // @ts-expect-error -- an unknown option of a related model
  user.toJSON({ include: { pictures: { fields: ['url'] } } });
}

function options(user: User, given: JsonOptions<User>): void {
  // A JsonOptions value (not a literal): every column, optional.
  const _wide = user.toJSON(given);
  expectType<Equal<(typeof _wide)['first_name'], string | undefined>>(true);
  // A record of the related model: JSON.stringify of a list needs no option.
  const _pictures: JsonOf<Picture>[] = [new Picture()].map((picture) => picture.toJSON());
  void _pictures;
}

function undeclared(loose: Loose): void {
  const _json = loose.toJSON({ only: ['anything'], include: { whatever: { only: ['x'] } } });
  expectType<Equal<(typeof _json)['anything'], unknown>>(true);
  const _plain = loose.toJSON();
  expectType<Equal<typeof _plain, { [x: string]: unknown }>>(true);
}

function overrides(): void {
  // A model may still override toJSON, adding values of its own.
  class _WithFullName extends DBObject {
    declare first_name: string;
    declare last_name: string;
    override toJSON() {
      return { ...super.toJSON(), full_name: `${this.first_name} ${this.last_name}` };
    }
  }
  const _json = new _WithFullName().toJSON();
  expectType<Equal<typeof _json.full_name, string>>(true);
  // Or a shape of its own, or the loose type toJSON had before it was typed.
  class _OwnShape extends DBObject {
    declare first_name: string;
    override toJSON() {
      return { name: this.first_name };
    }
  }
  const _own: { name: string } = new _OwnShape().toJSON();
  class _Loose extends DBObject {
    override toJSON(): Record<string, unknown> {
      return { ...super.toJSON(), extra: true };
    }
  }
  void _Loose;
}

/** A project using twistar under exactOptionalPropertyTypes: explicit `undefined` options compile. */
const EXACT_OPTIONAL = `
import { DBObject, type ColumnNames, type HasMany } from 'twistar';

class Picture extends DBObject {
  declare id: number;
  declare url: string;
}

class User extends DBObject {
  static override HASMANY = ['pictures'];
  static override HIDDEN: ColumnNames<User> = ['password_hash'];
  declare id: number;
  declare email: string;
  declare password_hash: string;
  declare pictures: HasMany<Picture>;
}

export function run(user: User, only: ColumnNames<User> | undefined): unknown {
  return [
    user.toJSON({ only: undefined, except: undefined, showHidden: undefined, include: undefined }),
    user.toJSON({ only, include: { pictures: undefined } }),
    user.toJSON({ include: { pictures: { only: undefined } } }),
  ];
}
`;

it('types toJSON from the model: HIDDEN, only, except, showHidden, include (checked by typecheck)', () => {
  for (const check of [hiddenLists, plain, picking, including, options, undeclared, overrides])
    assert.equal(typeof check, 'function');
});

it('toJSON options take explicit undefined values under exactOptionalPropertyTypes', () => {
  assert.deepEqual(typeErrors(EXACT_OPTIONAL, { exactOptionalPropertyTypes: true }), []);
  // The check itself finds errors: a misspelled column is one.
  assert.notDeepEqual(
    typeErrors(`${EXACT_OPTIONAL}\nexport const bad = (u: User) => u.toJSON({ only: ['emial'] });\n`, {
      exactOptionalPropertyTypes: true,
    }),
    [],
  );
});
