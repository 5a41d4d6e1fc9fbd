import { stringify } from 'yaml';
import type { Report } from '../model.js';
import { toJsonObject } from './json.js';

/** The JSON document, as YAML. */
export function renderYaml(report: Report): string {
  return stringify(toJsonObject(report), { lineWidth: 0 });
}
