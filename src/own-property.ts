/**
 * Sets `target[key] = value` as an own, enumerable data property. Plain assignment is not enough for a key
 * that comes from data (a column name, a JSON key): `target.__proto__ = value` calls Object.prototype's setter,
 * which replaces the target's prototype with an object value and drops any other value.
 */
export function setOwnProperty(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else target[key] = value;
}
