/** Where `InteractionBase.LOG` sends each statement; shared by every pool. */
export const queryLog: { enabled: boolean; logger: (line: string) => void } = {
  enabled: false,
  logger: (line) => {
    process.stderr.write(`${line}\n`);
  },
};

function showValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `<Buffer ${value.length} bytes>`;
  if (value === undefined) return 'undefined';
  // JSON keeps every Unicode character as it is and escapes only what would break the line.
  return JSON.stringify(value) ?? String(value);
}

/** One log line: the statement and its parameters. */
export function formatStatement(sql: string, params: readonly unknown[], durationMs: number): string {
  const shown = params.length === 0 ? '' : ` -- params: [${params.map(showValue).join(', ')}]`;
  return `[twistar] ${sql}${shown} (${durationMs.toFixed(1)} ms)`;
}
