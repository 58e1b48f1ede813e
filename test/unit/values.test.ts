import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { InvalidQueryError, InvalidValueError } from '../../src/errors.js';
import { parseUtcDate, utcDateTime } from '../../src/dialects/dialect-kit.js';
import { checkParameters, isSqlValue } from '../../src/sql/values.js';

const SQL = 'INSERT INTO t (v) VALUES (?)';

describe('checkParameters', () => {
  it('accepts strings, numbers, bigints, booleans, null, Dates, Buffers and Uint8Arrays', () => {
    const params = [
      '',
      'text',
      0,
      -1.5,
      12345678901234567890n,
      true,
      false,
      null,
      new Date('2024-05-01T10:20:30Z'),
      Buffer.from('bytes'),
      new Uint8Array([1, 2, 3]),
    ];
    assert.doesNotThrow(() => checkParameters(params, SQL));
  });

  it('accepts no parameters', () => {
    assert.doesNotThrow(() => checkParameters([], 'SELECT 1'));
  });

  const refused: [string, unknown, RegExp][] = [
    ['undefined', undefined, /^Parameter 1 is undefined; use null for NULL/],
    ['a plain object', { a: 1 }, /^Parameter 1 is an object \(Object\); pass a string, number/],
    ['an object without prototype', Object.create(null), /^Parameter 1 is an object \(null prototype\)/],
    ['an instance of a class', new Map(), /^Parameter 1 is an object \(Map\)/],
    ['an array', [1, 2], /^Parameter 1 is an array; .*JSON\.stringify/],
    ['a function', () => 1, /^Parameter 1 is a function;/],
    ['a symbol', Symbol('s'), /^Parameter 1 is a symbol;/],
    ['an invalid Date', new Date('not a date'), /^Parameter 1 is an invalid Date\./],
  ];
  for (const [what, value, message] of refused) {
    it(`refuses ${what} with InvalidQueryError`, () => {
      assert.throws(
        () => checkParameters([value], SQL),
        (error: unknown) => {
          assert.ok(error instanceof InvalidQueryError);
          assert.match(error.message, message);
          assert.ok(error.message.endsWith(`SQL: ${SQL}`));
          return true;
        },
      );
    });
  }

  it('refuses a string with a lone surrogate, which UTF-8 cannot encode, and says where it is', () => {
    for (const [text, where] of [
      ['\ud800', 'U+D800 at index 0'],
      ['ab\udc00', 'U+DC00 at index 2'],
      ['x\udc00\ud800', 'U+DC00 at index 1'],
      ['😀'.slice(0, 1), 'U+D83D at index 0'],
      ['ok 😀 then \udbff', 'U+DBFF at index 11'],
    ] as const) {
      assert.throws(
        () => checkParameters(['fine', text], SQL),
        (error: unknown) => {
          assert.ok(error instanceof InvalidValueError);
          assert.ok(
            error.message.startsWith(`Parameter 2 is a string with a lone surrogate (${where})`),
            error.message,
          );
          return true;
        },
      );
    }
  });

  it('accepts surrogate pairs: emoji and other characters beyond the BMP', () => {
    assert.doesNotThrow(() => checkParameters(['😀', '𝄞𠀋', 'e\u0301', '\ufeff', 'שלום'], SQL));
  });

  it('numbers the offending parameter from 1', () => {
    assert.throws(() => checkParameters(['ok', 2, undefined], SQL), {
      name: 'InvalidValueError',
      message: /^Parameter 3 is undefined/,
    });
  });
});

describe('isSqlValue', () => {
  it('is true for bindable values and false for the rest', () => {
    for (const value of ['a', 1, 1n, false, null, new Date(), Buffer.alloc(1)]) {
      assert.equal(isSqlValue(value), true, String(value));
    }
    for (const value of [undefined, {}, [], () => 0, Symbol('x')]) {
      assert.equal(isSqlValue(value), false, typeof value);
    }
  });
});

describe('parseUtcDate', () => {
  it('reads the canonical UTC forms, zoned ISO text, and leaves other text alone', () => {
    const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);
    assert.equal(iso(parseUtcDate('2024-03-05')), '2024-03-05T00:00:00.000Z');
    assert.equal(iso(parseUtcDate('2024-03-05 23:45:06')), '2024-03-05T23:45:06.000Z');
    assert.equal(iso(parseUtcDate('2024-03-05 23:45:06.789')), '2024-03-05T23:45:06.789Z');
    assert.equal(iso(parseUtcDate('2024-03-05T23:45:06Z')), '2024-03-05T23:45:06.000Z');
    assert.equal(iso(parseUtcDate('2024-03-05 23:45:06+02:00')), '2024-03-05T21:45:06.000Z');
    assert.equal(parseUtcDate('2024-13-05 10:00:00'), '2024-13-05 10:00:00');
    // Out-of-range parts are text, as the slow path reads them, never a date rolled over.
    assert.equal(parseUtcDate('2024-13-05'), '2024-13-05');
    assert.equal(parseUtcDate('2024-00-10'), '2024-00-10');
    assert.equal(parseUtcDate('2024-03-05 25:00:00'), '2024-03-05 25:00:00');
    assert.equal(parseUtcDate('2024-03-05 10:61:00.000'), '2024-03-05 10:61:00.000');
    assert.equal(parseUtcDate('not a date'), 'not a date');
    assert.equal(parseUtcDate(42), 42);
  });
});

describe('utcDateTime', () => {
  it('writes whole seconds as CURRENT_TIMESTAMP does, and milliseconds only when there are some', () => {
    assert.equal(utcDateTime(new Date('2021-01-01T00:00:00Z')), '2021-01-01 00:00:00');
    assert.equal(utcDateTime(new Date('2021-01-01T00:00:00.001Z')), '2021-01-01 00:00:00.001');
    assert.equal(utcDateTime(new Date('2021-01-01T23:59:59.990Z')), '2021-01-01 23:59:59.990');
    const year44 = new Date(0);
    year44.setUTCFullYear(44, 2, 15);
    assert.equal(utcDateTime(year44), '0044-03-15 00:00:00');
  });

  it('sorts as the instants do, against the text other tools write', () => {
    const instants = [
      '2021-01-01T00:00:00Z',
      '2021-01-01T00:00:00.001Z',
      '2021-01-01T00:00:00.999Z',
      '2021-01-01T00:00:01Z',
      '2021-01-01T00:00:01.5Z',
    ].map((text) => utcDateTime(new Date(text)));
    assert.deepEqual([...instants].sort(), instants);
    // The text for an instant read back as a Date is the text bound for it: equal, not just close.
    for (const text of instants) assert.equal(utcDateTime(parseUtcDate(text) as Date), text);
  });
});
