/**
 * One interface for the code engines a ConstraintTemplate can carry (`targets[].code[].engine`): each engine
 * compiles its code once per template and reviews one object for one constraint, returning violations.
 * An engine that cannot run here (Rego without Open Policy Agent) says why instead of compiling, so an
 * OPA-backed engine can take its place later without touching the policy kind.
 */

import type { Inventory } from '../inventory.js';

/** What a template's code sees for one object and one constraint. */
export interface ReviewInput {
  /** The admission activation built by the engine (object, oldObject, request, namespaceObject...). */
  activation: Record<string, unknown>;
  /** The constraint as written: `params` in CEL, `input.constraint` in Rego. */
  constraint: Record<string, unknown>;
  /** `spec.parameters` of the constraint (`variables.params`, `input.parameters`). */
  parameters: unknown;
  /** The object under review, or oldObject on DELETE (`variables.anyObject`). */
  anyObject: unknown;
  /** Referential data (`data.inventory` in Rego); Gatekeeper's CEL engine does not expose it. */
  inventory: Inventory;
}

export interface Violation {
  message: string;
  /** Set when the code itself failed on this object (a runtime error): reported as `error`, not a violation. */
  error?: boolean;
}

export interface CompiledCode {
  /** The engine that runs it (`K8sNativeValidation`, `Rego`). */
  engine: string;
  review(input: ReviewInput): Violation[];
}

/** Where a template's code sits, for error messages that name the field. */
export interface CodeSite {
  template: string;
  file?: string;
  /** `spec.targets[0].code[1].source` */
  field: string;
}

export interface TemplateEngine {
  /** The engine name as templates write it. */
  readonly name: string;
  /** Compiles the code (throws a UserError naming the field), or returns why it cannot run here. */
  compile(source: unknown, site: CodeSite): CompiledCode | { unavailable: string };
}
