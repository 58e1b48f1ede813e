import type { Id } from '../crud/interaction-base.js';
import type { RELATED } from './relation-type.js';

/** The instance members every model has that are not columns (its key accessor and validation errors). */
type FrameworkMember = 'id' | 'errors';

/** The column values of model `M`: the data properties it declares (`declare first_name: string`). */
export type Attributes<M> = {
  [
    K in keyof M as K extends string
      ? K extends FrameworkMember
        ? never
        : NonNullable<M[K]> extends ((...args: never[]) => unknown) | { readonly [RELATED]: unknown }
          ? never
          : K
      : never
  ]: M[K];
};

/**
 * Values to build or match a model with. For a model that declares its columns, they are type-checked
 * (and an unknown name in an object literal is an error); for one that declares none, any object goes.
 */
export type AttributeValues<M> = [keyof Attributes<M>] extends [never]
  ? Record<string, unknown>
  : Partial<Attributes<M>> & { id?: Id | null };
