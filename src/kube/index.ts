/** The cluster client and exec transport shared by `rampart cp` and `rampart gpu`. */

export {
  loadReportPolicies,
  type ReportRun,
  type ReportRunOptions,
  runBackgroundReport,
} from './background-report.js';
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
export {
  type InformerEvent,
  NamespaceInformer,
  type NamespaceInformerOptions,
  type NamespaceLabelLookup,
} from './namespace-informer.js';
export { type WriteOutcome, writePolicyReport } from './policy-reports.js';
export { type ApiResource, discoverResources, listAll } from './resources.js';
export { type Json, KubeRest, type WatchEvent } from './rest.js';
