/** Timing as in bench/run.ts: batches of units, raw and ORM interleaved, the order alternating per round. */

/** One side of a comparison: the raw driver (possibly in several modes) or the ORM. */
export interface Side {
  label: string;
  unit(i: number): unknown;
}

export type Kind = 'time' | 'throughput';

/** Query builders (Drizzle's, Objection's) are thenables rather than Promises: await whatever has a `then`. */
function pending(result: unknown): result is PromiseLike<unknown> {
  return typeof (result as { then?: unknown } | null)?.then === 'function';
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Microseconds per unit over `iterations` sequential units. */
export async function timeLoop(iterations: number, unit: (i: number) => unknown): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    const result = unit(i);
    if (pending(result)) await result;
  }
  return ((performance.now() - started) * 1000) / iterations;
}

/** Units per second with `inFlight` workers over `iterations` units. */
export async function throughput(
  iterations: number,
  unit: (i: number) => unknown,
  inFlight: number,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < iterations) await unit(next++);
    }),
  );
  return iterations / ((performance.now() - started) / 1000);
}

const gc = (globalThis as { gc?: () => void }).gc;

export interface Plan {
  kind: Kind;
  /** The most units in one batch; fewer when the slowest side would take longer than `budgetMs`. */
  iterations: number;
  /** Whether `iterations` is fixed (bulk insert, the concurrent run) rather than fitted to the budget. */
  fixed: boolean;
  budgetMs: number;
  rounds: number;
  inFlight: number;
  /** Untimed work after every batch, e.g. deleting inserted rows. */
  reset?: () => Promise<void>;
}

export interface Measurement {
  iterations: number;
  /** Per side label: one value per round. */
  samples: Record<string, number[]>;
  medians: Record<string, number>;
}

/**
 * Warms every side up, fits the batch size to the budget from the warm-up's pace, then times `rounds` rounds,
 * each side once a round, in an order that reverses every round.
 */
export async function measure(sides: readonly Side[], plan: Plan): Promise<Measurement> {
  const run = (iterations: number, unit: (i: number) => unknown) =>
    plan.kind === 'throughput' ? throughput(iterations, unit, plan.inFlight) : timeLoop(iterations, unit);
  let iterations = plan.iterations;
  let slowestMs = 0;
  for (const side of sides) {
    // Warm-up: JIT, statement caches, pools filled, the ORM's metadata read.
    const warmUnits = plan.fixed ? Math.min(plan.iterations, plan.kind === 'throughput' ? 1000 : 1) : 0;
    if (warmUnits > 0) {
      await run(warmUnits, side.unit);
    } else {
      const started = performance.now();
      let units = 0;
      while (units < Math.min(plan.iterations, 200) && performance.now() - started < plan.budgetMs) {
        const result = side.unit(units++);
        if (pending(result)) await result;
      }
      slowestMs = Math.max(slowestMs, (performance.now() - started) / units);
    }
    await plan.reset?.();
  }
  if (!plan.fixed) {
    const fitted = Math.floor(plan.budgetMs / slowestMs);
    iterations = Math.max(Math.min(plan.iterations, fitted), Math.min(plan.iterations, 10));
  }
  const samples: Record<string, number[]> = Object.fromEntries(sides.map((side) => [side.label, []]));
  for (let round = 0; round < plan.rounds; round++) {
    const order = round % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      gc?.();
      samples[side.label]!.push(await run(iterations, side.unit));
      await plan.reset?.();
    }
  }
  const medians = Object.fromEntries(
    Object.entries(samples).map(([label, values]) => [label, median(values)]),
  );
  return { iterations, samples, medians };
}
