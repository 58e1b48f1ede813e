import { tableize } from 'inflection';

/** The table of a class named `className`: snake_case plural (`User` → `users`, `FavoriteColor` → `favorite_colors`). */
export function tableNameOf(className: string): string {
  return tableize(className);
}
