import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { PortableType } from '../../src/dialects/table-schema.js';
import { mysqlDefault } from '../../src/dialects/mysql/mysql-introspector.js';
import { referentialAction } from '../../src/dialects/catalogue-rows.js';
import { portableType } from '../../src/schema/portable-kind.js';
import { postgresDefault } from '../../src/dialects/postgres/postgres-introspector.js';
import type { DialectName } from '../support/backends.js';

/** Declared types as each catalogue reports them, and the portable kind each must read as. */
const CASES: Record<DialectName, readonly (readonly [string, PortableType])[]> = {
  postgres: [
    ['smallint', { kind: 'integer' }],
    ['integer', { kind: 'integer' }],
    ['bigint', { kind: 'bigint' }],
    ['character varying(255)', { kind: 'string', length: 255 }],
    ['character(2)', { kind: 'string', length: 2 }],
    ['character varying', { kind: 'text' }],
    ['text', { kind: 'text' }],
    ['boolean', { kind: 'boolean' }],
    ['date', { kind: 'date' }],
    ['timestamp(3) without time zone', { kind: 'datetime' }],
    ['timestamp with time zone', { kind: 'datetime' }],
    ['numeric(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['numeric(7)', { kind: 'decimal', precision: 7, scale: 0 }],
    ['numeric', { kind: 'decimal' }],
    ['real', { kind: 'float' }],
    ['double precision', { kind: 'float' }],
    ['json', { kind: 'json' }],
    ['jsonb', { kind: 'json' }],
    ['bytea', { kind: 'binary' }],
    ['uuid', { kind: 'uuid' }],
    ['integer[]', { kind: 'other' }],
    ['character varying(20)[]', { kind: 'other' }],
    ['time without time zone', { kind: 'other' }],
    ['interval', { kind: 'other' }],
  ],
  mysql: [
    ['tinyint(1)', { kind: 'boolean' }],
    ['tinyint(4)', { kind: 'integer' }],
    ['smallint(6)', { kind: 'integer' }],
    ['mediumint(9)', { kind: 'integer' }],
    ['int(11)', { kind: 'integer' }],
    ['int', { kind: 'integer' }],
    ['int(10) unsigned', { kind: 'bigint' }],
    ['smallint(5) unsigned', { kind: 'integer' }],
    ['bigint(20)', { kind: 'bigint' }],
    ['bigint unsigned', { kind: 'bigint' }],
    ['varchar(255)', { kind: 'string', length: 255 }],
    ['char(36)', { kind: 'string', length: 36 }],
    ['text', { kind: 'text' }],
    ['longtext', { kind: 'text' }],
    ['tinytext', { kind: 'text' }],
    ['date', { kind: 'date' }],
    ['datetime(3)', { kind: 'datetime' }],
    ['timestamp', { kind: 'datetime' }],
    ['decimal(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['decimal(10,2) unsigned', { kind: 'decimal', precision: 10, scale: 2 }],
    ['double', { kind: 'float' }],
    ['float', { kind: 'float' }],
    ['json', { kind: 'json' }],
    ['blob', { kind: 'binary' }],
    ['longblob', { kind: 'binary' }],
    ['varbinary(16)', { kind: 'binary' }],
    ['uuid', { kind: 'uuid' }],
    ["enum('a','b')", { kind: 'other' }],
    ['time', { kind: 'other' }],
    ['year(4)', { kind: 'other' }],
  ],
  sqlite: [
    ['INTEGER', { kind: 'integer' }],
    ['int', { kind: 'integer' }],
    ['SMALLINT', { kind: 'integer' }],
    ['BIGINT', { kind: 'bigint' }],
    ['INT8', { kind: 'bigint' }],
    ['UNSIGNED BIG INT', { kind: 'bigint' }],
    ['VARCHAR(255)', { kind: 'string', length: 255 }],
    ['varchar( 20 )', { kind: 'string', length: 20 }],
    ['CHARACTER(20)', { kind: 'string', length: 20 }],
    ['NVARCHAR(100)', { kind: 'string', length: 100 }],
    ['VARCHAR', { kind: 'text' }],
    ['TEXT', { kind: 'text' }],
    ['CLOB', { kind: 'text' }],
    ['BOOLEAN', { kind: 'boolean' }],
    ['DATE', { kind: 'date' }],
    ['DATETIME', { kind: 'datetime' }],
    ['TIMESTAMP', { kind: 'datetime' }],
    ['DECIMAL(10,2)', { kind: 'decimal', precision: 10, scale: 2 }],
    ['NUMERIC', { kind: 'decimal' }],
    ['REAL', { kind: 'float' }],
    ['DOUBLE PRECISION', { kind: 'float' }],
    ['FLOAT', { kind: 'float' }],
    ['JSON', { kind: 'json' }],
    ['BLOB', { kind: 'binary' }],
    ['UUID', { kind: 'uuid' }],
    ['', { kind: 'other' }],
    ['TIME', { kind: 'other' }],
  ],
};

describe('portableType', () => {
  for (const [dialect, cases] of Object.entries(CASES) as [DialectName, (typeof CASES)[DialectName]][]) {
    it(`reads ${dialect}'s declared types as portable kinds`, () => {
      for (const [declared, expected] of cases) {
        assert.deepEqual(portableType(dialect, declared), expected, `${dialect}: ${declared}`);
      }
    });
  }
});

describe('referentialAction', () => {
  it("reads PostgreSQL's codes and the words of the others", () => {
    assert.deepEqual(['a', 'r', 'c', 'n', 'd'].map(referentialAction), [
      'no action',
      'restrict',
      'cascade',
      'set null',
      'set default',
    ]);
    assert.deepEqual(['NO ACTION', 'RESTRICT', 'CASCADE', 'SET NULL', 'SET DEFAULT'].map(referentialAction), [
      'no action',
      'restrict',
      'cascade',
      'set null',
      'set default',
    ]);
    assert.equal(referentialAction(null), 'no action');
  });
});

describe('defaults as SQL', () => {
  it("drops PostgreSQL's casts of literals and keeps expressions", () => {
    assert.equal(postgresDefault("'active'::character varying"), "'active'");
    assert.equal(postgresDefault("'it''s'::text"), "'it''s'");
    assert.equal(postgresDefault("'{}'::jsonb"), "'{}'");
    assert.equal(postgresDefault("'-1'::integer"), "'-1'");
    assert.equal(postgresDefault("nextval('users_id_seq'::regclass)"), "nextval('users_id_seq'::regclass)");
    assert.equal(postgresDefault('CURRENT_TIMESTAMP'), 'CURRENT_TIMESTAMP');
    assert.equal(postgresDefault('0'), '0');
  });

  it("quotes MySQL's bare literals, keeps MariaDB's (whose NULL is no default)", () => {
    assert.equal(mysqlDefault('active', '', 'string', false), "'active'");
    assert.equal(mysqlDefault("it's", '', 'text', false), "'it''s'");
    assert.equal(mysqlDefault('0', '', 'integer', false), '0');
    assert.equal(
      mysqlDefault('CURRENT_TIMESTAMP', 'DEFAULT_GENERATED', 'datetime', false),
      'CURRENT_TIMESTAMP',
    );
    assert.equal(mysqlDefault(null, '', 'string', false), null);
    assert.equal(mysqlDefault("'active'", '', 'string', true), "'active'");
    assert.equal(mysqlDefault('NULL', '', 'string', true), null);
    assert.equal(mysqlDefault('current_timestamp(3)', '', 'datetime', true), 'current_timestamp(3)');
  });
});
