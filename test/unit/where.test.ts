import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { InvalidQueryError } from '../../src/errors.js';
import { SqlFragment, sql } from '../../src/sql/fragments.js';
import {
  attrsToWhere,
  dictToWhere,
  hasCondition,
  joinMultipleWheres,
  joinWheres,
  toCondition,
  type Joiner,
  type WhereInput,
} from '../../src/sql/where.js';

describe('hasCondition', () => {
  it('is false for every way of writing no condition', () => {
    for (const where of [null, undefined, [], '', '  ', [''], sql``, new SqlFragment(' ')] as const)
      assert.equal(hasCondition(where), false, JSON.stringify(where));
  });

  it('is true for a condition, with or without values', () => {
    for (const where of ['id = 1', ['id = ?', 1], sql`id = ${1}`] as const)
      assert.equal(hasCondition(where), true);
  });

  it('refuses malformed wheres as toCondition does', () => {
    assert.throws(() => hasCondition({ id: 1 } as never), InvalidQueryError);
    assert.throws(() => hasCondition(['', 1]), InvalidQueryError);
  });
});

describe('toCondition', () => {
  it('gives null for null, undefined, an empty array and a blank string', () => {
    assert.equal(toCondition(null), null);
    assert.equal(toCondition(undefined), null);
    assert.equal(toCondition([]), null);
    assert.equal(toCondition(''), null);
    assert.equal(toCondition('   '), null);
  });

  it('turns a string into a fragment without parameters', () => {
    assert.deepEqual(toCondition('id = 1'), new SqlFragment('id = 1', []));
  });

  it('turns a where array into its text and parameters', () => {
    const condition = toCondition(['age > ? AND name = ?', 21, 'Bob']);
    assert.ok(condition instanceof SqlFragment);
    assert.equal(condition.text, 'age > ? AND name = ?');
    assert.deepEqual(condition.params, [21, 'Bob']);
  });

  it('passes a sql fragment through as the same object', () => {
    const fragment = sql`age > ${21}`;
    assert.equal(toCondition(fragment), fragment);
  });

  it('refuses a where array that does not start with its SQL text', () => {
    assert.throws(() => toCondition([1, 2] as unknown as WhereInput), {
      name: 'InvalidQueryError',
      message: 'The first element of a where array must be its SQL text, got number.',
    });
  });

  it('refuses a plain object and points to dictToWhere', () => {
    assert.throws(
      () => toCondition({ name: 'Bob' } as unknown as WhereInput),
      (error: unknown) => {
        assert.ok(error instanceof InvalidQueryError);
        assert.match(error.message, /dictToWhere/);
        return true;
      },
    );
  });
});

describe('joinWheres', () => {
  it('joins two conditions with AND by default, each in parentheses, parameters in order', () => {
    assert.deepEqual(joinWheres(['a = ?', 1], ['b = ? OR c = ?', 2, 3]), [
      '(a = ?) AND (b = ? OR c = ?)',
      1,
      2,
      3,
    ]);
  });

  it('joins with OR when asked', () => {
    assert.deepEqual(joinWheres(['a = ?', 1], ['b = ?', 2], 'OR'), ['(a = ?) OR (b = ?)', 1, 2]);
  });

  it('accepts a lower-case joiner', () => {
    assert.deepEqual(joinWheres(['a = 1'], ['b = 2'], 'or' as Joiner), ['(a = 1) OR (b = 2)']);
  });

  it('refuses a joiner other than AND or OR', () => {
    assert.throws(() => joinWheres(['a = 1'], ['b = 2'], 'AND 1=1 OR' as Joiner), {
      name: 'InvalidQueryError',
      message: "joiner must be 'AND' or 'OR', got \"AND 1=1 OR\".",
    });
  });

  it('leaves the other side as it is when one side is empty', () => {
    assert.deepEqual(joinWheres([], ['b = ?', 2]), ['b = ?', 2]);
    assert.deepEqual(joinWheres(['a = ?', 1], null), ['a = ?', 1]);
    assert.deepEqual(joinWheres('  ', 'b = 2'), ['b = 2']);
  });

  it('gives [] when both sides are empty', () => {
    assert.deepEqual(joinWheres(null, undefined), []);
    assert.deepEqual(joinWheres([], ''), []);
  });

  it('accepts strings and sql fragments as either side', () => {
    assert.deepEqual(joinWheres('a IS NULL', sql`b > ${5}`), ['(a IS NULL) AND (b > ?)', 5]);
  });
});

