/** What the twistar command writes to the terminal: exit codes, colours, lines. */

/** Exit codes: 0 done, 1 failed, 2 the command line was wrong, 3 `check` found the models and schema apart. */
export const EXIT = { ok: 0, failed: 1, usage: 2, drift: 3 } as const;

export const useColour = process.stdout.isTTY && process.env.NO_COLOR === undefined;
const paint = (code: number) => (text: string) => (useColour ? `\u001b[${code}m${text}\u001b[0m` : text);
export const green = paint(32);
export const yellow = paint(33);
export const red = paint(31);
export const dim = paint(2);

/** Writes a line to standard output. */
export const out = (line = '') => process.stdout.write(`${line}\n`);
