/**
 * The brand of a relation's type: `HasMany<Picture>` and the other relation classes carry the model they lead to
 * under this key (in their type only), so that the model layer's types tell relations from columns and name the
 * related model without importing the relationships layer above it.
 */
export const RELATED: unique symbol = Symbol('twistar.related');

/** A relation leading to `T`, as types see it. */
export interface RelationTo<T> {
  readonly [RELATED]: T;
}
