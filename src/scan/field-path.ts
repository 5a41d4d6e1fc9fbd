/**
 * The field a finding is about, as steps (`["spec", "containers", 0, "securityContext"]`), read from
 * what the engine reports: Kyverno's pattern failure path (`failed at path /spec/.../`) and Pod
 * Security field errors (`field error list: [spec.template.spec.hostPID: ...`). Undefined when the
 * result names no field (deny conditions, most foreach messages).
 */
export type FieldPath = (string | number)[];

const PATTERN_PATH = /failed at path (\/\S*)/;
const PSS_FIELD = /field error list: \[([A-Za-z_][\w.\-[\]/"']*)/;

export function fieldPathOf(message: string, properties?: Record<string, unknown>): FieldPath | undefined {
  const own = properties?.fieldPath;
  if (Array.isArray(own)) return own as FieldPath;
  const pattern = PATTERN_PATH.exec(message);
  if (pattern) return fromPointer(pattern[1]!);
  const pss = PSS_FIELD.exec(message);
  if (pss) return fromDotted(pss[1]!);
  return undefined;
}

function step(s: string): string | number {
  return /^\d+$/.test(s) ? Number(s) : s;
}

/** `/spec/containers/0/name/` → ["spec", "containers", 0, "name"] (JSON pointer escapes undone). */
export function fromPointer(pointer: string): FieldPath {
  return pointer
    .split('/')
    .filter((p) => p !== '')
    .map((p) => step(p.replaceAll('~1', '/').replaceAll('~0', '~')));
}

/** `spec.containers[0].securityContext` → ["spec", "containers", 0, "securityContext"]. */
export function fromDotted(dotted: string): FieldPath {
  const out: FieldPath = [];
  for (const part of dotted.replace(/[:,]$/, '').split('.')) {
    const m = /^([^[]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/**
 * A field path as reports write it (`spec.containers[0].securityContext`), one step at a time:
 * `formatted` is the path so far.
 */
export function withFieldStep(formatted: string, step: string | number): string {
  return typeof step === 'number' ? `${formatted}[${step}]` : formatted ? `${formatted}.${step}` : step;
}

const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Where the engine gives no path (deny conditions over foreach elements), a message that names a
 * container ("Container app ...", "Sidecar istio-proxy ...") or a volume ("hostPath volume dev ...")
 * points at that element of the pod spec; `podTemplate` is the path to the pod template by kind.
 */
export function inferredFieldPath(
  message: string,
  content: unknown,
  podTemplate: readonly string[] | undefined,
): FieldPath | undefined {
  if (!podTemplate) return undefined;
  let node: unknown = content;
  for (const key of podTemplate) node = isRecord(node) ? node[key] : undefined;
  const spec = isRecord(node) ? node.spec : undefined;
  if (!isRecord(spec)) return undefined;
  const base: FieldPath = [...podTemplate, 'spec'];
  const container = /\b(?:Container|container|Sidecar|sidecar) "?([a-z0-9][a-z0-9.-]*)"?/.exec(message);
  if (container) {
    for (const list of CONTAINER_LISTS) {
      const items = spec[list];
      if (!Array.isArray(items)) continue;
      const i = items.findIndex((c) => isRecord(c) && c.name === container[1]);
      if (i >= 0) return [...base, list, i];
    }
  }
  const volume = /\bvolume "?([a-z0-9][a-z0-9.-]*)"?/.exec(message);
  if (volume && Array.isArray(spec.volumes)) {
    const i = spec.volumes.findIndex((v) => isRecord(v) && v.name === volume[1]);
    if (i >= 0) return [...base, 'volumes', i];
  }
  return undefined;
}