describe('joinMultipleWheres', () => {
  it('gives [] for an empty list', () => {
    assert.deepEqual(joinMultipleWheres([]), []);
  });

  it('gives [] for a list of empty conditions', () => {
    assert.deepEqual(joinMultipleWheres([null, [], '']), []);
  });

  it('gives a single condition unchanged', () => {
    assert.deepEqual(joinMultipleWheres([['a = ?', 1]]), ['a = ?', 1]);
  });

  it('joins every condition left to right, skipping the empty ones', () => {
    assert.deepEqual(joinMultipleWheres([['a = ?', 1], null, ['b = ?', 2], [], ['c = ?', 3]]), [
      '((a = ?) AND (b = ?)) AND (c = ?)',
      1,
      2,
      3,
    ]);
  });

  it('joins with OR when asked', () => {
    assert.deepEqual(
      joinMultipleWheres(
        [
          ['a = ?', 1],
          ['b = ?', 2],
        ],
        'OR',
      ),
      ['(a = ?) OR (b = ?)', 1, 2],
    );
  });
});

describe('dictToWhere', () => {
  it("turns { one: 'two', three: 'four' } into ['(one = ?) AND (three = ?)', 'two', 'four']", () => {
    assert.deepEqual(dictToWhere({ one: 'two', three: 'four' }), [
      '(one = ?) AND (three = ?)',
      'two',
      'four',
    ]);
  });

  it('turns a null value into IS NULL without a parameter', () => {
    assert.deepEqual(dictToWhere({ a: 1, b: null, c: 2 }), ['(a = ?) AND (b IS NULL) AND (c = ?)', 1, 2]);
  });

  it('gives null for {}', () => {
    assert.equal(dictToWhere({}), null);
  });

  it('joins with OR when asked', () => {
    assert.deepEqual(dictToWhere({ one: 'two', three: 'four' }, 'OR'), [
      '(one = ?) OR (three = ?)',
      'two',
      'four',
    ]);
  });

  it('keeps falsy values other than null as parameters', () => {
    assert.deepEqual(dictToWhere({ a: 0, b: '', c: false }), [
      '(a = ?) AND (b = ?) AND (c = ?)',
      0,
      '',
      false,
    ]);
  });

  it('throws InvalidQueryError for an undefined value rather than dropping the condition', () => {
    assert.throws(() => dictToWhere({ id: 1, name: undefined }), {
      name: 'InvalidQueryError',
      message: 'The condition on "name" is undefined; pass null to match NULL, or leave "name" out.',
    });
  });

  for (const name of ['first name', 'id; DROP TABLE users', 'a = 1 OR 1', 'users.id', '1abc', '"id"', '']) {
    it(`refuses ${JSON.stringify(name)} as a column name`, () => {
      assert.throws(() => dictToWhere({ [name]: 1 }), InvalidQueryError);
    });
  }

  it('refuses a joiner other than AND or OR, even for {}', () => {
    assert.throws(() => dictToWhere({ a: 1 }, 'XOR' as Joiner), InvalidQueryError);
    assert.throws(() => dictToWhere({}, 'XOR' as Joiner), InvalidQueryError);
  });

  it('feeds joinWheres', () => {
    const byName = dictToWhere({ name: 'Bob' });
    assert.ok(byName !== null);
    assert.deepEqual(joinWheres(byName, ['age > ?', 21]), ['((name = ?)) AND (age > ?)', 'Bob', 21]);
  });
});

describe('attrsToWhere', () => {
  it('writes each column name with the given quoting', () => {
    assert.deepEqual(
      attrsToWhere({ select: 1, 'odd name': null }, 'AND', (name) => `"${name}"`),
      ['("select" = ?) AND ("odd name" IS NULL)', 1],
    );
  });
});
