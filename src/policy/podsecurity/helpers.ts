import type { BadValue, CheckResult, FieldError, Obj } from './types.js';

export function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `value`, or undefined when absent/null (Go's nil pointer). */
export function obj(value: unknown): Obj | undefined {
  return isObj(value) ? value : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function pluralize(singular: string, plural: string, count: number): string {
  return count === 1 ? singular : plural;
}

/** `"a", "b"` as pod-security-admission's joinQuote writes it. */
export function joinQuote(items: readonly string[]): string {
  return items.length === 0 ? '' : `"${items.join('", "')}"`;
}

/** Go's %q for the printable strings manifests hold. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Sorted distinct values, as apimachinery's sets.String.List() returns them. */
export function sortedSet(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

export function forbidden(field: string, badValue: BadValue = ''): FieldError {
  return { type: 'Forbidden', field, badValue };
}

export function required(field: string): FieldError {
  return { type: 'Required', field, badValue: '' };
}

export function fail(reason: string, detail: string, errors: FieldError[]): CheckResult {
  return { allowed: false, reason, detail, errors };
}

export interface ContainerRef {
  container: Obj;
  name: string;
  /** e.g. `spec.initContainers[2]` */
  path: string;
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

/**
 * The containers of the spec visited last, while a cache is open (see withContainerCache); null when
 * open and empty. One entry is enough: the checks of one evaluation all walk the same pod spec.
 */
let visited: { spec: Obj; containers: readonly ContainerRef[] } | null | undefined;

/**
 * Runs `fn` with container lists cached per spec object: every check walks the same containers, and the
 * cache lives only for this synchronous call, so later changes to a resource are always seen.
 */
export function withContainerCache<T>(fn: () => T): T {
  const outer = visited;
  visited = null;
  try {
    return fn();
  } finally {
    visited = outer;
  }
}

/** Every container in visitContainers' order: init containers, containers, then ephemeral containers. */
export function visitContainers(spec: Obj): readonly ContainerRef[] {
  if (visited?.spec === spec) return visited.containers;
  const out: ContainerRef[] = [];
  for (const key of CONTAINER_LISTS) {
    list(spec[key]).forEach((c, i) => {
      const container = obj(c) ?? {};
      out.push({ container, name: str(container.name), path: `spec.${key}[${i}]` });
    });
  }
  if (visited !== undefined) visited = { spec, containers: out };
  return out;
}

export function securityContext(c: Obj): Obj | undefined {
  return obj(c.securityContext);
}

export function podSecurityContext(spec: Obj): Obj | undefined {
  return obj(spec.securityContext);
}

/** `spec.os.name: windows`: Linux-only checks admit such pods from v1.25. */
export function isWindows(spec: Obj): boolean {
  return obj(spec.os)?.name === 'windows';
}
