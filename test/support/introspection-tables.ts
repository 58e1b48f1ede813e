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
