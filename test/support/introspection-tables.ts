import { Registry, type ConnectionPool } from '../../src/index.js';
import { columnType } from './schema.js';

/** The tables of the introspection suite, children last; dropped in the reverse order. */
export const INTROSPECTION_TABLES = [
  'is_teams',
  'is_members',
  'is_projects',
  'is_members_projects',
  'is_comments',
] as const;

/**
 * (Re)creates a small schema with what introspection must see on every database: foreign keys with ON DELETE
 * rules (one self-referencing), a composite primary key (a join table), unique constraints on one and two
 * columns, a plain index, NOT NULL and defaults, a polymorphic `_id`/`_type` pair, and one column of each
 * portable kind.
 */
export async function createIntrospectionTables(pool: ConnectionPool): Promise<void> {
  await dropIntrospectionTables(pool);
  const q = (name: string) => pool.dialect.quoteIdentifier(name);
  const t = (description: string) => columnType(pool.dialect.name, description);
  const statements = [
    `CREATE TABLE ${q('is_teams')} (${q('id')} ${t('pk')}, ${q('name')} VARCHAR(100) NOT NULL,
       ${q('active')} ${t('bool')} NOT NULL DEFAULT TRUE, ${q('budget')} DECIMAL(10,2),
       ${q('founded_on')} ${t('date')}, ${q('created_at')} ${t('datetime')},
       CONSTRAINT ${q('is_teams_name_key')} UNIQUE (${q('name')}))`,
    `CREATE TABLE ${q('is_members')} (${q('id')} ${t('pk')}, ${q('team_id')} ${t('int')} NOT NULL,
       ${q('mentor_id')} ${t('int')}, ${q('email')} VARCHAR(255) NOT NULL, ${q('nickname')} ${t('text')},
       ${q('status')} VARCHAR(20) NOT NULL DEFAULT 'active', ${q('score')} ${t('int')} DEFAULT 0,
       ${q('data')} ${t('json')}, ${q('photo')} ${t('blob')},
       CONSTRAINT ${q('is_members_team_email')} UNIQUE (${q('team_id')}, ${q('email')}),
       CONSTRAINT ${q('is_members_team_fk')} FOREIGN KEY (${q('team_id')})
         REFERENCES ${q('is_teams')} (${q('id')}) ON DELETE CASCADE,
       CONSTRAINT ${q('is_members_mentor_fk')} FOREIGN KEY (${q('mentor_id')})
         REFERENCES ${q('is_members')} (${q('id')}) ON DELETE SET NULL)`,
    `CREATE TABLE ${q('is_projects')} (${q('id')} ${t('pk')}, ${q('title')} VARCHAR(255) NOT NULL,
       ${q('ref')} UUID, ${q('weight')} ${t('real')}, ${q('views')} ${t('bigint')})`,
    `CREATE TABLE ${q('is_members_projects')} (${q('member_id')} ${t('int')} NOT NULL,
       ${q('project_id')} ${t('int')} NOT NULL,
       PRIMARY KEY (${q('member_id')}, ${q('project_id')}),
       CONSTRAINT ${q('is_mp_member_fk')} FOREIGN KEY (${q('member_id')})
         REFERENCES ${q('is_members')} (${q('id')}) ON DELETE CASCADE,
       CONSTRAINT ${q('is_mp_project_fk')} FOREIGN KEY (${q('project_id')})
         REFERENCES ${q('is_projects')} (${q('id')}) ON DELETE RESTRICT)`,
    `CREATE TABLE ${q('is_comments')} (${q('id')} ${t('pk')}, ${q('body')} ${t('text')},
       ${q('commentable_id')} ${t('int')}, ${q('commentable_type')} VARCHAR(50))`,
    `CREATE INDEX ${q('is_comments_commentable')} ON ${q('is_comments')}
       (${q('commentable_type')}, ${q('commentable_id')})`,
  ];
  for (const statement of statements) await pool.runOperation(statement);
}

/** Drops the introspection suite's tables, children first. */
export async function dropIntrospectionTables(pool: ConnectionPool): Promise<void> {
  for (const table of [...INTROSPECTION_TABLES].reverse()) {
    await pool.runOperation(`DROP TABLE IF EXISTS ${pool.dialect.quoteIdentifier(table)}`);
    Registry.getConfig(pool).forgetColumns(table);
  }
}

/** A table name with what needs care: both kinds of quote, spaces, the end of a comment, unicode. */
export const ODD_TABLE = 'hx "odd" `t` ü*/';

