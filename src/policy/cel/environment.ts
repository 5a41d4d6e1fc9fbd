/**
 * The one CEL environment Rampart compiles every policy expression in: the CEL standard library plus
 * everything Kubernetes admission and Kyverno add (see docs/cel.md for the list). Built once, lazily.
 */
import { Environment } from '@marcbachmann/cel-js';
import { registerAuthorizer } from './lib/authorizer.js';
import { registerComprehensions } from './lib/comprehensions.js';
import { registerFormat } from './lib/format.js';
import { registerGenerator } from './lib/generator.js';
import { registerHash } from './lib/hash.js';
import { registerImageVerify } from './lib/imageverify.js';
import { registerIP } from './lib/ip.js';
import { registerKyverno } from './lib/kyverno.js';
import { registerLists } from './lib/lists.js';
import { registerMath } from './lib/math.js';
import { registerQuantity } from './lib/quantity.js';
import { registerRandom } from './lib/random.js';
import { registerRegex } from './lib/regex.js';
import { registerSemver } from './lib/semver.js';
import { registerSets } from './lib/sets.js';
import { registerStrings } from './lib/strings.js';
import { registerURL } from './lib/url.js';

/** Variables an admission expression may read; all are dynamically typed (unstructured objects). */
export const ADMISSION_VARIABLES = [
  'object',
  'oldObject',
  'request',
  'params',
  'namespaceObject',
  'variables',
  'exceptions',
  'images',
] as const;

let shared: Environment | undefined;

export function celEnvironment(): Environment {
  if (shared) return shared;
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    limits: {
      maxAstNodes: 100_000,
      maxDepth: 250,
      maxListElements: 10_000,
      maxMapEntries: 10_000,
      maxCallArguments: 32,
    },
  });
  for (const name of ADMISSION_VARIABLES) env.registerVariable(name, 'dyn');
  // cel.CrossTypeNumericComparisons, on in Kubernetes and Kyverno: 1 == 1.0, 2 < 2.5 (the other operators and
  // the mirrored order follow from this one registration).
  env.registerOperator('int == double', (a: bigint, b: number) => Number(a) === b);
  registerStrings(env);
  registerLists(env);
  registerSets(env);
  registerRegex(env);
  registerURL(env);
  registerQuantity(env);
  registerIP(env);
  registerFormat(env);
  registerSemver(env);
  registerComprehensions(env);
  registerKyverno(env);
  registerAuthorizer(env);
  registerGenerator(env);
  registerMath(env);
  registerHash(env);
  registerRandom(env);
  registerImageVerify(env);
  shared = env;
  return env;
}
