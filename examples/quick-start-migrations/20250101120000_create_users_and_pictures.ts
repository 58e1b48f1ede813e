import type { MigrationDb } from 'twistar';

// The quick start's tables, written with the schema builder: the same file runs on SQLite, PostgreSQL and MySQL.
export async function up(db: MigrationDb): Promise<void> {
  await db.createTable('users', (t) => {
    t.id();
    t.string('first_name', 100).notNull();
    t.string('last_name', 100).notNull();
    t.integer('age');
    t.timestamps();
  });
  await db.createTable('pictures', (t) => {
    t.id();
    t.references('user_id', 'users').onDelete('cascade');
    t.string('name');
  });
}

export async function down(db: MigrationDb): Promise<void> {
  await db.dropTable('pictures');
  await db.dropTable('users');
}
