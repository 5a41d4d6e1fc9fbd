/**
 * Kyverno's `generator` library for GeneratingPolicy (pkg/cel/libs/generator): `generator.Apply(namespace,
 * objects)` records the objects to create in that namespace and returns true. Offline nothing is created: the
 * policy kind reads the recorded objects from the context it bound for this one evaluation.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { fromCel } from '../values.js';
import { evalError } from './util.js';

export class GeneratorContext {
  readonly generated: Record<string, unknown>[] = [];
  apply(namespace: string, objects: unknown): boolean {
    const list = fromCel(objects);
    if (!Array.isArray(list))
      throw evalError('generator.Apply: the second argument must be a list of objects');
    for (const item of list) {
      if (!item || typeof item !== 'object' || Array.isArray(item))
        throw evalError('generator.Apply: every element must be an object');
      const object = structuredClone(item) as Record<string, unknown>;
      const meta = (object.metadata ?? {}) as Record<string, unknown>;
      if (namespace !== '') meta.namespace = namespace;
      object.metadata = meta;
      this.generated.push(object);
    }
    return true;
  }
}

export function registerGenerator(env: Environment): void {
  env.registerType('GeneratorContext', GeneratorContext);
  env.registerVariable('generator', 'GeneratorContext');
  env.registerFunction(
    'GeneratorContext.Apply(string, list): bool',
    (g: GeneratorContext, namespace: string, objects: unknown) => g.apply(namespace, objects),
  );
}
