/**
 * The bridge between JSON documents and CEL values. Kubernetes hands CEL unstructured objects in which whole
 * numbers are `int` and the rest `double`; the CEL library represents `int` as bigint, so documents are converted
 * once per evaluation input, and results (messages, audit annotations, patches) converted back to JSON.
 */
import { Optional } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

const converted = new WeakMap<object, unknown>();

/**
 * JSON → CEL: integers become bigint (int); everything else keeps its shape. The converted copy of an object is
 * cached per object identity (the same resource reaches many policies); the objects inside it are not, since
 * a weak-map entry per nested object costs more garbage-collector time than converting them does.
 */
export function toCel(value: unknown): unknown {
  if (value !== null && typeof value === 'object') {
    const hit = converted.get(value);
    if (hit !== undefined) return hit;
    const out = convertObject(value);
    converted.set(value, out);
    return out;
  }
  return convert(value);
}

/** The same conversion for a value built for one activation only: nothing cached. */
export function toCelOnce(value: unknown): unknown {
  return convert(value);
}

function convert(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      return Number.isInteger(value) ? BigInt(value) : value;
    case 'object':
      return convertObject(value);
    default:
      return value;
  }
}

function convertObject(value: object): unknown {
  if (Array.isArray(value)) return value.map(convert);
  if (value instanceof Uint8Array || value instanceof Date || value instanceof Map) return value;
  const out: Record<string, unknown> = {};
  for (const k in value) {
    if (!Object.hasOwn(value, k)) continue;
    const v = (value as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = convert(v);
  }
  return out;
}

/** CEL → JSON: bigint to number (or string when it would lose precision), maps to objects, optionals unwrapped. */
export function fromCel(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'object': {
      if (Array.isArray(value)) return value.map(fromCel);
      if (value instanceof UnsignedInt) return fromCel(value.valueOf());
      if (value instanceof Optional) return value.hasValue() ? fromCel(value.value()) : null;
      if (value instanceof Map) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of value) out[String(k)] = fromCel(v);
        return out;
      }
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      if (value instanceof Date) return value.toISOString();
      if (value instanceof Set) return [...value].map(fromCel);
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null && typeof value.toString === 'function') {
        return value.toString();
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = fromCel(v);
      return out;
    }
    default:
      return value;
  }
}

/** The CEL type name of a runtime value, for messages. */
export function celTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null_type';
  switch (typeof value) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      if (Array.isArray(value)) return 'list';
      if (value instanceof UnsignedInt) return 'uint';
      if (value instanceof Uint8Array) return 'bytes';
      if (value instanceof Optional) return 'optional_type';
      if (value instanceof Date) return 'google.protobuf.Timestamp';
      if (value instanceof Duration) return 'google.protobuf.Duration';
      return 'map';
  }
}
