import { KubeClient } from '../kube/client.js';
import type { KubeConfigOptions } from '../kube/config.js';
import { KubeApiError } from '../kube/errors.js';
import { type CopyOptions, type CopyReport, copy } from './copy.js';
import { CopyError, EXIT_NOT_FOUND, EXIT_PERMISSION } from './errors.js';
import { LocalSide } from './local.js';
import { RemoteSide } from './remote.js';
import type { Side } from './side.js';
import { type Location, parseLocation } from './spec.js';

export { type CopyOptions, type CopyReport, copy } from './copy.js';
export * from './errors.js';
export { parseLocation, quoteGlob, shQuote } from './spec.js';

export interface CopyRequest extends CopyOptions, KubeConfigOptions {
  source: string;
  destination: string;
  container?: string;
  /** Use gzip on the wire when the container has it (default true). */
  compress?: boolean;
}

/** `rampart cp SRC DEST`: resolves both operands (kubectl cp syntax) and copies. */
export async function copyPaths(request: CopyRequest): Promise<CopyReport> {
  const from = parseLocation(request.source);
  const to = parseLocation(request.destination);
  if (from.kind === 'local' && to.kind === 'local') {
    throw new CopyError('cp: one of source or destination must be a pod path ([namespace/]pod:path)', 2);
  }
  let client: KubeClient | undefined;
  const side = (location: Location): Side => {
    if (location.kind === 'local') return new LocalSide();
    client ??= KubeClient.fromOptions(request);
    return new RemoteSide({
      client,
      pod: location.pod,
      namespace: location.namespace ?? client.namespace,
      container: request.container,
      compress: request.compress,
    });
  };
  try {
    return await copy(side(from), from.path, side(to), to.path, request);
  } catch (error) {
    if (error instanceof KubeApiError && !(error instanceof CopyError)) {
      const code = error.notFound ? EXIT_NOT_FOUND : error.forbidden ? EXIT_PERMISSION : 1;
      throw new CopyError(error.message, code, { cause: error });
    }
    throw error;
  }
}