/** The tables of the hostile-names suite, children last; dropped in the reverse order. */
export const HOSTILE_TABLES = [
  'hx_teams',
  'hx_members',
  'hx_messages',
  'hx_friendships',
  ODD_TABLE,
  'hx_scores',
  'hx_nokey',
  'hx_migrations',
  'hx_migrations_lock',
  'tmp_scratch',
] as const;

/**
 * (Re)creates tables that have tripped the schema tools: odd and reserved identifiers, a self-referencing
 * foreign key, two foreign keys to one table, a self-referencing join table with a composite key, a table with
 * a composite key and one with no key, a view, and a custom migrations table with a companion.
 */
export async function createHostileTables(pool: ConnectionPool): Promise<void> {
  await dropHostileTables(pool);
  const q = (name: string) => pool.dialect.quoteIdentifier(name);
  const t = (description: string) => columnType(pool.dialect.name, description);
  const fk = (column: string, table: string) =>
    `FOREIGN KEY (${q(column)}) REFERENCES ${q(table)} (${q('id')})`;
  const statements = [
    `CREATE TABLE ${q('hx_teams')} (${q('id')} ${t('pk')}, ${q('name')} VARCHAR(50),
       ${q('select')} ${t('int')}, ${q("it's")} VARCHAR(20), ${q('ñame')} ${t('text')},
       ${q('first name')} VARCHAR(20), ${q('data_x')} ${t('text')}, ${q('dataYx')} ${t('json')})`,
    `CREATE TABLE ${q('hx_members')} (${q('id')} ${t('pk')}, ${q('hx_team_id')} ${t('int')},
       ${q('mentor_id')} ${t('int')}, ${q('born')} ${t('date')}, ${q('we`ird')} ${t('json')},
       ${fk('hx_team_id', 'hx_teams')}, ${fk('mentor_id', 'hx_members')})`,
    `CREATE TABLE ${q('hx_messages')} (${q('id')} ${t('pk')}, ${q('sender_id')} ${t('int')},
       ${q('recipient_id')} ${t('int')}, ${q('body')} ${t('text')},
       ${q('dataYx')} ${t('text')} CHECK (length(${q('dataYx')}) < 100),
       ${q('rank')} ${t('int')} DEFAULT -1,
       ${fk('sender_id', 'hx_members')}, ${fk('recipient_id', 'hx_members')})`,
    `CREATE TABLE ${q('hx_friendships')} (${q('member_id')} ${t('int')} NOT NULL,
       ${q('friend_id')} ${t('int')} NOT NULL, PRIMARY KEY (${q('member_id')}, ${q('friend_id')}),
       ${fk('member_id', 'hx_members')}, ${fk('friend_id', 'hx_members')})`,
    `CREATE TABLE ${q(ODD_TABLE)} (${q('id')} ${t('pk')}, ${q('hx_team_id')} ${t('int')},
       ${q('note "x"')} ${t('text')}, ${fk('hx_team_id', 'hx_teams')})`,
    `CREATE TABLE ${q('hx_scores')} (${q('member_id')} ${t('int')} NOT NULL, ${q('game')} ${t('int')} NOT NULL,
       PRIMARY KEY (${q('member_id')}, ${q('game')}), ${fk('member_id', 'hx_members')})`,
    `CREATE TABLE ${q('hx_nokey')} (${q('value')} ${t('int')})`,
    `CREATE VIEW ${q('hx_view')} AS SELECT ${q('id')}, ${q('name')} FROM ${q('hx_teams')}`,
    `CREATE TABLE ${q('hx_migrations')} (${q('name')} VARCHAR(200) PRIMARY KEY)`,
    `CREATE TABLE ${q('hx_migrations_lock')} (${q('id')} ${t('int')})`,
    `CREATE TABLE ${q('tmp_scratch')} (${q('id')} ${t('pk')})`,
  ];
  for (const statement of statements) await pool.runOperation(statement);
}

/** Drops the hostile-names suite's view and tables, children first. */
export async function dropHostileTables(pool: ConnectionPool): Promise<void> {
  await pool.runOperation(`DROP VIEW IF EXISTS ${pool.dialect.quoteIdentifier('hx_view')}`);
  for (const table of [...HOSTILE_TABLES].reverse()) {
    await pool.runOperation(`DROP TABLE IF EXISTS ${pool.dialect.quoteIdentifier(table)}`);
    Registry.getConfig(pool).forgetColumns(table);
  }
}
