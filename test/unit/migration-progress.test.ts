import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatDuration,
  progressIntervalFrom,
  progressReporter,
  type ProgressClock,
  type ProgressOptions,
} from '../../src/cli/migration-progress.js';
import { ConfigError } from '../../src/index.js';

/** A clock the test moves: `advance(ms)` fires each timer as often as it would have fired meanwhile. */
function fakeClock(): ProgressClock & { advance(ms: number): void } {
  let time = 0;
  const timers = new Set<{ ms: number; next: number; tick: () => void }>();
  return {
    now: () => time,
    every(ms, tick) {
      const timer = { ms, next: time + ms, tick };
      timers.add(timer);
      return () => timers.delete(timer);
    },
    advance(ms) {
      const end = time + ms;
      for (;;) {
        const due = [...timers].filter((timer) => timer.next <= end).sort((a, b) => a.next - b.next)[0];
        if (due === undefined) break;
        time = due.next;
        due.next += due.ms;
        due.tick();
      }
      time = end;
    },
  };
}

/** A reporter writing into arrays, on a fake clock. */
function reporterFor(options: Partial<ProgressOptions> & { live: boolean; columns?: number }) {
  const lines: string[] = [];
  const status: string[] = [];
  const clock = fakeClock();
  const { columns, ...rest } = options;
  const reporter = progressReporter({
    out: (line) => lines.push(line),
    status: { write: (text: string) => status.push(text), columns },
    clock,
    ...rest,
  });
  return { reporter, lines, status, advance: (ms: number) => clock.advance(ms) };
}

const migrating = (migration: string, index: number) =>
  ({ type: 'migrating', migration, direction: 'up', index, total: 2, dryRun: false }) as const;
const statement = (migration: string, statementIndex: number) =>
  ({ type: 'statement', migration, statementIndex, sql: 'SELECT 1', params: [], dryRun: false }) as const;
const migrated = (migration: string, index: number, durationMs: number, statements = 1) =>
  ({
    type: 'migrated',
    migration,
    direction: 'up',
    index,
    total: 2,
    durationMs,
    statements,
    dryRun: false,
  }) as const;

