import type { ColumnInfo } from '../dialect.js';

/** The characters cp1252 puts at 0x80–0x9F, which MySQL's `latin1` is; its five unassigned bytes map to C1. */
const CP1252_HIGH = new Set(
  [...'€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ'].map((c) => c.codePointAt(0) ?? 0),
);

/** Whether a column of MySQL character set `charset` holds the code point; undefined for sets Twistar does not know. */
function holds(charset: string, point: number): boolean | undefined {
  switch (charset) {
    case 'utf8mb4':
    case 'utf16':
    case 'utf16le':
    case 'utf32':
    case 'binary':
      return true;
    // utf8mb3 (`utf8` before MySQL 8.0.30 / MariaDB 10.6, and NVARCHAR's) has three bytes: no code point past U+FFFF.
    case 'utf8':
    case 'utf8mb3':
    case 'ucs2':
      return point <= 0xffff;
    case 'ascii':
      return point <= 0x7f;
    case 'latin1':
      return point < 0x80 || (point >= 0xa0 && point <= 0xff) || CP1252_HIGH.has(point);
    default:
      return undefined;
  }
}

/** The first character of `text` a column of `charset` cannot hold (a whole emoji, not half), or undefined. */
export function unholdableCharacter(charset: string, text: string): string | undefined {
  // Plain ASCII fits every set Twistar knows; most text is, and needs no walk.
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
  if (ascii) return undefined;
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    if (holds(charset, point) === false) return char;
  }
  return undefined;
}

/** Why a column of a character set cannot hold `text` (an emoji in utf8mb3), and the fix; undefined when it can. */
export function unholdableText(column: ColumnInfo, text: string): string | undefined {
  if (column.charset === undefined) return undefined;
  const char = unholdableCharacter(column.charset, text);
  if (char === undefined) return undefined;
  const point = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  return (
    `column "${column.name}" (${column.type}) is in character set ${column.charset}, which cannot hold ` +
    `"${char}" (${point}); change the column to utf8mb4 ` +
    `(ALTER TABLE … MODIFY … CHARACTER SET utf8mb4) or leave the character out`
  );
}
