import type { MigrationDb } from 'twistar';

export async function up(db: MigrationDb): Promise<void> {
  await db.alterTable('users', (t) => {
    t.string('nickname', 40);
    t.datetime('last_seen_at');
    t.index('last_seen_at');
  });
}

export async function down(db: MigrationDb): Promise<void> {
  await db.alterTable('users', (t) => {
    t.dropIndex(['last_seen_at']);
    t.dropColumn('last_seen_at');
    t.dropColumn('nickname');
  });
}
