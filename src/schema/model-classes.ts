import { ClassNotRegisteredError } from '../errors.js';
import type { RelatedModel, RelationSpec } from '../model/relation-declarations.js';
import { Registry } from '../registry.js';
import { compareText } from './text-order.js';
import type { VerifyOptions } from './verify-options.js';

/** A class Twistar can treat as a model: it has a table and a primary key. */
export function isModelClass(value: unknown): value is RelatedModel {
  return (
    typeof value === 'function' &&
    typeof (value as { tablename?: unknown }).tablename === 'function' &&
    typeof (value as { PRIMARY_KEY?: unknown }).PRIMARY_KEY === 'string'
  );
}

/** The models to look at: those given, or every registered model class, sorted by name. */
export function modelsToCheck(models?: VerifyOptions['models']): RelatedModel[] {
  const candidates: readonly unknown[] = models ?? Registry.registeredClasses();
  return candidates.filter(isModelClass).sort((a, b) => compareText(a.name, b.name));
}

/** The class a relation names: among `models` first, then in the Registry; undefined when neither has it. */
export function relatedClass(spec: RelationSpec, models: readonly RelatedModel[]): RelatedModel | undefined {
  const given = models.find((model) => model.name === spec.className);
  if (given !== undefined) return given;
  try {
    const found = Registry.getClass<unknown>(spec.className);
    return isModelClass(found) ? found : undefined;
  } catch (error) {
    if (error instanceof ClassNotRegisteredError) return undefined;
    throw error;
  }
}
