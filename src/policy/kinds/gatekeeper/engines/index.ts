/**
 * The engines Rampart knows, in the order Gatekeeper registers its drivers: K8sNativeValidation before Rego
 * (Gatekeeper's main.go and gator add the k8scel driver first, and the constraint framework runs a template
 * with the first driver that has code for it). So a template carrying both runs its CEL code.
 */
import { celEngine } from './cel.js';
import type { TemplateEngine } from './engine.js';
import { regoUnavailableEngine } from './rego-unavailable.js';

export type { CodeSite, CompiledCode, ReviewInput, TemplateEngine, Violation } from './engine.js';

export const TEMPLATE_ENGINES: readonly TemplateEngine[] = [celEngine, regoUnavailableEngine];

export function engineNamed(name: string): TemplateEngine | undefined {
  return TEMPLATE_ENGINES.find((e) => e.name === name);
}
