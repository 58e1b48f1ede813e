import { ConfigError, MigrationChangedError } from '../tooling-errors.js';
import { changedMigrationsMessage, type MigrationProgress } from '../migrations/migrator.js';
import { dim, green, out, yellow } from './terminal.js';

/** Where the `migrate` commands report progress, and how often. */
export interface ProgressOptions {
  /** Writes one line to standard output: each migration as it starts and ends, and in a dry run its SQL. */
  readonly out: (line: string) => void;
  /** Standard error: the live status line on a terminal, "still running" lines elsewhere. */
  readonly status: { write(text: string): unknown; readonly columns?: number };
  /** Redraw one status line in place (a terminal); otherwise print a "still running" line now and then. */
  readonly live: boolean;
  /** How often a "still running" line is printed for a migration that runs on (ms); default 10 000. */
  readonly intervalMs?: number;
  /** How often the live line is redrawn (ms); default 250. */
  readonly refreshMs?: number;
  readonly paint?: {
    readonly ok: (text: string) => string;
    readonly dim: (text: string) => string;
    readonly warn?: (text: string) => string;
  };
  /** Time and timers; the real ones unless a test says otherwise. */
  readonly clock?: ProgressClock;
}

/** The time in ms, and a repeating timer that `every` returns a stop function for. */
export interface ProgressClock {
  now(): number;
  every(ms: number, tick: () => void): () => void;
}

const REAL_CLOCK: ProgressClock = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    // The timer never keeps the process alive on its own.
    timer.unref();
    return () => clearInterval(timer);
  },
};

/** The `onProgress` of a run, and `stop()` for when it ends (clears the live line, stops the timer). */
export interface ProgressReporter {
  readonly onProgress: (event: MigrationProgress) => void;
  stop(): void;
}

/** The environment variable that sets `intervalMs` for the command (a CI log, a test). */
export const PROGRESS_INTERVAL_VARIABLE = 'TWISTAR_PROGRESS_INTERVAL_MS';

/** `intervalMs` from the environment: undefined when unset; ConfigError when not a positive number. */
export function progressIntervalFrom(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const text = env[PROGRESS_INTERVAL_VARIABLE];
  if (text === undefined || text === '') return undefined;
  const ms = Number(text);
  if (!Number.isFinite(ms) || ms < 1) {
    throw new ConfigError(
      `${PROGRESS_INTERVAL_VARIABLE} must be a number of milliseconds (1 or more), got ${JSON.stringify(text)}; ` +
        'unset it for the default of 10000.',
    );
  }
  return ms;
}

/** A duration for people: `850 ms`, `12.3 s`, `4 min 05 s`, `2 h 07 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const seconds = Math.floor(ms / 1_000);
  if (seconds < 3_600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3_600)} h ${String(Math.floor(seconds / 60) % 60).padStart(2, '0')} min`;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Moves to the start of the line and erases it. */
const ERASE_LINE = '\r\u001b[2K';

interface Running {
  readonly migration: string;
  readonly verb: string;
  readonly index: number;
  readonly total: number;
  readonly started: number;
  statement: number;
}

/**
 * Reports a run as the `migrate` commands show it: a line per migration as it starts and one with its time when
 * done; meanwhile, on a terminal, a status line redrawn in place (migration, index/total, statement, time), and
 * elsewhere a plain "still running <name> (<time>, statement k)" line every `intervalMs`, without control
 * characters, so that a CI log shows the run is alive.
 */
