import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';
import { checksumOf } from '../../src/migrations/migration-files.js';
import { isTransactionControl, splitStatements, sqlSections } from '../../src/migrations/sql-script.js';

describe('sqlSections', () => {
  it('splits at the -- up and -- down lines', () => {
    const text = '-- a comment first\n-- up\nCREATE TABLE a (id INT);\n--down\nDROP TABLE a;\n';
    assert.deepEqual(sqlSections(text), { up: '\nCREATE TABLE a (id INT);\n', down: '\nDROP TABLE a;\n' });
  });

  it('takes the sections in either order, in any case, and no down at all', () => {
    assert.deepEqual(sqlSections('-- DOWN\nx;\n-- Up\ny;'), { up: '\ny;', down: '\nx;\n' });
    assert.deepEqual(sqlSections('-- up\ny;'), { up: '\ny;', down: undefined });
  });

  it('refuses a file without -- up, with two, or with SQL before the first section', () => {
    assert.throws(() => sqlSections('CREATE TABLE a (id INT);'), /no "-- up" line/);
    assert.throws(() => sqlSections('-- up\nx;\n-- up\ny;'), /2 "-- up" lines/);
    assert.throws(() => sqlSections('-- down\nx;\n-- down\ny;\n-- up\nz;'), /2 "-- down" lines/);
    assert.throws(() => sqlSections('DROP TABLE a;\n-- up\nx;'), /SQL before/);
  });

  it('reads a file with CRLF line endings (a checkout on Windows) like one with LF', () => {
    assert.deepEqual(sqlSections('-- up\r\nCREATE TABLE a (id INT);\r\n-- down\r\nDROP TABLE a;\r\n'), {
      up: '\r\nCREATE TABLE a (id INT);\r\n',
      down: '\r\nDROP TABLE a;\r\n',
    });
  });

  it('does not take "-- up" inside a line as a section', () => {
    assert.deepEqual(sqlSections('-- up\nSELECT 1; -- up\n'), { up: '\nSELECT 1; -- up\n', down: undefined });
  });
});

describe('splitStatements', () => {
  it('splits at semicolons and drops empty and comment-only statements', () => {
    assert.deepEqual(
      splitStatements(
        'CREATE TABLE a (id INT);\n\n;-- just a comment\nINSERT INTO a VALUES (1)',
        sqliteDialect.lexical,
      ),
      ['CREATE TABLE a (id INT)', 'INSERT INTO a VALUES (1)'],
    );
  });

  it('keeps semicolons inside literals, quoted identifiers and comments', () => {
    const script = `INSERT INTO "a;b" VALUES ('x;y', 'it''s;'); /* c; d */ SELECT 1 -- e; f\n;SELECT 2`;
    assert.deepEqual(splitStatements(script, sqliteDialect.lexical), [
      `INSERT INTO "a;b" VALUES ('x;y', 'it''s;')`,
      'SELECT 1 -- e; f',
      'SELECT 2',
    ]);
  });

  it("follows each database's lexical rules: MySQL backslash escapes and backquotes, PostgreSQL dollar quotes", () => {
    assert.deepEqual(splitStatements("INSERT INTO `a;` VALUES ('\\';x'); SELECT 1", mysqlDialect.lexical), [
      "INSERT INTO `a;` VALUES ('\\';x')",
      'SELECT 1',
    ]);
    const fn = 'CREATE FUNCTION f() RETURNS int AS $body$ BEGIN RETURN 1; END; $body$ LANGUAGE plpgsql';
    assert.deepEqual(splitStatements(`${fn};\nSELECT f();`, postgresDialect.lexical), [fn, 'SELECT f()']);
  });

  it('keeps the BEGIN … END body of a trigger or procedure whole', () => {
    const trigger =
      'CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; ' +
      "INSERT INTO log VALUES (CASE WHEN NEW.x > 0 THEN 'p' ELSE 'n' END); END";
    assert.deepEqual(splitStatements(`${trigger};\nSELECT 1;`, sqliteDialect.lexical), [trigger, 'SELECT 1']);
    const procedure =
      'CREATE DEFINER = CURRENT_USER PROCEDURE p() BEGIN IF 1 THEN SELECT 1; END IF; ' +
      'WHILE 0 DO SELECT 2; END WHILE; CASE 1 WHEN 1 THEN SELECT 3; END CASE; END';
    assert.deepEqual(splitStatements(`${procedure};DROP TABLE x;`, mysqlDialect.lexical), [
      procedure,
      'DROP TABLE x',
    ]);
  });

  it('does not take BEGIN and END outside a routine as a body', () => {
    assert.deepEqual(splitStatements('SELECT begin FROM a; SELECT 1', sqliteDialect.lexical), [
      'SELECT begin FROM a',
      'SELECT 1',
    ]);
  });

  it('does not take a column named like a routine kind for a routine (event, trigger), nor BEGIN then as a body', () => {
    assert.deepEqual(
      splitStatements(
        'CREATE TABLE periods (event VARCHAR(20), begin DATE);\nINSERT INTO periods VALUES (1, NULL);',
        mysqlDialect.lexical,
      ),
      ['CREATE TABLE periods (event VARCHAR(20), begin DATE)', 'INSERT INTO periods VALUES (1, NULL)'],
    );
    assert.deepEqual(
      splitStatements('CREATE INDEX trigger_at ON t (trigger, begin); SELECT 1', sqliteDialect.lexical),
      ['CREATE INDEX trigger_at ON t (trigger, begin)', 'SELECT 1'],
    );
  });

  it('tells transaction control statements apart', () => {
    for (const statement of [
      'BEGIN',
      'begin transaction',
      'START TRANSACTION',
      'COMMIT',
      'ROLLBACK',
      'END',
    ]) {
      assert.equal(isTransactionControl(statement), true, statement);
    }
    for (const statement of ['CREATE TABLE begin_log (id INT)', 'BEGIN ATOMIC SELECT 1; END', 'SELECT 1']) {
      assert.equal(isTransactionControl(statement), false, statement);
    }
  });
});

describe('checksumOf', () => {
  it('is the sha256 of the text, with CRLF counted as LF', () => {
    assert.equal(checksumOf(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(checksumOf('-- up\r\nSELECT 1;\r\n'), checksumOf('-- up\nSELECT 1;\n'));
    assert.notEqual(checksumOf('-- up\nSELECT 1;\n'), checksumOf('-- up\nSELECT 2;\n'));
  });
});
