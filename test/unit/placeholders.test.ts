import { describe, it } from 'node:test';
import { DIALECTS } from '../support/dialects.js';
import assert from 'node:assert/strict';

import { InvalidQueryError } from '../../src/errors.js';
import { mysqlDialect } from '../../src/dialects/mysql/mysql-dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import { sqliteDialect } from '../../src/dialects/sqlite/sqlite-dialect.js';
import { assertParameterCount, compilePlaceholders, findPlaceholders } from '../../src/sql/placeholders.js';

/** The offsets of every `?` in `sql`, for asserting that the scanner found exactly these. */
function offsetsOfEvery(sql: string, char = '?'): number[] {
  const found: number[] = [];
  for (let i = sql.indexOf(char); i !== -1; i = sql.indexOf(char, i + 1)) found.push(i);
  return found;
}

/** The offset of the `?` that ends the SQL text (the one placeholder after a quoted or commented part). */
function lastOffset(sql: string): number {
  return sql.lastIndexOf('?');
}

describe('findPlaceholders: rules shared by every dialect', () => {
  for (const dialect of DIALECTS) {
    describe(dialect.name, () => {
      const find = (sql: string): number[] => findPlaceholders(sql, dialect.lexical);

      it('finds every bare ? at its offset', () => {
        const sql = 'SELECT * FROM t WHERE a = ? AND b IN (?, ?)';
        assert.deepEqual(find(sql), offsetsOfEvery(sql));
        assert.equal(find(sql).length, 3);
      });

      it('finds no placeholder in SQL without any', () => {
        assert.deepEqual(find('SELECT 1'), []);
        assert.deepEqual(find(''), []);
      });

      it('finds adjacent placeholders and placeholders next to operators', () => {
        assert.deepEqual(find('??'), [0, 1]);
        assert.deepEqual(find('?-?'), [0, 2]);
        assert.deepEqual(find('?/?'), [0, 2]);
      });

      it("skips a ? inside a '…' literal", () => {
        const sql = "SELECT * FROM t WHERE a = '?' AND b = ?";
        assert.deepEqual(find(sql), [lastOffset(sql)]);
      });

      it("skips a ? inside a '…' literal that contains a doubled ''", () => {
        const sql = "SELECT * FROM t WHERE a = 'it''s ?' AND b = ?";
        assert.deepEqual(find(sql), [lastOffset(sql)]);
      });

      it("treats '' as an empty literal, not an open quote", () => {
        const sql = "SELECT '' , ?";
        assert.deepEqual(find(sql), [lastOffset(sql)]);
      });

      it('skips a ? inside a "…" quoted identifier, including one with a doubled ""', () => {
        const sql = 'SELECT "a?b", "x""?" FROM t WHERE c = ?';
        assert.deepEqual(find(sql), [lastOffset(sql)]);
      });

      it('skips a ? inside a -- comment up to the end of the line', () => {
        const sql = 'SELECT ? -- is it ?\n, ?';
        assert.deepEqual(find(sql), [7, lastOffset(sql)]);
      });

      it('skips a ? inside a -- comment that runs to the end of the text', () => {
        assert.deepEqual(find('SELECT ? -- trailing ?'), [7]);
      });

      it('skips a ? inside a /* */ comment', () => {
        const sql = 'SELECT /* a ? here */ ?';
        assert.deepEqual(find(sql), [lastOffset(sql)]);
      });

      it('skips everything after an unterminated literal or comment', () => {
        assert.deepEqual(find("SELECT ?, '? ?"), [7]);
        assert.deepEqual(find('SELECT ?, /* ? ?'), [7]);
      });
    });
  }
});

describe('findPlaceholders: backquoted identifiers', () => {
  for (const dialect of [sqliteDialect, mysqlDialect]) {
    it(`skips a ? inside \`…\` on ${dialect.name}, including a doubled backquote`, () => {
      const sql = 'SELECT `a?`, `b``?` FROM t WHERE c = ?';
      assert.deepEqual(findPlaceholders(sql, dialect.lexical), [lastOffset(sql)]);
    });
  }
});