export function progressReporter(options: ProgressOptions): ProgressReporter {
  const { status, live } = options;
  const clock = options.clock ?? REAL_CLOCK;
  const now = () => clock.now();
  const ok = options.paint?.ok ?? ((text: string) => text);
  const dim = options.paint?.dim ?? ((text: string) => text);
  const warnColour = options.paint?.warn ?? ((text: string) => text);
  let running: Running | undefined;
  let onScreen = false;
  let frame = 0;
  let stopTimer: (() => void) | undefined;

  const statementText = (current: Running) =>
    current.statement === 0 ? '' : `statement ${current.statement}`;
  const clear = () => {
    if (onScreen) status.write(ERASE_LINE);
    onScreen = false;
  };
  const draw = (current: Running) => {
    const parts = [
      `${SPINNER[frame++ % SPINNER.length] ?? ''} [${current.index}/${current.total}] ${current.verb} ${current.migration}`,
      statementText(current),
      formatDuration(now() - current.started),
    ].filter((part) => part !== '');
    // A line wider than the terminal wraps, and the next redraw would erase only its last row.
    const width = Math.max(20, (status.columns ?? 80) - 1);
    const line = parts.join(' · ');
    status.write(`${ERASE_LINE}${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    onScreen = true;
  };
  const stillRunning = (current: Running) => {
    const details = [formatDuration(now() - current.started), statementText(current)].filter(
      (part) => part !== '',
    );
    status.write(`still running ${current.migration} (${details.join(', ')})\n`);
  };
  const tick = () => {
    if (running === undefined) return;
    if (live) draw(running);
    else stillRunning(running);
  };
  const restartTimer = () => {
    stopTimer?.();
    stopTimer = clock.every(live ? (options.refreshMs ?? 250) : (options.intervalMs ?? 10_000), tick);
  };
  const out = (line: string) => {
    clear();
    options.out(line);
    if (live && running !== undefined) draw(running);
  };

  // A warning goes to standard error, on a line of its own (the live line is drawn again below it).
  const warn = (line: string) => {
    clear();
    status.write(`${warnColour('warning')} ${line}\n`);
    if (live && running !== undefined) draw(running);
  };

  return {
    onProgress(event) {
      switch (event.type) {
        case 'migrating': {
          const verb = event.direction === 'up' ? 'migrating' : 'reverting';
          const { migration, index, total } = event;
          running = { migration, verb, index, total, started: now(), statement: 0 };
          out(`${dim(`[${event.index}/${event.total}]`)} ${verb} ${event.migration}`);
          // On a terminal one timer serves the whole run; elsewhere each migration's lines count from its start.
          if (!live || stopTimer === undefined) restartTimer();
          break;
        }
        case 'statement':
          if (running !== undefined) running.statement = event.statementIndex;
          if (event.dryRun) out(`${event.sql};`);
          break;
        case 'migrated':
          running = undefined;
          out(`${ok('✓')} ${event.migration} ${dim(`(${formatDuration(event.durationMs)})`)}`);
          if (event.statements === 0) {
            const what = event.direction === 'up' ? 'applied' : 'reverted';
            warn(
              `${event.migration} ${event.dryRun ? 'would be' : 'was'} ${what} without a statement: ` +
                'is it a template still to fill in? ' +
                '(Statements sent through models, not through db, are not counted.)',
            );
          }
          break;
      }
    },
    stop() {
      stopTimer?.();
      stopTimer = undefined;
      running = undefined;
      clear();
    },
  };
}

/**
 * Runs a migrate command's `work`: a MigrationChangedError names the command's flag, `--allow-changed`, rather
 * than the Migrator's option.
 */
async function withFlagNames<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof MigrationChangedError)) throw error;
    throw new MigrationChangedError(
      changedMigrationsMessage(error.migrations, 'run the command again with --allow-changed'),
      error.migrations,
    );
  }
}

/**
 * Runs `work` with the progress reporter of a migrate command: a status line redrawn on standard error when it is
 * a terminal, "still running" lines every TWISTAR_PROGRESS_INTERVAL_MS (default 10 s) when it is not.
 */
export async function withProgress<T>(
  work: (onProgress: (event: MigrationProgress) => void) => Promise<T>,
): Promise<T> {
  const reporter = progressReporter({
    out,
    status: process.stderr,
    live: process.stderr.isTTY === true && process.env.TERM !== 'dumb',
    intervalMs: progressIntervalFrom(process.env),
    paint: { ok: green, dim, warn: yellow },
  });
  try {
    return await withFlagNames(() => work(reporter.onProgress));
  } finally {
    reporter.stop();
  }
}
