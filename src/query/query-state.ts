import type { Loadable, Loaded } from '../model/hydration.js';
import type { RelatedModel } from '../model/relation-declarations.js';
import type { SqlFragment } from '../sql/fragments.js';
import type { WhereInput } from '../sql/where.js';

/*
 * What a query holds: plain data that no method changes; each method of Query copies it with one part changed,
 * so that a query can be reused and shared. query-sql.ts turns it into SQL.
 */

/** A model class as queries use it. */
export interface QueryModel extends Loadable<Loaded>, RelatedModel {
  readonly DEFAULT_SCOPE?: ((query: never) => unknown) | undefined;
  readonly SCOPES?: Readonly<Record<string, (query: never, ...args: never[]) => unknown>> | undefined;
  readonly SOFT_DELETE?: string | null | undefined;
}

/** Which rows of a soft-deleting model a query reads: the live ones, all of them, or the deleted ones only. */
export type DeletedRows = 'hidden' | 'with' | 'only';

/** How a relation filter (`whereHas`) or an included relation narrows its rows. */
export type Refinement = Readonly<Record<string, unknown>> | WhereInput | ((query: never) => unknown);

/** One part of a query's condition. */
export type Term =
  /** Columns equal to, or compared with, values: a where object. */
  | { readonly kind: 'columns'; readonly values: Readonly<Record<string, unknown>> }
  /** Twistar's condition: SQL text and parameters, or a `sql` fragment. */
  | { readonly kind: 'sql'; readonly where: WhereInput }
  /** EXISTS (or NOT EXISTS) a related row: whereHas / whereDoesntHave. */
  | {
      readonly kind: 'has';
      readonly relation: string;
      readonly negate: boolean;
      readonly refine: Refinement | undefined;
    }
  | { readonly kind: 'and' | 'or'; readonly terms: readonly Term[] };

/** One key of ORDER BY: a column and its direction, or trusted SQL. */
export type OrderItem =
  { readonly column: string; readonly direction: 'ASC' | 'DESC' } | { readonly fragment: SqlFragment };

/** A relation to load with the records, and how to narrow its rows. */
export interface IncludeItem {
  readonly path: string;
  readonly refine: ((query: never) => unknown) | undefined;
}

/** Row locks taken by the SELECT. */
export interface RowLock {
  readonly mode: 'update' | 'share';
  readonly wait: 'wait' | 'noWait' | 'skipLocked';
}

export interface QueryState {
  readonly model: QueryModel;
  /** A condition every row must meet whatever the query adds (a relation's owner): `orWhere` cannot widen it. */
  readonly base: Term | null;
  readonly where: Term | null;
  readonly order: readonly OrderItem[];
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  /** The columns read (every column when null). */
  readonly select: readonly string[] | null;
  readonly group: readonly string[] | null;
  readonly having: WhereInput;
  readonly lock: RowLock | null;
  readonly include: readonly IncludeItem[];
  /** Relations whose row counts are read with each record (`withCount`). */
  readonly counts: readonly string[];
  /** The model's DEFAULT_SCOPE applies (false after `unscoped()`). */
  readonly scoped: boolean;
  /** The rows of a model with SOFT_DELETE it reads (`withDeleted()`, `onlyDeleted()`); `hidden` by default. */
  readonly deleted: DeletedRows;
  /** Let the records load relations for each other on first use (default Registry.AUTO_BATCH). */
  readonly batch: boolean | undefined;
}

const initial = new WeakMap<QueryModel, QueryState>();

/** The state of a new query of `model`: every row, in no particular order (one object per model, never changed). */
export function initialState(model: QueryModel): QueryState {
  let state = initial.get(model);
  if (state === undefined) initial.set(model, (state = emptyState(model)));
  return state;
}

function emptyState(model: QueryModel): QueryState {
  return {
    model,
    base: null,
    where: null,
    order: [],
    limit: undefined,
    offset: undefined,
    select: null,
    group: null,
    having: undefined,
    lock: null,
    include: [],
    counts: [],
    scoped: true,
    deleted: 'hidden',
    batch: undefined,
  };
}

/** `state` with `changes`. */
export function withChanges(state: QueryState, changes: Partial<QueryState>): QueryState {
  return { ...state, ...changes };
}

/** `term` added to the condition with AND (`where`) or OR (`orWhere`: everything so far, or this). */
export function joinTerm(current: Term | null, term: Term, kind: 'and' | 'or'): Term {
  if (current === null) return term;
  if (current.kind === kind) return { kind, terms: [...current.terms, term] };
  return { kind, terms: [current, term] };
}
