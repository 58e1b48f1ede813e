import repl from 'node:repl';
import { PassThrough } from 'node:stream';
import { useColour } from './terminal.js';

/** The lines of piped input that failed, out of how many ran, and the first that failed. @internal */
export interface Failures {
  readonly count: number;
  readonly lines: number;
  readonly first: string;
}

/**
 * The console's REPL. On a terminal, Node's own. With piped input (a script, a test), the lines are fed one at a
 * time, each once the REPL shows its prompt again, i.e. once the previous one has finished (so that `await` lines
 * run in order) or failed: a line that throws is printed as the REPL prints it and the next line runs.
 * `failures()` counts the lines that threw (none on a terminal).
 * @internal
 */
export async function startRepl(): Promise<{ session: repl.REPLServer; failures: () => Failures }> {
  if (process.stdin.isTTY) {
    const session = repl.start({ prompt: 'twistar> ', useColors: useColour });
    return { session, failures: () => ({ count: 0, lines: 0, first: '' }) };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const lines = Buffer.concat(chunks)
    .toString('utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
  const input = new PassThrough();
  const session = repl.start({
    prompt: 'twistar> ',
    input,
    output: process.stdout,
    terminal: false,
    useColors: false,
  });
  let fed = 0;
  let current = '';
  let count = 0;
  let first = '';
  // The REPL's `_error`: the last error a line threw (a changed value after a line means that line failed).
  const lastError = () => (session.context as { _error?: unknown })._error;
  let seen = lastError();
  const next = () => {
    const error = lastError();
    if (error !== seen) {
      seen = error;
      count++;
      if (first === '') first = `line ${fed}: ${current.trim()}`;
    }
    setImmediate(() => {
      const line = lines.shift();
      if (line === undefined) input.end();
      else {
        fed++;
        current = line;
        input.write(`${line}\n`);
      }
    });
  };
  // The REPL shows its prompt when it is ready for more: at the start, after a line's result, after its error
  // (which never reaches an `eval` callback), after a dot command and inside an unfinished statement.
  const displayPrompt = session.displayPrompt.bind(session);
  session.displayPrompt = (preserveCursor?: boolean) => {
    displayPrompt(preserveCursor);
    next();
  };
  next();
  return { session, failures: () => ({ count, lines: fed, first }) };
}
