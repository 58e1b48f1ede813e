import { tableize } from 'inflection';

const tables = new Map<string, string>();

/** The table of a class named `className`: snake_case plural (`User` → `users`, `FavoriteColor` → `favorite_colors`). */
export function tableNameOf(className: string): string {
  let table = tables.get(className);
  if (table === undefined) {
    // Inflection runs dozens of regular expressions; every model call asks for its table.
    table = tableize(className);
    tables.set(className, table);
  }
  return table;
}
