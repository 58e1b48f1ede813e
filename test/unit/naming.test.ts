import { describe, it } from 'node:test';
import assert from 'node:assert/strict';

import { tableNameOf } from '../../src/model/naming.js';

describe('tableNameOf', () => {
  const cases: [string, string][] = [
    ['User', 'users'],
    ['Person', 'people'],
    ['FavoriteColor', 'favorite_colors'],
    ['Picture', 'pictures'],
    ['Category', 'categories'],
    ['Address', 'addresses'],
    ['Child', 'children'],
  ];
  for (const [className, table] of cases) {
    it(`names the table of ${className} "${table}"`, () => {
      assert.equal(tableNameOf(className), table);
    });
  }
});