describe('migration progress', () => {
  it('without a terminal: "still running" lines every interval, counted from each migration’s start', () => {
    const { reporter, lines, status, advance } = reporterFor({ live: false, intervalMs: 10_000 });
    reporter.onProgress(migrating('20240101000000_a', 1));
    advance(9_999);
    assert.deepEqual(status, []);
    reporter.onProgress(statement('20240101000000_a', 1));
    reporter.onProgress(statement('20240101000000_a', 2));
    advance(1);
    advance(10_000);
    assert.deepEqual(status, [
      'still running 20240101000000_a (10.0 s, statement 2)\n',
      'still running 20240101000000_a (20.0 s, statement 2)\n',
    ]);
    reporter.onProgress(migrated('20240101000000_a', 1, 25_300));
    advance(5_000);
    reporter.onProgress(migrating('20240102000000_b', 2));
    advance(9_000);
    assert.equal(status.length, 2, 'the next migration’s interval starts with it');
    advance(1_000);
    assert.equal(status[2], 'still running 20240102000000_b (10.0 s)\n');
    reporter.stop();
    advance(60_000);
    assert.equal(status.length, 3, 'stopped');
    assert.deepEqual(lines, [
      '[1/2] migrating 20240101000000_a',
      '✓ 20240101000000_a (25.3 s)',
      '[2/2] migrating 20240102000000_b',
    ]);
  });

  it('on a terminal: one status line, redrawn in place, erased before each output line and at the end', () => {
    const { reporter, lines, status, advance } = reporterFor({ live: true, refreshMs: 250 });
    reporter.onProgress(migrating('20240101000000_a', 1));
    assert.deepEqual(status, ['\r\u001b[2K⠋ [1/2] migrating 20240101000000_a · 0 ms']);
    reporter.onProgress(statement('20240101000000_a', 3));
    advance(250);
    assert.equal(status.at(-1), '\r\u001b[2K⠙ [1/2] migrating 20240101000000_a · statement 3 · 250 ms');
    advance(1_250);
    // Whichever frame of the spinner it shows after these ticks.
    assert.equal(
      `${status.at(-1)?.slice(0, 5)}*${status.at(-1)?.slice(6)}`,
      '\r\u001b[2K* [1/2] migrating 20240101000000_a · statement 3 · 1.5 s',
    );
    assert.notEqual(status.at(-1)?.[5], status.at(-2)?.[5], 'the spinner turns');
    const drawn = status.length;
    reporter.onProgress(migrated('20240101000000_a', 1, 1_600));
    assert.deepEqual(status.slice(drawn), ['\r\u001b[2K'], 'erased before the ✓ line, not redrawn');
    assert.deepEqual(lines, ['[1/2] migrating 20240101000000_a', '✓ 20240101000000_a (1.6 s)']);
    advance(1_000);
    assert.equal(status.length, drawn + 1, 'nothing to show between migrations');
    reporter.onProgress(migrating('20240102000000_b', 2));
    reporter.stop();
    assert.equal(status.at(-1), '\r\u001b[2K', 'stop() leaves no status line behind');
  });

  it('warns on standard error about a migration that sent no statement (an unfilled template)', () => {
    const { reporter, lines, status } = reporterFor({ live: false });
    reporter.onProgress(migrating('20240101000000_a', 1));
    reporter.onProgress(migrated('20240101000000_a', 1, 5, 0));
    reporter.onProgress(migrating('20240102000000_b', 2));
    reporter.onProgress(statement('20240102000000_b', 1));
    reporter.onProgress(migrated('20240102000000_b', 2, 5, 1));
    reporter.onProgress({ ...migrated('20240101000000_a', 1, 5, 0), direction: 'down' });
    reporter.onProgress({ ...migrated('20240101000000_a', 1, 5, 0), dryRun: true });
    reporter.stop();
    assert.deepEqual(status, [
      'warning 20240101000000_a was applied without a statement: is it a template still to fill in? ' +
        '(Statements sent through models, not through db, are not counted.)\n',
      'warning 20240101000000_a was reverted without a statement: is it a template still to fill in? ' +
        '(Statements sent through models, not through db, are not counted.)\n',
      'warning 20240101000000_a would be applied without a statement: is it a template still to fill in? ' +
        '(Statements sent through models, not through db, are not counted.)\n',
    ]);
    assert.equal(lines.length, 6, 'the ✓ lines stay on standard output');
  });

  it('on a terminal: cuts the status line to the terminal’s width, which it must not wrap past', () => {
    const { reporter, status } = reporterFor({ live: true, columns: 30 });
    reporter.onProgress(migrating(`20240101000000_${'x'.repeat(60)}`, 1));
    const line = (status[0] ?? '').replace('\r\u001b[2K', '');
    assert.equal([...line].length, 29);
    assert.ok(line.endsWith('…'));
    reporter.stop();
  });

  it('in a dry run: each statement on standard output', () => {
    const { reporter, lines } = reporterFor({ live: false });
    reporter.onProgress({ ...migrating('20240101000000_a', 1), dryRun: true });
    reporter.onProgress({
      ...statement('20240101000000_a', 1),
      sql: 'CREATE TABLE a (id INT)',
      dryRun: true,
    });
    reporter.stop();
    assert.deepEqual(lines, ['[1/2] migrating 20240101000000_a', 'CREATE TABLE a (id INT);']);
  });
});

describe('formatDuration and the interval setting', () => {
  it('formats durations for people', () => {
    assert.equal(formatDuration(0), '0 ms');
    assert.equal(formatDuration(999.4), '999 ms');
    assert.equal(formatDuration(1_000), '1.0 s');
    assert.equal(formatDuration(59_999), '59.9 s');
    assert.equal(formatDuration(65_000), '1 min 05 s');
    assert.equal(formatDuration(3_599_999), '59 min 59 s');
    assert.equal(formatDuration(7_620_000), '2 h 07 min');
  });

  it('reads TWISTAR_PROGRESS_INTERVAL_MS, refusing what is not a positive number', () => {
    assert.equal(progressIntervalFrom({}), undefined);
    assert.equal(progressIntervalFrom({ TWISTAR_PROGRESS_INTERVAL_MS: '' }), undefined);
    assert.equal(progressIntervalFrom({ TWISTAR_PROGRESS_INTERVAL_MS: '250' }), 250);
    for (const bad of ['0', '-5', 'often', 'Infinity']) {
      assert.throws(() => progressIntervalFrom({ TWISTAR_PROGRESS_INTERVAL_MS: bad }), ConfigError, bad);
    }
  });
});
