/** The results, and their printing as one table per database. */
import { median } from './harness.js';
import type { Database, OperationName } from './workload.js';

export interface Result {
  database: Database;
  orm: string;
  operation: OperationName;
  status: 'ok' | 'unsupported' | 'failed';
  unit?: 'µs/op' | 'ops/s';
  iterations?: number;
  /** The raw driver's median, timed alongside this ORM; on MySQL the faster of query() and execute(). */
  raw?: number;
  rawMode?: string;
  /** The ORM's median. */
  value?: number;
  /** ORM ÷ raw: for µs/op above 1 is slower; for ops/s (concurrent-find) below 1 is slower. */
  ratio?: number;
  samples?: Record<string, number[]>;
  checked?: string;
  note?: string;
  error?: string;
}

const CELL = 20;

function fmt(value: number): string {
  return value >= 1000 ? value.toFixed(0) : value >= 100 ? value.toFixed(1) : value.toFixed(2);
}

/** Prints one progress line for a result as soon as it is measured. */
export function progress(result: Result): void {
  const head = `${result.database.padEnd(9)}${result.orm.padEnd(11)}${result.operation.padEnd(16)}`;
  if (result.status !== 'ok') {
    console.log(`${head}${result.status.toUpperCase()}: ${result.error ?? result.note ?? ''}`);
    return;
  }
  console.log(
    `${head}raw ${fmt(result.raw!).padStart(9)} ${result.unit!.padEnd(6)}orm ${fmt(result.value!).padStart(9)}   ` +
      `${result.ratio!.toFixed(2)}×  (n=${result.iterations}${result.rawMode ? `, raw ${result.rawMode}` : ''})`,
  );
}

/** One table for `database`: operations down, ORMs across, each cell the ORM's median and its ratio to raw. */
export function printTable(
  database: Database,
  heading: string,
  results: readonly Result[],
  orms: readonly string[],
  remarks: readonly string[],
): void {
  const rows = results.filter((result) => result.database === database);
  if (rows.length === 0) return;
  const operations = [...new Set(rows.map((result) => result.operation))];
  const footnotes: string[] = [];
  const mark = (text: string) => {
    let index = footnotes.indexOf(text);
    if (index < 0) index = footnotes.push(text) - 1;
    return `[${index + 1}]`;
  };
  console.log(`\n${heading}`);
  console.log(
    'Cells: the ORM median and ORM ÷ raw (µs/op: above 1× is slower; ops/s: below 1× is slower). ' +
      'raw: median of the raw medians timed beside each ORM.',
  );
  console.log(
    'operation'.padEnd(16) +
      'unit'.padEnd(7) +
      'raw'.padStart(9) +
      orms.map((orm) => orm.padStart(CELL)).join(''),
  );
  for (const operation of operations) {
    const cells = rows.filter((result) => result.operation === operation);
    const measured = cells.filter((cell) => cell.status === 'ok');
    const unit = measured[0]?.unit ?? '';
    const raw = measured.length ? fmt(median(measured.map((cell) => cell.raw!))) : '–';
    const line = orms.map((orm) => {
      const cell = cells.find((result) => result.orm === orm);
      if (cell === undefined) return '–'.padStart(CELL);
      const note = cell.note ? mark(`${orm} ${operation}: ${cell.note}`) : '';
      if (cell.status === 'unsupported')
        return `n/a${mark(`${orm} ${operation}: ${cell.error}`)}`.padStart(CELL);
      if (cell.status === 'failed')
        return `FAILED${mark(`${orm} ${operation}: ${cell.error}`)}`.padStart(CELL);
      return `${fmt(cell.value!)} ${cell.ratio!.toFixed(2)}×${note}`.padStart(CELL);
    });
    console.log(operation.padEnd(16) + unit.padEnd(7) + raw.padStart(9) + line.join(''));
  }
  for (const [i, text] of footnotes.entries()) console.log(`  [${i + 1}] ${text}`);
  for (const remark of remarks) console.log(`  ${remark}`);
}
