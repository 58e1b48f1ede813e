import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import {
  castBinaryPlaceholders,
  parsePostgresDate,
  parsePostgresTimestamp,
  postgresDateText,
} from '../../src/dialects/postgres/postgres-values.js';

const cast = (sql: string, ...indexes: number[]) =>
  castBinaryPlaceholders(sql, new Set(indexes), postgresDialect.lexical);

function utc(year: number, month: number, day: number, h = 0, m = 0, s = 0, ms = 0): Date {
  const date = new Date(Date.UTC(2000, month - 1, day, h, m, s, ms));
  date.setUTCFullYear(year);
  return date;
}

describe('castBinaryPlaceholders', () => {
  it('casts the placeholders of binary values, and only those', () => {
    assert.equal(
      cast('INSERT INTO t (a, b) VALUES ($1, $2)', 1),
      'INSERT INTO t (a, b) VALUES ($1, $2::bytea)',
    );
    assert.equal(cast('SELECT $1, $10, $11', 0, 10), 'SELECT $1::bytea, $10, $11::bytea');
    assert.equal(cast('SELECT $1', 3), 'SELECT $1');
  });

  it('leaves $n inside strings, quoted names, comments and dollar quotes alone', () => {
    assert.equal(
      cast(`SELECT '$1', "$1", E'\\'$1', $$ $1 $$, $q$ $1 $q$ /* $1 /* $1 */ */ -- $1\n, $1`, 0),
      `SELECT '$1', "$1", E'\\'$1', $$ $1 $$, $q$ $1 $q$ /* $1 /* $1 */ */ -- $1\n, $1::bytea`,
    );
    assert.equal(cast('SELECT a$1 FROM t WHERE x = $1', 0), 'SELECT a$1 FROM t WHERE x = $1::bytea');
  });
});

describe('PostgreSQL date text', () => {
  it('writes years 1–9999 as ISO text and the others as PostgreSQL reads them', () => {
    assert.equal(postgresDateText(utc(2024, 5, 1, 10, 20, 30, 123)), '2024-05-01T10:20:30.123Z');
    assert.equal(postgresDateText(utc(10_000, 1, 1)), '10000-01-01T00:00:00.000Z');
    assert.equal(postgresDateText(utc(275_760, 9, 13)), '275760-09-13T00:00:00.000Z');
    assert.equal(postgresDateText(utc(0, 12, 31, 23, 59, 59, 999)), '0001-12-31T23:59:59.999Z BC');
    assert.equal(postgresDateText(utc(-43, 3, 15, 12)), '0044-03-15T12:00:00.000Z BC');
    assert.equal(postgresDateText(utc(-4713, 11, 24)), '4714-11-24T00:00:00.000Z BC');
  });

  it('reads timestamp, timestamptz and date output of any year, at the offset printed', () => {
    const read = (text: string) => (parsePostgresTimestamp(text) as Date).getTime();
    assert.equal(read('2024-05-01 10:20:30.123456'), utc(2024, 5, 1, 10, 20, 30, 123).getTime());
    assert.equal(read('0044-03-15 12:00:00 BC'), utc(-43, 3, 15, 12).getTime());
    assert.equal(read('10000-01-01 05:30:00+05:30'), utc(10_000, 1, 1).getTime());
    assert.equal(read('0044-03-15 17:53:28+05:53:28 BC'), utc(-43, 3, 15, 12).getTime());
    assert.equal(read('1883-11-18 13:30:00-03:30'), utc(1883, 11, 18, 17).getTime());
    assert.equal(read('275760-09-13 05:30:00+05:30'), utc(275_760, 9, 13).getTime());
    assert.ok(Number.isNaN(read('275760-09-13 00:00:00.001')), 'past JavaScript: an invalid Date');
    assert.equal(parsePostgresTimestamp('infinity'), 'infinity');
    assert.equal((parsePostgresDate('0001-01-01 BC') as Date).getTime(), utc(0, 1, 1).getTime());
    assert.equal((parsePostgresDate('12345-06-07') as Date).getTime(), utc(12_345, 6, 7).getTime());
    assert.equal(parsePostgresDate('-infinity'), '-infinity');
  });
});
