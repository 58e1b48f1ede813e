import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidQueryError } from '../../src/errors.js';
import type { Dialect } from '../../src/dialects/dialect.js';
import { postgresDialect } from '../../src/dialects/postgres/postgres-dialect.js';
import {
  keyedRowsStatements,
  returningInserted,
  upsertRulesOf,
  upsertStatements,
} from '../../src/sql/upsert-statements.js';
import { DIALECTS, testSql } from '../support/dialects.js';

const one = (statements: readonly { sql: string; params: unknown[] }[]) => {
  assert.equal(statements.length, 1);
  return statements[0] ?? { sql: '', params: [] };
};

describe('upsertStatements', () => {
  testSql(
    'INSERT … with the conflict clause naming the key and setting the columns updated',
    (d) => one(upsertStatements(d, 'accounts', [{ email: 'a@x', name: 'Ann' }], ['email'], ['name'])),
    {
      sqlite:
        'INSERT INTO "accounts" ("email", "name") VALUES (?, ?) ON CONFLICT ("email") DO UPDATE SET "name" = excluded."name"',
      postgres:
        'INSERT INTO "accounts" ("email", "name") VALUES (?, ?) ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name"',
      mysql:
        'INSERT INTO `accounts` (`email`, `name`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`)',
    },
    ['a@x', 'Ann'],
  );
  testSql(
    'nothing to update: the row is left as it is (PostgreSQL sets the key to itself, so that RETURNING gives the row)',
    (d) => one(upsertStatements(d, 'm', [{ team: 'a', member: 'b' }], ['team', 'member'], [])),
    {
      sqlite: 'INSERT INTO "m" ("team", "member") VALUES (?, ?) ON CONFLICT ("team", "member") DO NOTHING',
      postgres:
        'INSERT INTO "m" ("team", "member") VALUES (?, ?) ON CONFLICT ("team", "member") DO UPDATE SET "team" = EXCLUDED."team"',
      mysql: 'INSERT INTO `m` (`team`, `member`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `team` = `team`',
    },
    ['a', 'b'],
  );

  testSql(
    "a lock version is added 1 to in the row updated (PostgreSQL names the table's, beside EXCLUDED)",
    (d) =>
      one(
        upsertStatements(d, 'accounts', [{ email: 'a@x', name: 'Ann' }], ['email'], ['name'], '', [
          'lock_version',
        ]),
      ),
    {
      sqlite:
        'INSERT INTO "accounts" ("email", "name") VALUES (?, ?) ON CONFLICT ("email") DO UPDATE SET "name" = excluded."name", "lock_version" = "lock_version" + 1',
      postgres:
        'INSERT INTO "accounts" ("email", "name") VALUES (?, ?) ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name", "lock_version" = "accounts"."lock_version" + 1',
      mysql:
        'INSERT INTO `accounts` (`email`, `name`) VALUES (?, ?) ON DUPLICATE KEY UPDATE `name` = VALUES(`name`), `lock_version` = `lock_version` + 1',
    },
    ['a@x', 'Ann'],
  );

  it('chunks under the parameter limit, each chunk with the clause', () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => ({ email: `${i}`, name: 'n' }));
    const statements = upsertStatements(postgresDialect, 'accounts', rows, ['email'], ['name']);
    assert.equal(statements.length, 2);
    for (const { sql, params } of statements) {
      assert.ok(sql.endsWith(' ON CONFLICT ("email") DO UPDATE SET "name" = EXCLUDED."name"'));
      assert.ok(params.length <= postgresDialect.maxParameters);
    }
  });

  it('refuses a key or column that is not a plain identifier', () => {
    for (const d of DIALECTS) {
      assert.throws(() => upsertStatements(d, 'a', [{ x: 1 }], ['x; DROP TABLE a'], []), InvalidQueryError);
      assert.throws(() => upsertStatements(d, 'a', [{ x: 1 }], ['x'], ['x) --']), InvalidQueryError);
    }
  });

  it('a dialect without upsert rules is refused, saying so', () => {
    const bare = { ...postgresDialect, upsert: undefined, displayName: 'Other' } as Dialect;
    assert.throws(() => upsertRulesOf(bare, 'Account.upsert()'), /Other dialect has no upsert/);
  });

  it("PostgreSQL's RETURNING flags the rows inserted", () => {
    assert.equal(
      returningInserted(postgresDialect, '(xmax = 0)'),
      ' RETURNING *, (xmax = 0) AS "twistar_inserted"',
    );
  });
});

describe('keyedRowsStatements', () => {
  testSql(
    'the rows holding each key, numbered by the key, compared with the table column on the left, locked',
    (d) =>
      one(keyedRowsStatements(d, 'accounts', ['email'], [['a@x'], ['b@x']], false, d.lockClauses.update)),
    {
      sqlite:
        'SELECT v."twistar_row", t."email" FROM (SELECT 0 AS "twistar_row", ? AS "email" UNION ALL SELECT 1, ?) v ' +
        'JOIN "accounts" t ON t."email" = v."email"',
      postgres:
        'SELECT v."twistar_row", t."email" FROM (SELECT 0 AS "twistar_row", ? AS "email" UNION ALL SELECT 1, ?) v ' +
        'JOIN "accounts" t ON t."email" = v."email" FOR UPDATE',
      mysql:
        'SELECT v.`twistar_row`, t.`email` FROM (SELECT 0 AS `twistar_row`, ? AS `email` UNION ALL SELECT 1, ?) v ' +
        'JOIN `accounts` t ON t.`email` = v.`email` FOR UPDATE',
    },
    ['a@x', 'b@x'],
  );
  testSql(
    'every column, for a key of two columns',
    (d) => one(keyedRowsStatements(d, 'm', ['team', 'member'], [['a', 'b']], true)),
    {
      sqlite:
        'SELECT v."twistar_row", t.* FROM (SELECT 0 AS "twistar_row", ? AS "team", ? AS "member") v ' +
        'JOIN "m" t ON t."team" = v."team" AND t."member" = v."member"',
      postgres:
        'SELECT v."twistar_row", t.* FROM (SELECT 0 AS "twistar_row", ? AS "team", ? AS "member") v ' +
        'JOIN "m" t ON t."team" = v."team" AND t."member" = v."member"',
      mysql:
        'SELECT v.`twistar_row`, t.* FROM (SELECT 0 AS `twistar_row`, ? AS `team`, ? AS `member`) v ' +
        'JOIN `m` t ON t.`team` = v.`team` AND t.`member` = v.`member`',
    },
    ['a', 'b'],
  );

  it('at most 500 keys a statement (SQLite joins no more SELECTs), numbered on from the chunk before', () => {
    const keys = Array.from({ length: 1200 }, (_, i) => [`${i}`]);
    const statements = keyedRowsStatements(postgresDialect, 'a', ['email'], keys, false);
    assert.deepEqual(
      statements.map((s) => s.params.length),
      [500, 500, 200],
    );
    assert.match(statements[1]?.sql ?? '', /SELECT 500 AS "twistar_row"/);
  });
});
