import type { MigrationDb } from 'twistar';

export async function up(db: MigrationDb): Promise<void> {
  await db.createTable('users', (t) => {
    t.id();
    t.string('first_name', 100).notNull();
    t.string('email').notNull().unique();
    t.integer('age');
    t.boolean('admin').notNull().default(false);
    t.json('settings');
    t.references('team_id', 'teams').onDelete('set null');
    t.timestamps({ defaultNow: true });
  });
}

export async function down(db: MigrationDb): Promise<void> {
  await db.dropTable('users');
}
