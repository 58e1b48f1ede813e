import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GAPS } from '../support/gaps.js';

const INTEGRATION = fileURLToPath(new URL('../integration/', import.meta.url));

/** The integration suites' sources, by file name. */
const sources = readdirSync(INTEGRATION)
  .filter((file) => file.endsWith('.test.ts'))
  .map((file) => [file, readFileSync(join(INTEGRATION, file), 'utf8')] as const);

const entries = Object.entries(GAPS).flatMap(([backend, gaps]) =>
  Object.entries(gaps).map(([key, reason]) => ({ backend, key, reason })),
);

// A stale test title fails the file that declares the suite (test/support/backends.ts); a suite that is declared
// nowhere any more can only be found here.
it('names, in each entry of the gap list, a suite that an integration file declares', () => {
  const stale = entries.filter(({ key }) => {
    const suite = key.split(' > ')[0] ?? '';
    return !sources.some(([, text]) =>
      ["'", '"', '`'].some((quote) => text.includes(`${quote}${suite}${quote}`)),
    );
  });
  assert.deepEqual(
    stale.map(({ backend, key }) => `${backend}: ${key}`),
    [],
  );
});

it('gives each entry of the gap list a test title and a reason', () => {
  for (const { backend, key, reason } of entries) {
    assert.match(key, /^.+ > .+$/, `${backend}: "${key}" is not "suite > test"`);
    assert.ok(reason.trim().length > 0, `${backend}: "${key}" gives no reason`);
  }
});
