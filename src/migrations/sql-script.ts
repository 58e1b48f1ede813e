import { skipNonCode, type LexicalRules } from '../sql/placeholders.js';

/** The two sections of a `.sql` migration; `down` is undefined when the file has no `-- down` line. */
export interface SqlSections {
  readonly up: string;
  readonly down: string | undefined;
}

const MARKER = /^[ \t]*--[ \t]*(up|down)[ \t]*$/gim;

/**
 * Splits a `.sql` migration at its `-- up` and `-- down` lines (each alone on its line, in either order).
 * Throws a plain Error saying what is wrong; the caller names the file.
 */
export function sqlSections(text: string): SqlSections {
  const markers = [...text.matchAll(MARKER)].map((match) => ({
    which: (match[1] ?? '').toLowerCase() as 'up' | 'down',
    start: match.index,
    end: match.index + match[0].length,
  }));
  const ups = markers.filter((marker) => marker.which === 'up');
  const downs = markers.filter((marker) => marker.which === 'down');
  if (ups.length !== 1) {
    throw new Error(
      ups.length === 0 ? 'it has no "-- up" line' : `it has ${ups.length} "-- up" lines; write one`,
    );
  }
  if (downs.length > 1) throw new Error(`it has ${downs.length} "-- down" lines; write one`);
  const first = markers[0];
  if (first !== undefined && !/^\s*$/.test(stripComments(text.slice(0, first.start)))) {
    throw new Error(`it has SQL before its first "-- ${first.which}" line`);
  }
  const section = (index: number) => text.slice(markers[index]?.end ?? 0, markers[index + 1]?.start);
  const upIndex = markers.indexOf(ups[0] as (typeof markers)[number]);
  const downIndex = downs[0] === undefined ? -1 : markers.indexOf(downs[0]);
  return { up: section(upIndex), down: downIndex === -1 ? undefined : section(downIndex) };
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Words that close a block body's `END` without having opened a level (`END IF`, `END LOOP`, …). */
const END_CLOSES_NOTHING = new Set(['IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR']);
const ROUTINE = new Set(['TRIGGER', 'FUNCTION', 'PROCEDURE', 'EVENT']);
/** Words that say a CREATE makes something other than a routine: a later `event` or `trigger` is a name. */
const NOT_A_ROUTINE = new Set([
  'TABLE',
  'INDEX',
  'UNIQUE',
  'VIEW',
  'MATERIALIZED',
  'SEQUENCE',
  'SCHEMA',
  'DATABASE',
  'TYPE',
  'DOMAIN',
  'EXTENSION',
  'ROLE',
  'USER',
]);
const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;

/**
 * The statements of a SQL script, split at each `;` outside string literals, quoted identifiers, comments,
 * dollar-quoted bodies and the `BEGIN … END` body of a CREATE TRIGGER/FUNCTION/PROCEDURE/EVENT; each without
 * its `;`, and none that holds only comments.
 */
export function splitStatements(script: string, rules: LexicalRules): string[] {
  const statements: string[] = [];
  let start = 0;
  let depth = 0;
  let words = 0;
  let creating = false;
  let routine = false;
  let code = false;
  const startCode = (at: number) => {
    // A statement starts at its first token: comments before it are left out.
    if (!code) start = at;
    code = true;
  };
  const finish = (end: number) => {
    if (code) statements.push(script.slice(start, end).trim());
    start = end + 1;
    depth = 0;
    words = 0;
    creating = false;
    routine = false;
    code = false;
  };
  let i = 0;
  while (i < script.length) {
    const next = skipNonCode(script, i, rules);
    if (next !== i) {
      // A quoted literal or identifier is code; a comment is not.
      if (!/^(--|#|\/\*)/.test(script.slice(i, i + 2))) startCode(i);
      i = next;
      continue;
    }
    const ch = script[i] ?? '';
    if (ch === ';') {
      if (depth === 0) finish(i);
      i++;
      continue;
    }
    WORD.lastIndex = i;
    const match = /[A-Za-z_]/.test(ch) ? WORD.exec(script) : null;
    if (match === null) {
      if (!/\s/.test(ch)) startCode(i);
      i++;
      continue;
    }
    startCode(i);
    const word = match[0].toUpperCase();
    i += match[0].length;
    // CREATE [OR REPLACE] [DEFINER = …] [TEMP] TRIGGER: the routine's word comes within the first few, before
    // the word of any other kind of object (CREATE TABLE t (event …) makes no routine).
    if (words++ === 0) creating = word === 'CREATE';
    else if (creating && NOT_A_ROUTINE.has(word)) creating = false;
    else if (creating && words <= 8 && ROUTINE.has(word)) routine = true;
    if (!routine) continue;
    if (word === 'BEGIN' || (word === 'CASE' && depth > 0)) depth++;
    else if (word === 'END' && depth > 0) {
      WORD.lastIndex = skipSpace(script, i);
      const after = WORD.exec(script)?.[0].toUpperCase();
      if (after !== undefined && END_CLOSES_NOTHING.has(after)) i = WORD.lastIndex;
      else {
        // `END CASE` closes a CASE statement, which opened a level like a CASE expression does.
        if (after === 'CASE') i = WORD.lastIndex;
        depth--;
      }
    }
  }
  finish(script.length);
  return statements;
}

function skipSpace(text: string, at: number): number {
  let i = at;
  while (i < text.length && /\s/.test(text[i] ?? '')) i++;
  return i;
}

const TRANSACTION_CONTROL = /^(BEGIN|START\s+TRANSACTION|COMMIT|ROLLBACK|END|SAVEPOINT|RELEASE)\b/i;

/** True for BEGIN/COMMIT/ROLLBACK and their kin, which a migration must not send (Twistar runs it in a transaction). */
export function isTransactionControl(statement: string): boolean {
  return TRANSACTION_CONTROL.test(statement) && !/^BEGIN\s+(NOT\s+)?ATOMIC\b/i.test(statement);
}
