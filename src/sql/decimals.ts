/** A decimal number's digits: `whole` without leading zeros, `fraction` without trailing zeros. */
export interface DecimalParts {
  readonly negative: boolean;
  readonly whole: string;
  readonly fraction: string;
}

const DECIMAL_TEXT = /^\s*([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?\s*$/;

/**
 * The digits of a decimal given as text (`'0.999'`, `'-1.5e3'`), a finite number (its shortest round-trip
 * text: `0.1 + 0.2` is `0.30000000000000004`) or a bigint; undefined for anything else.
 */
export function decimalParts(value: unknown): DecimalParts | undefined {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else if (typeof value === 'bigint') text = String(value);
  else return undefined;
  const match = DECIMAL_TEXT.exec(text);
  if (match === null) return undefined;
  const [, sign, whole = '', fraction = '', exponent] = match;
  if (whole === '' && fraction === '') return undefined;
  const digits = whole + fraction;
  // The point's place in `digits`, moved by the exponent; a million places is past any column.
  const point = whole.length + Number(exponent ?? 0);
  if (point > 1000 || point < -1000) return undefined;
  const padded = point < 0 ? '0'.repeat(-point) + digits : digits.padEnd(point, '0');
  const at = Math.max(point, 0);
  const intPart = padded.slice(0, at).replace(/^0+/, '');
  const fracPart = padded.slice(at).replace(/0+$/, '');
  return {
    negative: sign === '-' && (intPart !== '' || fracPart !== ''),
    whole: intPart,
    fraction: fracPart,
  };
}

/** The text PostgreSQL and MySQL give for `parts` in a column of `scale` digits after the point: `1.50`. */
export function decimalText(parts: DecimalParts, scale: number): string {
  const digits = Math.max(scale, parts.fraction.length);
  const whole = `${parts.negative ? '-' : ''}${parts.whole || '0'}`;
  return digits === 0 ? whole : `${whole}.${parts.fraction.padEnd(digits, '0')}`;
}

/**
 * Why a `DECIMAL(precision, scale)` column cannot hold `parts` exactly (the servers would round it, SQLite would
 * keep it as given), or undefined.
 */
export function decimalOutOfRange(parts: DecimalParts, precision: number, scale: number): string | undefined {
  if (parts.fraction.length > scale) {
    return `it has ${parts.fraction.length} digits after the point, more than the column's ${scale} (the database would round it)`;
  }
  if (parts.whole.length > precision - scale) {
    return `it has ${parts.whole.length} digits before the point, more than the column's ${precision - scale}`;
  }
  return undefined;
}

/**
 * Why a column that keeps only `exactDigits` significant digits exactly (SQLite's double) cannot hold `parts`,
 * or undefined; a whole number that fits 64 bits is kept as an integer, exactly.
 */
export function decimalInexact(parts: DecimalParts, exactDigits: number): string | undefined {
  if (parts.fraction === '' && parts.whole.length <= 18) return undefined;
  const digits = (parts.whole + parts.fraction).replace(/^0+/, '').replace(/0+$/, '');
  if (digits.length <= exactDigits) return undefined;
  return (
    `it has ${digits.length} significant digits, and the database keeps only ${exactDigits} exactly ` +
    `(SQLite stores such a decimal as a 64-bit float); store it as text or as an integer of the smallest unit`
  );
}
