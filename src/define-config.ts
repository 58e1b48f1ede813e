import type { ConnectionPool } from './connection/connection-pool.js';

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
  /** The folder of seed files that `twistar seed` runs (default `seeds`). */
  readonly seeds?: string;
}

/**
 * Types a config file's settings: `export default defineConfig({ url: process.env.DATABASE_URL, … })` in
 * `twistar.config.ts`. It returns its argument.
 */
export function defineConfig(config: TwistarConfig): TwistarConfig {
  return config;
}

/** What `twistar seed` passes to a seed file's function. */
export interface SeedContext {
  /** The pool of the configured database (also `Registry.DBPOOL`, which models use). */
  readonly pool: ConnectionPool;
}

/**
 * A seed file's function: `export default defineSeed(async ({ pool }) => { … })` (or `export async function
 * run`). `twistar seed` runs it in a transaction of its own.
 */
export type Seed = (context: SeedContext) => Promise<void> | void;

/** Types a seed file's function; it returns its argument. */
export function defineSeed(seed: Seed): Seed {
  return seed;
}
