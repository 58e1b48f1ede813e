import { InvalidQueryError } from '../errors.js';

/** The lexical rules that decide where a `?` is a placeholder and where it is text. */
export interface LexicalRules {
  /** A backslash escapes the next character inside '…' (MySQL's default). */
  readonly backslashEscapes: boolean;
  /** `$tag$ … $tag$` strings and `E'…'` strings (PostgreSQL). */
  readonly dollarQuotes: boolean;
  /** `# …` comments (MySQL). */
  readonly hashComments: boolean;
  /** `` `…` `` quoted identifiers (MySQL, SQLite). */
  readonly backtickIdentifiers: boolean;
  /** `[ … ]` quoted identifiers (SQLite). */
  readonly bracketIdentifiers: boolean;
  /** Block comments nest (PostgreSQL). */
  readonly nestedComments: boolean;
  /** `--` starts a comment only when whitespace or a control character follows (MySQL). */
  readonly dashCommentNeedsSpace: boolean;
}

/** Where the placeholders of one SQL string are: offsets of each `?` that is a placeholder. */
export function findPlaceholders(sql: string, rules: LexicalRules): number[] {
  const found: number[] = [];
  const n = sql.length;
  let i = 0;
  while (i < n) {
    if (sql.charCodeAt(i) === 63 /* ? */) {
      found.push(i);
      i++;
    } else {
      const next = skipNonCode(sql, i, rules);
      i = next === i ? i + 1 : next;
    }
  }
  return found;
}

/**
 * Where the string literal, quoted identifier or comment that starts at `at` ends (the offset after it);
 * `at` itself when none starts there.
 */
export function skipNonCode(sql: string, at: number, rules: LexicalRules): number {
  switch (sql.charCodeAt(at)) {
    case 39 /* ' */: {
      const escaped =
        rules.backslashEscapes ||
        (rules.dollarQuotes && at > 0 && /[eE]/.test(sql[at - 1] ?? '') && !isWordChar(sql, at - 2));
      return skipQuoted(sql, at, "'", escaped);
    }
    case 34 /* " */:
      return skipQuoted(sql, at, '"', rules.backslashEscapes);
    case 96 /* ` */:
      return rules.backtickIdentifiers ? skipQuoted(sql, at, '`', false) : at;
    case 91 /* [ */: {
      if (!rules.bracketIdentifiers) return at;
      const end = sql.indexOf(']', at + 1);
      return end === -1 ? sql.length : end + 1;
    }
    case 45 /* - */:
      return sql.charCodeAt(at + 1) === 45 && (!rules.dashCommentNeedsSpace || !(sql.charCodeAt(at + 2) > 32))
        ? skipLine(sql, at)
        : at;
    case 35 /* # */:
      return rules.hashComments ? skipLine(sql, at) : at;
    case 47 /* / */:
      return sql.charCodeAt(at + 1) === 42 ? skipBlockComment(sql, at, rules.nestedComments) : at;
    case 36 /* $ */: {
      if (!rules.dollarQuotes) return at;
      const end = skipDollarQuoted(sql, at);
      // A `$` that opens no dollar-quoted string is plain text.
      return end === at + 1 ? at : end;
    }
    default:
      return at;
  }
}

function isWordChar(sql: string, at: number): boolean {
  return at >= 0 && /[A-Za-z0-9_$]/.test(sql[at] ?? '');
}

/** Skips a quoted run starting at `start` (the opening quote); a doubled quote stays inside. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  const n = sql.length;
  while (i < n) {
    const ch = sql[i];
    if (backslashEscapes && ch === '\\') {
      i += 2;
    } else if (ch === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return n;
}

function skipLine(sql: string, start: number): number {
  const end = sql.indexOf('\n', start);
  return end === -1 ? sql.length : end + 1;
}

function skipBlockComment(sql: string, start: number, nested: boolean): number {
  let depth = 1;
  let i = start + 2;
  const n = sql.length;
  while (i < n) {
    if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0 || !nested) return i;
    } else if (nested && sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else i++;
  }
  return n;
}

const DOLLAR_TAG = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/y;

/** `$tag$ … $tag$`; a `$` that opens no such string (e.g. `$1`) is plain text. */
function skipDollarQuoted(sql: string, start: number): number {
  if (isWordChar(sql, start - 1)) return start + 1;
  DOLLAR_TAG.lastIndex = start;
  const match = DOLLAR_TAG.exec(sql);
  if (!match) return start + 1;
  const tag = match[0];
  const end = sql.indexOf(tag, start + tag.length);
  return end === -1 ? sql.length : end + tag.length;
}

/** A SQL string checked against its parameters and rewritten for the target database. */
export interface CompiledSql {
  readonly text: string;
  readonly placeholders: number;
}

/**
 * Rewrites the `?` placeholders of `sql` with `render(index)` (e.g. `$1` for PostgreSQL), or leaves the
 * text alone when `render` is omitted, and reports how many there were.
 */
export function compilePlaceholders(
  sql: string,
  rules: LexicalRules,
  render?: (index: number) => string,
): CompiledSql {
  const positions = findPlaceholders(sql, rules);
  if (!render || positions.length === 0) return { text: sql, placeholders: positions.length };
  let text = '';
  let last = 0;
  positions.forEach((at, index) => {
    text += sql.slice(last, at) + render(index);
    last = at + 1;
  });
  return { text: text + sql.slice(last), placeholders: positions.length };
}

/** Throws before anything is sent when the number of `?` and the number of parameters differ. */
export function assertParameterCount(sql: string, placeholders: number, params: readonly unknown[]): void {
  if (placeholders !== params.length) {
    throw new InvalidQueryError(
      `The SQL has ${placeholders} placeholder(s) but ${params.length} parameter(s) were given; ` +
        `pass one value per "?" (a "?" inside quotes or a comment is not a placeholder). SQL: ${sql}`,
    );
  }
}
