import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import {
  CannotRefreshError,
  ClassNotRegisteredError,
  ConnectionError,
  DBObjectSaveError,
  ImaginaryTableError,
  KeyNotUniqueError,
  InvalidQueryError,
  InvalidRelationshipError,
  PoolTimeoutError,
  QueryError,
  ReferenceNotSavedError,
  TransactionError,
  TwistarError,
} from '../../src/errors.js';
import { Errors } from '../../src/validation/errors.js';
import { lengthOf, presenceOf } from '../../src/validation/validators.js';
import { isUniqueViolation } from '../../src/dialects/dialect-registry.js';

describe('Errors (validation messages)', () => {
  it("stores add('first_name', 'cannot be blank.') as 'First name cannot be blank.'", () => {
    const errors = new Errors();
    errors.add('first_name', 'cannot be blank.');
    assert.deepEqual(errors.errorsFor('first_name'), ['First name cannot be blank.']);
  });

  it('is empty until a message is added, and empty again after clear()', () => {
    const errors = new Errors();
    assert.equal(errors.isEmpty(), true);
    assert.equal(errors.length, 0);
    errors.add('age', 'must be a number.');
    assert.equal(errors.isEmpty(), false);
    errors.clear();
    assert.equal(errors.isEmpty(), true);
    assert.equal(errors.length, 0);
    assert.deepEqual(errors.errorsFor('age'), []);
    assert.deepEqual(errors.toJSON(), {});
  });

  it('keeps several messages per property, in the order added', () => {
    const errors = new Errors();
    errors.add('name', 'cannot be blank.');
    errors.add('name', 'is too short.');
    assert.deepEqual(errors.errorsFor('name'), ['Name cannot be blank.', 'Name is too short.']);
  });

  it('gives [] from errorsFor for a property without messages', () => {
    assert.deepEqual(new Errors().errorsFor('nothing'), []);
  });

  it('gives a copy from errorsFor: changing it leaves the messages alone', () => {
    const errors = new Errors();
    errors.add('name', 'cannot be blank.');
    const copy = errors.errorsFor('name');
    copy.push('tampered');
    copy.length = 0;
    assert.deepEqual(errors.errorsFor('name'), ['Name cannot be blank.']);
    assert.equal(errors.length, 1);
  });

  it('counts the messages of every property in length', () => {
    const errors = new Errors();
    errors.add('name', 'cannot be blank.');
    errors.add('name', 'is too short.');
    errors.add('age', 'must be positive.');
    assert.equal(errors.length, 3);
    assert.deepEqual(errors.properties(), ['name', 'age']);
    assert.deepEqual(errors.fullMessages(), [
      'Name cannot be blank.',
      'Name is too short.',
      'Age must be positive.',
    ]);
  });

  it('joins every message with a space in toString', () => {
    const errors = new Errors();
    errors.add('first_name', 'cannot be blank.');
    errors.add('age', 'must be positive.');
    assert.equal(errors.toString(), 'First name cannot be blank. Age must be positive.');
    assert.equal(String(new Errors()), '');
  });

  it('serialises to { property: messages } with toJSON and JSON.stringify', () => {
    const errors = new Errors();
    errors.add('first_name', 'cannot be blank.');
    errors.add('age', 'must be positive.');
    const expected = { first_name: ['First name cannot be blank.'], age: ['Age must be positive.'] };
    assert.deepEqual(errors.toJSON(), expected);
    assert.deepEqual(JSON.parse(JSON.stringify(errors)), expected);
  });

  it('gives a snapshot from toJSON: changing it leaves the messages alone', () => {
    const errors = new Errors();
    errors.add('name', 'cannot be blank.');
    errors.toJSON().name?.push('tampered');
    assert.deepEqual(errors.errorsFor('name'), ['Name cannot be blank.']);
    assert.equal(errors.length, 1);
  });
});

/** A plain object with an `errors` property, as the validators expect of a record. */
function record<T extends object>(fields: T): T & { errors: Errors } {
  return { ...fields, errors: new Errors() };
}

describe('presenceOf', () => {
  it('adds "cannot be blank." for undefined, null, empty and blank strings', () => {
    const obj = record({ a: undefined, b: null, c: '', d: '  \t' });
    void presenceOf(['a', 'b', 'c', 'd', 'missing'])(obj);
    assert.deepEqual(obj.errors.toJSON(), {
      a: ['A cannot be blank.'],
      b: ['B cannot be blank.'],
      c: ['C cannot be blank.'],
      d: ['D cannot be blank.'],
      missing: ['Missing cannot be blank.'],
    });
  });

  it('accepts present values, including 0, false and a non-blank string', () => {
    const obj = record({ count: 0, flag: false, first_name: ' Ann ' });
    void presenceOf(['count', 'flag', 'first_name'])(obj);
    assert.equal(obj.errors.isEmpty(), true);
  });

  it('uses a custom message', () => {
    const obj = record({ first_name: '' });
    void presenceOf(['first_name'], 'is required.')(obj);
    assert.deepEqual(obj.errors.errorsFor('first_name'), ['First name is required.']);
  });
});

