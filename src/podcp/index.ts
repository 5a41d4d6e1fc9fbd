import { KubeClient } from '../kube/client.js';
import type { KubeConfigOptions } from '../kube/config.js';
import { KubeApiError } from '../kube/errors.js';
import { type CopyOptions, type CopyReport, copy } from './copy.js';
import { attachDebugContainer, type DebugAttachment, type DebugOptions } from './debug.js';
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
  /** Reach the container through an ephemeral debug container (for images without sh or tar). */
  debug?: DebugOptions;
}

/** `rampart cp SRC DEST`: resolves both operands (kubectl cp syntax) and copies. */
export async function copyPaths(request: CopyRequest): Promise<CopyReport> {
  const from = parseLocation(request.source);
  const to = parseLocation(request.destination);
  if (from.kind === 'local' && to.kind === 'local') {
    throw new CopyError('cp: one of source or destination must be a pod path ([namespace/]pod:path)', 2);
  }
  let client: KubeClient | undefined;
  const attached: DebugAttachment[] = [];
  const side = async (location: Location): Promise<{ side: Side; path: string }> => {
    if (location.kind === 'local') return { side: new LocalSide(), path: location.path };
    client ??= KubeClient.fromOptions(request);
    const namespace = location.namespace ?? client.namespace;
    let container = request.container;
    let path = location.path;
    if (request.debug) {
      const debug = await attachDebugContainer(client, location.pod, namespace, container, request.debug);
      attached.push(debug);
      request.log?.(`reading ${namespace}/${location.pod} through debug container ${debug.container}`);
      container = debug.container;
      path = debug.mapPath(path);
    }
    const remote = new RemoteSide({
      client,
      pod: location.pod,
      namespace,
      container,
      compress: request.compress,
    });
    return { side: remote, path };
  };
  try {
    const source = await side(from);
    const destination = await side(to);
    return await copy(source.side, source.path, destination.side, destination.path, request);
  } catch (error) {
    if (error instanceof KubeApiError && !(error instanceof CopyError)) {
      const code = error.notFound ? EXIT_NOT_FOUND : error.forbidden ? EXIT_PERMISSION : 1;
      throw new CopyError(error.message, code, { cause: error });
    }
    throw error;
  } finally {
    // Ephemeral containers cannot be deleted; ending them is all that can be done.
    for (const debug of attached) {
      await debug.release().catch((error: unknown) => {
        request.log?.(`could not end debug container ${debug.container}: ${String(error)}`);
      });
    }
  }
}
