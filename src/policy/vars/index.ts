/**
 * Variables, JMESPath and context entries for the policy engine, with Kyverno's semantics.
 * A pure, synchronous library: the only inputs are the context root and offline sources.
 */
export { EvalContext, splitVariableName } from './context.js';
export { type ContextSources, loadContextEntries } from './entries.js';
export { VariableError } from './errors.js';
export { KYVERNO_FUNCTIONS } from './functions.js';
export { buildImagesVariable, type ImageInfo, imagesKey, parseImageReference, sameImages } from './images.js';
export { jmespathSearch } from './jmespath.js';
export { substituteVariables } from './substitute.js';