describe('lengthOf', () => {
  it('accepts a length inside an inclusive range, at both ends', () => {
    const obj = record({ a: 'ab', b: 'abcd' });
    void lengthOf(['a', 'b'], { range: [2, 4] })(obj);
    assert.equal(obj.errors.isEmpty(), true);
  });

  it('refuses a length outside the range, naming the range', () => {
    const obj = record({ short: 'a', long: 'abcde' });
    void lengthOf(['short', 'long'], { range: [2, 4] })(obj);
    assert.deepEqual(obj.errors.toJSON(), {
      short: ['Short must have a length between 2 and 4.'],
      long: ['Long must have a length between 2 and 4.'],
    });
  });

  it('refuses a length other than an exact one', () => {
    const obj = record({ code: 'ab', ok: 'abc' });
    void lengthOf(['code', 'ok'], { length: 3 })(obj);
    assert.deepEqual(obj.errors.toJSON(), { code: ['Code must have a length of 3.'] });
  });

  it('refuses undefined and null, as Twistar does', () => {
    const obj = record({ a: null, b: undefined });
    void lengthOf(['a', 'b'], { length: 3 })(obj);
    assert.deepEqual(obj.errors.toJSON(), {
      a: ['A must have a length of 3.'],
      b: ['B must have a length of 3.'],
    });
  });

  it('lets undefined and null pass with allowNull', () => {
    const obj = record({ a: null, b: undefined });
    void lengthOf(['a', 'b'], { length: 3, allowNull: true })(obj);
    assert.equal(obj.errors.isEmpty(), true);
  });

  it('measures arrays and Buffers by their length and other values by their text', () => {
    const obj = record({ list: [1, 2], bytes: Buffer.from('abc'), zip: 12345 });
    void lengthOf(['list', 'bytes', 'zip'], { length: 3 })(obj);
    assert.deepEqual(obj.errors.properties(), ['list', 'zip']);
  });

  it('uses a custom message', () => {
    const obj = record({ pin: '12' });
    void lengthOf(['pin'], { length: 4 }, 'must be four digits.')(obj);
    assert.deepEqual(obj.errors.errorsFor('pin'), ['Pin must be four digits.']);
  });
});

describe('error classes', () => {
  const classes = [
    ImaginaryTableError,
    KeyNotUniqueError,
    ReferenceNotSavedError,
    DBObjectSaveError,
    CannotRefreshError,
    TransactionError,
    ClassNotRegisteredError,
    InvalidRelationshipError,
    ConnectionError,
    PoolTimeoutError,
    InvalidQueryError,
  ];
  for (const ErrorClass of classes) {
    it(`${ErrorClass.name} extends TwistarError and Error, is named after its class and keeps cause`, () => {
      const cause = new Error('underlying');
      const error = new ErrorClass('it failed', { cause });
      assert.ok(error instanceof TwistarError);
      assert.ok(error instanceof Error);
      assert.equal(error.name, ErrorClass.name);
      assert.equal(error.message, 'it failed');
      assert.equal(error.cause, cause);
      assert.match(String(error), new RegExp(`^${ErrorClass.name}: it failed`));
    });
  }

  it('names TwistarError itself and leaves cause undefined when none is given', () => {
    const error = new TwistarError('plain');
    assert.equal(error.name, 'TwistarError');
    assert.equal(error.cause, undefined);
    assert.equal(Object.hasOwn(error, 'cause'), false);
  });

  it('makes PoolTimeoutError a ConnectionError', () => {
    assert.ok(new PoolTimeoutError('timed out') instanceof ConnectionError);
  });

  it('keeps sql, params, cause and a string code on QueryError', () => {
    const cause = Object.assign(new Error('duplicate key'), { code: '23505' });
    const error = new QueryError('insert failed', 'INSERT INTO t (a) VALUES ($1)', [1], cause);
    assert.ok(error instanceof TwistarError);
    assert.equal(error.name, 'QueryError');
    assert.equal(error.sql, 'INSERT INTO t (a) VALUES ($1)');
    assert.deepEqual(error.params, [1]);
    assert.equal(error.cause, cause);
    assert.equal(error.code, '23505');
  });

  it('leaves QueryError.code undefined when the cause has no string code', () => {
    assert.equal(
      new QueryError('m', 'SELECT 1', [], Object.assign(new Error('x'), { code: 1062 })).code,
      undefined,
    );
    assert.equal(new QueryError('m', 'SELECT 1', [], new Error('x')).code, undefined);
    assert.equal(new QueryError('m', 'SELECT 1', [], null).code, undefined);
  });
});

describe('isUniqueViolation', () => {
  for (const code of ['23505', 'ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']) {
    it(`recognises ${code} on a driver error and on a QueryError wrapping it`, () => {
      const driverError = Object.assign(new Error('duplicate'), { code });
      assert.equal(isUniqueViolation(driverError), true);
      assert.equal(isUniqueViolation(new QueryError('failed', 'INSERT …', [], driverError)), true);
    });
  }

  it('is false for other constraint codes', () => {
    for (const code of [
      '23503',
      '23502',
      'ER_NO_REFERENCED_ROW_2',
      'SQLITE_CONSTRAINT_NOTNULL',
      'SQLITE_CONSTRAINT',
    ]) {
      assert.equal(isUniqueViolation({ code }), false, code);
    }
  });

  it('is false for errors and values without a code', () => {
    assert.equal(isUniqueViolation(new Error('x')), false);
    assert.equal(isUniqueViolation(new QueryError('m', 'SELECT 1', [], new Error('x'))), false);
    assert.equal(isUniqueViolation(null), false);
    assert.equal(isUniqueViolation(undefined), false);
    assert.equal(isUniqueViolation('23505'), false);
  });
});
