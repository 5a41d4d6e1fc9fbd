import { readFile } from 'node:fs/promises';
import { isObject } from '../core/document.js';
import { UserError } from '../core/errors.js';
import { LineIndex } from './locate.js';
import type { TfResource } from './model.js';

/**
 * Reads `terraform show -json PLANFILE` output. PowerShell's `>` writes UTF-16, so byte order marks
 * (and BOM-less UTF-16LE) are decoded before parsing.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder().decode(bytes.subarray(3));
  if (bytes.length >= 4 && bytes[0] !== 0 && bytes[1] === 0 && bytes[3] === 0) {
    return new TextDecoder('utf-16le').decode(bytes);
  }
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] !== 0 && bytes[2] === 0) {
    return new TextDecoder('utf-16be').decode(bytes);
  }
  return new TextDecoder().decode(bytes);
}

export function isPlan(value: unknown): value is Record<string, any> {
  return (
    isObject(value) && 'format_version' in value && ('planned_values' in value || 'resource_changes' in value)
  );
}

/** Reads a file and returns its text when it is a Terraform plan in JSON form, otherwise undefined. */
export async function readPlanFile(
  file: string,
): Promise<{ text: string; plan: Record<string, any> } | undefined> {
  const bytes = await readFile(file);
  if (
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    bytes[2] === 0x03 &&
    bytes[3] === 0x04 &&
    !/\.json$/i.test(file)
  ) {
    throw new UserError(
      'is a binary Terraform plan; convert it with "terraform show -json PLANFILE > plan.json"',
      {
        position: { file },
      },
    );
  }
  const text = decodeText(bytes);
  if (!text.includes('format_version')) return undefined;
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (error) {
    // A file that mentions format_version but does not parse is most likely a damaged plan: say so.
    if (/"(planned_values|resource_changes)"/.test(text)) {
      throw new UserError(`invalid plan JSON: ${(error as Error).message}`, { position: { file } });
    }
    return undefined;
  }
  return isPlan(plan) ? { text, plan } : undefined;
}

/** Every resource the plan will leave in place, with its full address and the line it appears on. */
export function planResources(file: string, text: string, plan: Record<string, any>): TfResource[] {
  const index = new LineIndex(text);
  const locate = (address: string) => {
    const at = text.indexOf(`"address":${JSON.stringify(address)}`);
    const spaced = at >= 0 ? at : text.indexOf(`"address": ${JSON.stringify(address)}`);
    return spaced >= 0 ? index.position(spaced) : { line: 1, column: 1 };
  };
  const out: TfResource[] = [];
  const seen = new Set<string>();
  const add = (r: Record<string, any>, values: unknown, moduleAddress: string | undefined) => {
    const address = String(r.address);
    if (seen.has(address)) return;
    seen.add(address);
    const pos = locate(address);
    out.push({
      address,
      mode: r.mode === 'data' ? 'data' : 'managed',
      type: String(r.type),
      name: String(r.name),
      values: isObject(values) ? values : {},
      origin: { file, line: pos.line, column: pos.column, index: 0 },
      moduleKey: `${file}#${moduleAddress ?? ''}`,
      moduleDir: undefined,
      fromPlan: true,
    });
  };
  const walk = (module: Record<string, any> | undefined) => {
    if (!module) return;
    for (const r of module.resources ?? []) add(r, r.values, module.address);
    for (const child of module.child_modules ?? []) walk(child);
  };
  walk(plan.planned_values?.root_module);
  for (const change of plan.resource_changes ?? []) {
    const actions: string[] = change.change?.actions ?? [];
    if (actions.length === 1 && actions[0] === 'delete') continue;
    add(change, change.change?.after, change.module_address);
  }
  return out;
}
