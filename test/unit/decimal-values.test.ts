import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalInexact, decimalOutOfRange, decimalParts, decimalText } from '../../src/sql/decimals.js';
import { unholdableCharacter } from '../../src/dialects/mysql/mysql-charsets.js';
import { postgresStoredTime } from '../../src/dialects/postgres/postgres-values.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { sqliteDecimalText } from '../../src/dialects/sqlite/sqlite-dialect.js';

describe('decimal values', () => {
  it('reads text, numbers and bigints as digits, exponents included', () => {
    const text = (value: unknown, scale = 2) => {
      const parts = decimalParts(value);
      return parts === undefined ? undefined : decimalText(parts, scale);
    };
    assert.equal(text('1.5'), '1.50');
    assert.equal(text('+001.500'), '1.50');
    assert.equal(text('.5'), '0.50');
    assert.equal(text('-0.00'), '0.00');
    assert.equal(text('1e2'), '100.00');
    assert.equal(text('1.25E-1', 3), '0.125');
    assert.equal(text(2), '2.00');
    assert.equal(text(3n, 0), '3');
    assert.equal(text(1e21), '1000000000000000000000.00');
    assert.equal(text(0.1 + 0.2), '0.30000000000000004');
    for (const bad of ['', '.', 'abc', '1.2.3', '1e', NaN, Infinity, null, true, '1e9999999']) {
      assert.equal(decimalParts(bad), undefined, String(bad));
    }
  });

  it('refuses more places than the scale or more digits than precision - scale', () => {
    const why = (value: unknown) => decimalOutOfRange(decimalParts(value)!, 10, 2);
    assert.equal(why('12345678.99'), undefined);
    assert.equal(why('1.500'), undefined, 'trailing zeros change nothing');
    assert.match(why('0.999') ?? '', /3 digits after the point/);
    assert.match(why('123456789') ?? '', /9 digits before the point/);
    assert.match(why('1e10') ?? '', /11 digits before/);
    assert.match(why(0.1 + 0.2) ?? '', /17 digits after/);
  });

  it('refuses more significant digits than a double keeps where the column keeps only those (SQLite)', () => {
    const inexact = (value: string) => decimalInexact(decimalParts(value)!, 15);
    assert.match(inexact('123456789012345678.91') ?? '', /20 significant digits.*15 exactly/);
    assert.match(inexact('1234567890123456.5') ?? '', /17 significant digits/);
    assert.equal(inexact('1234567890123.45'), undefined, '15 digits are kept');
    assert.equal(inexact('999999999999999999'), undefined, 'a whole number of 18 digits is an exact integer');
    assert.equal(inexact('0.000000000000000012'), undefined, 'leading zeros are not significant');
    assert.match(inexact('12345678901234567891') ?? '', /20 significant digits/);
  });

  it("formats SQLite's numbers to the column's scale, keeping digits past it", () => {
    assert.equal(sqliteDecimalText(0.99, 2), '0.99');
    assert.equal(sqliteDecimalText(2, 2), '2.00');
    assert.equal(sqliteDecimalText(2n, 2), '2.00');
    assert.equal(sqliteDecimalText(1.005, 2), '1.005');
    assert.equal(sqliteDecimalText('n/a', 2), 'n/a');
    assert.equal(sqliteDecimalText(null, 2), null);
  });
});

describe('character sets', () => {
  it('knows what utf8mb3, latin1 and ascii hold', () => {
    assert.equal(unholdableCharacter('utf8mb3', 'Motörhead 東京'), undefined);
    assert.equal(unholdableCharacter('utf8mb3', 'a🎸b'), '🎸');
    assert.equal(unholdableCharacter('utf8', '😀'), '😀');
    assert.equal(unholdableCharacter('utf8mb4', '😀'), undefined);
    assert.equal(unholdableCharacter('latin1', 'café € …'), undefined, 'cp1252');
    assert.equal(unholdableCharacter('latin1', 'Łódź'), 'Ł');
    assert.equal(unholdableCharacter('latin1', '\u0080'), '\u0080');
    assert.equal(unholdableCharacter('ascii', 'é'), 'é');
    assert.equal(unholdableCharacter('koi8r', 'é'), undefined, 'unknown sets are left to the server');
  });
});

describe('fractions of a second', () => {
  const at = (text: string) => new Date(text).getTime();
  const iso = (time: number) => new Date(time).toISOString();
  it('PostgreSQL rounds half away from 2000-01-01', () => {
    assert.equal(iso(postgresStoredTime(at('2021-01-01T00:00:00.500Z'), 0)), '2021-01-01T00:00:01.000Z');
    assert.equal(iso(postgresStoredTime(at('2021-01-01T00:00:00.499Z'), 0)), '2021-01-01T00:00:00.000Z');
    assert.equal(iso(postgresStoredTime(at('1969-12-31T23:59:59.500Z'), 0)), '1969-12-31T23:59:59.000Z');
    assert.equal(iso(postgresStoredTime(at('1999-12-31T23:59:59.400Z'), 0)), '1999-12-31T23:59:59.000Z');
    assert.equal(iso(postgresStoredTime(at('2021-01-01T00:00:00.125Z'), 2)), '2021-01-01T00:00:00.130Z');
    assert.equal(iso(postgresStoredTime(at('2021-01-01T00:00:00.125Z'), 1)), '2021-01-01T00:00:00.100Z');
  });
  it('MySQL and MariaDB are sent the fraction cut', () => {
    const cut = (text: string, digits: number) => iso(mysqlDialect.storedTime!(at(text), digits));
    assert.equal(cut('2021-01-01T00:00:00.999Z', 0), '2021-01-01T00:00:00.000Z');
    assert.equal(cut('1969-12-31T23:59:59.999Z', 0), '1969-12-31T23:59:59.000Z');
    assert.equal(cut('2021-01-01T00:00:00.129Z', 2), '2021-01-01T00:00:00.120Z');
  });
});