describe('findPlaceholders: SQLite', () => {
  const find = (sql: string): number[] => findPlaceholders(sql, sqliteDialect.lexical);

  it('skips a ? inside a [bracket] identifier', () => {
    const sql = 'SELECT [odd?name] FROM t WHERE c = ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it("has no backslash escapes: 'C:\\' ends at the second quote", () => {
    const sql = "SELECT 'C:\\' || ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('ends a block comment at the first */ (comments do not nest)', () => {
    const sql = 'SELECT /* outer /* inner */ ? */ ?';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });

  it('counts a ? after # (not a comment in SQLite)', () => {
    const sql = 'SELECT ? # ?';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });

  it('counts a ? between $…$ (no dollar quoting in SQLite)', () => {
    const sql = 'SELECT $$ ? $$';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });
});

describe('findPlaceholders: MySQL', () => {
  const find = (sql: string): number[] => findPlaceholders(sql, mysqlDialect.lexical);

  it("skips a ? inside a literal with a backslash-escaped quote: 'it\\'s ?'", () => {
    const sql = "SELECT 'it\\'s ?' , ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it("reads 'C:\\' || ? as one unterminated literal (the backslash escapes the quote)", () => {
    assert.deepEqual(find("SELECT 'C:\\' || ?"), []);
  });

  it("ends a literal after an escaped backslash: 'a\\\\' , ?", () => {
    const sql = "SELECT 'a\\\\' , ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('skips a ? inside a "…" string with a backslash-escaped double quote', () => {
    const sql = 'SELECT "say \\"?\\"" , ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('does not treat a backslash as an escape inside backquotes', () => {
    const sql = 'SELECT `a\\` , ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('skips a ? inside a # comment up to the end of the line', () => {
    const sql = 'SELECT ? # is it ?\n, ?';
    assert.deepEqual(find(sql), [7, lastOffset(sql)]);
  });

  it('ends a block comment at the first */ (comments do not nest)', () => {
    const sql = 'SELECT /* outer /* inner */ ? */ ?';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });

  it('counts a ? inside [ ] (brackets are not identifiers in MySQL)', () => {
    const sql = 'SELECT [?] , ?';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });

  it('counts a ? between $…$ (no dollar quoting in MySQL)', () => {
    const sql = 'SELECT $$ ? $$';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });

  it('counts a ? right after -- with no space (MySQL needs whitespace after -- to start a comment)', () => {
    // MySQL parses `1--?` as 1 - (-?): one placeholder.
    const sql = 'SELECT 1--?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });
});

describe('findPlaceholders: PostgreSQL', () => {
  const find = (sql: string): number[] => findPlaceholders(sql, postgresDialect.lexical);

  it('skips a ? inside a $$…$$ string', () => {
    const sql = 'SELECT $$ a ? b $$, ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it("skips a ? and a stray ' inside a $tag$…$tag$ string", () => {
    const sql = "SELECT $fn$ it's ? $fn$, ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('ends a $tag$ string only at the same tag', () => {
    const sql = 'SELECT $a$ ? $b$ ? $a$, ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('does not treat $1 as the start of a dollar-quoted string', () => {
    const sql = 'SELECT * FROM t WHERE a = $1 AND b = ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('does not treat a $ inside an identifier as a dollar quote', () => {
    const sql = 'SELECT a$b$ FROM t WHERE c = ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it("skips a ? inside an E'…' string with a backslash-escaped quote", () => {
    const sql = "SELECT E'it\\'s ?' , ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it("accepts a lower-case e'…' escape string", () => {
    const sql = "SELECT e'\\'?' , ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it("has no backslash escapes in a standard '…' literal: 'C:\\' ends at the second quote", () => {
    const sql = "SELECT 'C:\\' || ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it("does not read a literal after a word ending in e (type'…') as an E'…' string", () => {
    const sql = "SELECT type'\\' , ?";
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('skips a ? inside nested block comments', () => {
    const sql = 'SELECT /* outer /* inner */ still ? */ ?';
    assert.deepEqual(find(sql), [lastOffset(sql)]);
  });

  it('counts a ? after # (an operator in PostgreSQL, not a comment)', () => {
    const sql = 'SELECT ? # ?';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });

  it('counts a ? inside ARRAY[…] (brackets are not identifiers in PostgreSQL)', () => {
    const sql = 'SELECT ARRAY[?, ?]';
    assert.deepEqual(find(sql), offsetsOfEvery(sql));
  });
});

describe('compilePlaceholders', () => {
  it('leaves the text alone and counts the placeholders when no renderer is given', () => {
    const sql = "SELECT ? , '?'";
    assert.deepEqual(compilePlaceholders(sql, sqliteDialect.lexical), { text: sql, placeholders: 1 });
  });

  it('rewrites each placeholder with the renderer, by zero-based index', () => {
    const compiled = compilePlaceholders('a = ? AND b = ?', sqliteDialect.lexical, (i) => `:p${i}`);
    assert.deepEqual(compiled, { text: 'a = :p0 AND b = :p1', placeholders: 2 });
  });

  it('returns the text unchanged when there is no placeholder to rewrite', () => {
    assert.deepEqual(
      compilePlaceholders("SELECT '?'", postgresDialect.lexical, () => '$X'),
      {
        text: "SELECT '?'",
        placeholders: 0,
      },
    );
  });
});

describe('Dialect.compile', () => {
  it('rewrites ? to $1, $2… on PostgreSQL, leaving quoted ? alone', () => {
    const compiled = postgresDialect.compile("SELECT * FROM t WHERE a = ? AND b = '?' AND c = ?");
    assert.deepEqual(compiled, {
      text: "SELECT * FROM t WHERE a = $1 AND b = '?' AND c = $2",
      placeholders: 2,
    });
  });

  it('numbers past nine on PostgreSQL ($10, $11)', () => {
    const sql = Array.from({ length: 11 }, () => '?').join(', ');
    const expected = Array.from({ length: 11 }, (_, i) => `$${i + 1}`).join(', ');
    assert.deepEqual(postgresDialect.compile(sql), { text: expected, placeholders: 11 });
  });

  it('leaves a $tag$ string and a comment untouched while rewriting on PostgreSQL', () => {
    const compiled = postgresDialect.compile('SELECT $q$?$q$, ? /* ? */, ? -- ?');
    assert.deepEqual(compiled, { text: 'SELECT $q$?$q$, $1 /* ? */, $2 -- ?', placeholders: 2 });
  });

  for (const dialect of [sqliteDialect, mysqlDialect]) {
    it(`keeps ? as it is on ${dialect.name} and counts it`, () => {
      const sql = "SELECT * FROM t WHERE a = ? AND b = '?'";
      assert.deepEqual(dialect.compile(sql), { text: sql, placeholders: 1 });
    });
  }

  it('gives the same result when the same text is compiled again (cached)', () => {
    const sql = 'SELECT ? + ? AS cached_sum';
    const first = postgresDialect.compile(sql);
    assert.deepEqual(postgresDialect.compile(sql), first);
    assert.equal(first.text, 'SELECT $1 + $2 AS cached_sum');
  });
});

describe('assertParameterCount', () => {
  it('passes when the counts match, including zero and zero', () => {
    assert.doesNotThrow(() => assertParameterCount('SELECT ?, ?', 2, [1, 'a']));
    assert.doesNotThrow(() => assertParameterCount('SELECT 1', 0, []));
  });

  it('throws InvalidQueryError naming both counts and the SQL when there are too few parameters', () => {
    const sql = 'SELECT * FROM t WHERE a = ? AND b = ?';
    assert.throws(
      () => assertParameterCount(sql, 2, [1]),
      (error: unknown) => {
        assert.ok(error instanceof InvalidQueryError);
        assert.match(error.message, /2 placeholder\(s\) but 1 parameter\(s\)/);
        assert.match(error.message, /a "\?" inside quotes or a comment is not a placeholder/);
        assert.ok(error.message.endsWith(`SQL: ${sql}`));
        return true;
      },
    );
  });

  it('throws InvalidQueryError when there are too many parameters', () => {
    assert.throws(() => assertParameterCount("SELECT '?'", 0, ['x']), {
      name: 'InvalidQueryError',
      message: /0 placeholder\(s\) but 1 parameter\(s\)/,
    });
  });

  it('together with compile, rejects a parameter given for a quoted ? on every dialect', () => {
    for (const dialect of DIALECTS) {
      const sql = "SELECT * FROM t WHERE name = 'what?'";
      const { placeholders } = dialect.compile(sql);
      assert.throws(() => assertParameterCount(sql, placeholders, ['x']), InvalidQueryError, dialect.name);
    }
  });
});
