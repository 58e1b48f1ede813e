/** What `twistar.config.ts` (or `.js`, `.mjs`, `.json`) may say; every field is optional. */
export interface TwistarConfig {
  /** The database URL (`sqlite:app.db`, `postgres://…`, `mysql://…`). */
  readonly url?: string;
  /** The folder of migration files (default `migrations`). */
  readonly migrations?: string;
  /** The folder of model classes (default `src/models`): `check`, `diagram` and `console` load them. */
  readonly models?: string;
  /** The table that records applied migrations (default `twistar_migrations`); introspection leaves it out. */
  readonly migrationsTable?: string;
}

/**
 * Types a config file's settings: `export default defineConfig({ url: process.env.DATABASE_URL, … })` in
 * `twistar.config.ts`. It returns its argument.
 */
export function defineConfig(config: TwistarConfig): TwistarConfig {
  return config;
}
