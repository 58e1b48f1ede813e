import { InvalidRelationshipError } from '../errors.js';
import {
  relationOf,
  sourceOf,
  targetOf,
  type RelatedModel,
  type RelationSpec,
} from './relation-declarations.js';

/*
 * A through relation (`{ name: 'comments', through: 'posts' }`) as the chain of plain relations it follows:
 * User → posts (has many) → comments (has many). A through relation of a through relation is its chains joined
 * end to end. Each step is a has many, has one or belongs-to; HABTM and polymorphic belongs-to are refused.
 */

/** One step of a through relation: a plain relation from one model to the next, and the columns linking them. */
export interface Hop {
  readonly spec: RelationSpec;
  /** The model the step leads to. */
  readonly to: RelatedModel;
  /** The column of the model the step starts from: its key (has many/one), or its foreign key (belongs-to). */
  readonly near: string;
  /** The column of `to` equal to `near`: the foreign key (has many/one), or the key (belongs-to). */
  readonly far: string;
  /** A polymorphic has many/one (`as`): the type column of `to` and the class name it must hold. */
  readonly type: readonly [column: string, value: unknown] | undefined;
}

const chains = new WeakMap<RelationSpec, readonly Hop[]>();
const resolving = new Set<RelationSpec>();

/**
 * The steps of through relation `spec`, from its owner to the related rows (resolved once, when first used: the
 * classes must be registered by then). InvalidRelationshipError for a chain that cannot be followed.
 */
export function throughHops(spec: RelationSpec): readonly Hop[] {
  let hops = chains.get(spec);
  if (hops !== undefined) return hops;
  const where = `${spec.owner.name}.${spec.name} (through ${String(spec.through)})`;
  if (spec.through === undefined)
    throw new InvalidRelationshipError(`${spec.owner.name}.${spec.name} is not a through relation.`);
  if (resolving.has(spec))
    throw new InvalidRelationshipError(`${where}: its chain of relations leads back to itself.`);
  resolving.add(spec);
  try {
    hops = [...stepsOf(relationOf(spec.owner, spec.through), where), ...stepsOf(sourceOf(spec), where)];
  } finally {
    resolving.delete(spec);
  }
  chains.set(spec, hops);
  return hops;
}

/** The models a through relation passes by, in order (not its owner, not its target). */
export function intermediatesOf(spec: RelationSpec): RelatedModel[] {
  return throughHops(spec)
    .slice(0, -1)
    .map((hop) => hop.to);
}

function stepsOf(step: RelationSpec, where: string): readonly Hop[] {
  if (step.through !== undefined) return throughHops(step);
  const what = `${step.owner.name}.${step.name}`;
  if (step.kind === 'habtm') {
    throw new InvalidRelationshipError(
      `${where}: ${what} is a has-and-belongs-to-many relation, which a through relation cannot follow; ` +
        'give the join table a model (with two belongs-to) and go through its has-many instead.',
    );
  }
  if (step.kind === 'belongsTo' && step.typeColumn !== undefined) {
    throw new InvalidRelationshipError(
      `${where}: ${what} is a polymorphic belongs-to, whose rows name their class, so a through relation ` +
        'cannot know which table to join; follow a relation to one class instead.',
    );
  }
  const to = targetOf(step);
  if (step.kind === 'belongsTo') {
    return [{ spec: step, to, near: step.foreignKey, far: to.PRIMARY_KEY, type: undefined }];
  }
  return [
    {
      spec: step,
      to,
      near: step.owner.PRIMARY_KEY,
      far: step.foreignKey,
      type: step.typeColumn === undefined ? undefined : [step.typeColumn, step.typeValue],
    },
  ];
}
