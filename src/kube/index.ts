/** The cluster client and exec transport shared by `rampart cp` and `rampart gpu`. */
export { EXEC_PROTOCOLS, type ExecOutcome, isCommandNotFound, PROTOCOL_V4, PROTOCOL_V5 } from './channel.js';
export { KubeClient, type WaitOptions } from './client.js';
export { type KubeConfigOptions, loadKubeConfig, type ResolvedKubeConfig } from './config.js';
export { ExecStreamError, KubeApiError, KubeConnectionError } from './errors.js';
export {
  type ExecOptions,
  type ExecRequest,
  type ExecResult,
  type ExecSession,
  exec,
  execBytes,
  type KubeTarget,
  openExec,
} from './exec.js';
