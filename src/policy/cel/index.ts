/** Rampart's CEL evaluator: the only module that knows which CEL library is underneath. */
export { CostLimitError, evaluationCount, PER_CALL_LIMIT } from './cost.js';
export { GeneratorContext } from './lib/generator.js';
export { OFFLINE_IMAGE_VERIFICATION } from './lib/imageverify.js';
export type { CelServices, HttpMock } from './lib/kyverno.js';
export {
  type CelOutcome,
  type CelProgram,
  type CelSite,
  compileCel,
  position,
  serviceVariables,
} from './program.js';
export { celTypeName, fromCel, toCel, toCelOnce } from './values.js';
