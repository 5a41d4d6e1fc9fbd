import { UserError } from '../core/errors.js';
import type { PolicyException } from '../policy/exceptions/index.js';
import { isPolicyExceptionDocument, parsePolicyException } from '../policy/exceptions/index.js';
import { loadPolicies } from '../policy/load.js';
import type { LoadedPolicy } from '../policy/model/types.js';
import { listPackNames, loadPack } from './index.js';

/** Policy files or directories plus built-in packs: what `rampart serve` and `rampart report` evaluate. */
export interface PolicySources {
  paths: readonly string[];
  packs: readonly string[];
}

export interface LoadedPolicySources {
  policies: LoadedPolicy[];
  /** PolicyExceptions found beside the policies. */
  exceptions: PolicyException[];
}

/**
 * Loads policy files (with the PolicyExceptions among them) and built-in packs, all or nothing: an
 * unknown pack, any invalid policy or no policy at all is a `UserError`. Pack policies come after the
 * files'. `readPath` maps each path before reading (the admission server reads a ConfigMap volume's
 * `..data`).
 */
export async function loadPolicySources(
  sources: PolicySources,
  readPath: (path: string) => string = (path) => path,
): Promise<LoadedPolicySources> {
  const known = listPackNames();
  for (const name of sources.packs)
    if (!known.includes(name)) throw new UserError(`unknown pack "${name}" (available: ${known.join(', ')})`);
  const policies: LoadedPolicy[] = [];
  const exceptions: PolicyException[] = [];
  if (sources.paths.length) {
    const loaded = await loadPolicies(sources.paths.map(readPath));
    const first = loaded.invalid[0];
    if (first) {
      // A validation error already names its file and line; anything else gets the file named here.
      if (first.error instanceof UserError && first.error.position) throw first.error;
      throw new UserError(`invalid policy ${first.name} in ${first.file}: ${first.error.message}`);
    }
    policies.push(...loaded.policies);
    for (const d of loaded.others)
      if (isPolicyExceptionDocument(d.content)) exceptions.push(parsePolicyException(d));
  }
  for (const name of sources.packs) policies.push(...(await loadPack(name)).policies);
  if (policies.length === 0)
    throw new UserError(`no policies found in ${[...sources.paths, ...sources.packs].join(', ')}`);
  return { policies, exceptions };
}
