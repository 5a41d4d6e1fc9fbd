/**
 * expansion.gatekeeper.sh ExpansionTemplates: a workload (a Deployment, say) is also reviewed as the
 * object it will generate (its pod template, as a Pod), so Pod constraints catch a bad Deployment before
 * any Pod exists. As Gatekeeper's expansion system does, the resultant is the map at `templateSource`
 * with `generatedGVK` as its apiVersion and kind and the parent's namespace; violations it gets are
 * reported on the parent with the message prefixed `[Implied by TEMPLATE]`, and the template's
 * `enforcementAction`, when set, replaces the constraint's for them.
 */
import { isObject } from '../../../core/document.js';
import { UserError } from '../../../core/errors.js';
import type { EnforcementAction } from './constraint.js';

export const EXPANSION_GROUP = 'expansion.gatekeeper.sh';

export interface ExpansionTemplate {
  name: string;
  applyTo: { groups: string[]; versions: string[]; kinds: string[] }[];
  /** `spec.template` as path segments. */
  source: string[];
  generated: { apiVersion: string; kind: string };
  action?: EnforcementAction;
}

export interface Resultant {
  template: ExpansionTemplate;
  /** The generated object, or why it could not be built. */
  object?: Record<string, unknown>;
  error?: string;
}

export function isExpansionDocument(content: Record<string, unknown>): boolean {
  return (
    content.kind === 'ExpansionTemplate' && String(content.apiVersion ?? '').startsWith(`${EXPANSION_GROUP}/`)
  );
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

export function loadExpansion(content: Record<string, unknown>, file?: string): ExpansionTemplate {
  const name = String(isObject(content.metadata) ? (content.metadata.name ?? '') : '');
  const fail = (problem: string): never => {
    throw new UserError(
      `invalid ExpansionTemplate "${name}": ${problem}`,
      file ? { position: { file } } : {},
    );
  };
  if (!name) fail('metadata.name is required');
  const spec = isObject(content.spec) ? content.spec : {};
  const applyTo = Array.isArray(spec.applyTo) ? spec.applyTo : [];
  if (applyTo.length === 0) fail('spec.applyTo: at least one entry (groups, versions, kinds) is required');
  const entries = applyTo.map((a, i) => {
    const entry = isObject(a) ? a : {};
    const kinds = strings(entry.kinds);
    if (kinds.length === 0) fail(`spec.applyTo[${i}].kinds: at least one kind is required`);
    return { groups: strings(entry.groups), versions: strings(entry.versions), kinds };
  });
  const templateSource = String(spec.templateSource ?? '');
  if (!templateSource) fail('spec.templateSource is required (e.g. spec.template)');
  const gvk = isObject(spec.generatedGVK) ? spec.generatedGVK : {};
  const kind = String(gvk.kind ?? '');
  const version = String(gvk.version ?? '');
  if (!kind || !version) fail('spec.generatedGVK: kind and version are required');
  const group = String(gvk.group ?? '');
  let action: EnforcementAction | undefined;
  if (spec.enforcementAction !== undefined && spec.enforcementAction !== '') {
    const written = String(spec.enforcementAction).toLowerCase();
    if (!['deny', 'dryrun', 'warn'].includes(written))
      fail(`spec.enforcementAction: "${written}" is not one of deny, dryrun, warn`);
    action = written as EnforcementAction;
  }
  return {
    name,
    applyTo: entries,
    source: templateSource.split('.'),
    generated: { apiVersion: group ? `${group}/${version}` : version, kind },
    action,
  };
}

function applies(t: ExpansionTemplate, object: Record<string, unknown>): boolean {
  const apiVersion = String(object.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  const group = slash === -1 ? '' : apiVersion.slice(0, slash);
  const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
  const kind = String(object.kind ?? '');
  return t.applyTo.some(
    (a) => a.groups.includes(group) && a.versions.includes(version) && a.kinds.includes(kind),
  );
}

/** The objects `object` expands to under the templates that apply to it. */
export function expand(
  object: Record<string, unknown>,
  templates: readonly ExpansionTemplate[],
): Resultant[] {
  const out: Resultant[] = [];
  for (const template of templates) {
    if (!applies(template, object)) continue;
    let at: unknown = object;
    for (const key of template.source) at = isObject(at) ? at[key] : undefined;
    if (!isObject(at)) {
      out.push({ template, error: `could not find source field "${template.source.join('.')}"` });
      continue;
    }
    const copy = structuredClone(at);
    const meta = isObject(copy.metadata) ? copy.metadata : {};
    const parentMeta = isObject(object.metadata) ? object.metadata : {};
    const namespace = parentMeta.namespace;
    out.push({
      template,
      object: {
        ...copy,
        apiVersion: template.generated.apiVersion,
        kind: template.generated.kind,
        metadata: { ...meta, ...(namespace !== undefined ? { namespace } : {}) },
      },
    });
  }
  return out;
}

export function impliedMessage(template: ExpansionTemplate, message: string): string {
  return `[Implied by ${template.name}] ${message}`;
}
