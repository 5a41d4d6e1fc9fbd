/**
 * Gatekeeper's `Rego` engine (and the legacy `targets[].rego` + `libs`). Rego is never interpreted by
 * home-made code: without Open Policy Agent the engine reports itself unavailable, and the template's
 * constraints give one `skip` naming the template. An OPA-backed engine (opa-wasm over `opa build -t wasm`)
 * would implement `compile` here.
 */
import type { CodeSite, TemplateEngine } from './engine.js';

export const regoUnavailableEngine: TemplateEngine = {
  name: 'Rego',
  compile(_source, site: CodeSite) {
    return { unavailable: `Rego templates need Open Policy Agent (ConstraintTemplate "${site.template}")` };
  },
};
