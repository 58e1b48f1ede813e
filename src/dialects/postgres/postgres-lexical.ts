import type { LexicalRules } from '../../sql/placeholders.js';

/** What PostgreSQL's SQL text holds besides code: dollar quotes, nested comments, no backslash escapes. */
export const POSTGRES_LEXICAL: LexicalRules = {
  backslashEscapes: false,
  dollarQuotes: true,
  hashComments: false,
  backtickIdentifiers: false,
  bracketIdentifiers: false,
  nestedComments: true,
  dashCommentNeedsSpace: false,
};
