import { DBObjectSaveError, DeleteRestrictionError } from '../errors.js';
import type { InteractionBase } from '../crud/interaction-base.js';
import { quoteColumn } from '../sql/fragments.js';
import type { Where } from '../sql/where.js';
import { findObjectsBy } from './finders.js';
import type { Loadable, Loaded } from './hydration.js';
import { relationsOf, targetOf, type RelatedModel, type RelationSpec } from './relation-declarations.js';

/*
 * Dependent relations: what deleting an owner does to the rows of its has-many and has-one relations declared with
 * `dependent` (Rails' `dependent:`), in the owner's delete transaction, before its own row goes:
 *   'restrict'  refuses the delete (DeleteRestrictionError) while a related row exists;
 *   'delete'    deletes the related rows in one statement (no hooks);
 *   'destroy'   loads them and deletes each with its hooks (and its own dependents);
 *   'nullify'   sets their foreign key (and a polymorphic type) to NULL.
 */

/** What deleting the owner does to a relation's rows. */
export type Dependent = 'delete' | 'destroy' | 'nullify' | 'restrict';

/** The relations of `model` that declare `dependent`, restricting ones first. */
export function dependentsOf(model: RelatedModel): RelationSpec[] {
  const found = [...relationsOf(model).values()].filter((spec) => spec.dependent !== undefined);
  return [
    ...found.filter((spec) => spec.dependent === 'restrict'),
    ...found.filter((spec) => spec.dependent !== 'restrict'),
  ];
}

/** The condition and values naming the rows of `spec` that belong to the owner with key `id`. */
function ownedBy(
  config: InteractionBase,
  spec: RelationSpec,
  id: unknown,
): { where: Where; attrs: Record<string, unknown> } {
  const quote = (name: string) => quoteColumn(config.pool.dialect, name);
  const attrs: Record<string, unknown> = { [spec.foreignKey]: id };
  if (spec.typeColumn !== undefined && spec.typeValue !== undefined) attrs[spec.typeColumn] = spec.typeValue;
  const names = Object.keys(attrs);
  return {
    where: [names.map((name) => `${quote(name)} = ?`).join(' AND '), ...names.map((name) => attrs[name])],
    attrs,
  };
}

/**
 * Applies each dependent relation of the owner with key `id`, in the transaction its delete runs in: first every
 * 'restrict' check, so that a refusal leaves everything as it was, then the others.
 */
export async function applyDependents(
  id: unknown,
  specs: readonly RelationSpec[],
  config: InteractionBase,
  describe: string,
): Promise<void> {
  for (const spec of specs) {
    const target = targetOf(spec);
    const { where, attrs } = ownedBy(config, spec, id);
    switch (spec.dependent) {
      case 'restrict':
        if ((await config.count(target.tablename(), where)) > 0) {
          throw new DeleteRestrictionError(
            `Cannot delete ${describe}: it has ${spec.name} (declared dependent: 'restrict'), so nothing was ` +
              `deleted. Delete or move its ${spec.name} first.`,
          );
        }
        break;
      case 'delete':
        await config.delete(target.tablename(), where);
        break;
      case 'nullify': {
        const cleared = Object.fromEntries(Object.keys(attrs).map((name) => [name, null]));
        await config.update(target.tablename(), cleared, where);
        break;
      }
      case 'destroy': {
        type Deletable = Loaded & { delete(): Promise<boolean> };
        const children = (await findObjectsBy(target as Loadable<Deletable>, config, attrs)) as Deletable[];
        for (const child of children) {
          if (!(await child.delete())) {
            throw new DBObjectSaveError(
              `Cannot delete ${describe}: the beforeDelete of one of its ${spec.name} (dependent: 'destroy') ` +
                'cancelled, so nothing was deleted.',
            );
          }
        }
        break;
      }
      default:
        break;
    }
  }
}
