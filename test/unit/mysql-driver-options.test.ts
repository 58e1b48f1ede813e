import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect, ConnectionError } from '../../src/index.js';

// No server is reached: the options are refused when the pool is made.
const URL = 'mysql://root@127.0.0.1:1/none';

describe('mysql2 options that would undo what Twistar promises', () => {
  it('refuses decimalNumbers (DECIMAL read as rounded numbers)', () => {
    assert.throws(
      () => connect(URL, { driverOptions: { decimalNumbers: true } }),
      (error: unknown) =>
        error instanceof ConnectionError && /decimalNumbers.*exact strings/.test(error.message),
    );
  });

  it('refuses the -FOUND_ROWS flag, as a list or as text (an UPDATE would count only changed rows)', () => {
    for (const flags of [['-FOUND_ROWS'], ' -found_rows', 'IGNORE_SPACE,-FOUND_ROWS'])
      assert.throws(
        // mysql2 takes a comma-separated string too, though its types list only arrays.
        () => connect(URL, { driverOptions: { flags: flags as string[] } }),
        (error: unknown) => error instanceof ConnectionError && /FOUND_ROWS/.test(error.message),
        String(flags),
      );
  });

  it('takes other options', async () => {
    const pool = connect(URL, { driverOptions: { decimalNumbers: false, flags: ['IGNORE_SPACE'] } });
    await pool.close();
  });
});
