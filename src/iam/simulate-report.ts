import { renderJsonDocument } from '../report/json.js';
import type { SimulationRequest, SimulationResult } from './simulate.js';

/** `iam simulate` output: the decision and the statements that made it, or the request and result as JSON. */
export function renderSimulation(
  request: SimulationRequest,
  result: SimulationResult,
  json: boolean,
): string {
  if (json) return renderJsonDocument({ request, ...result });
  const lines = [
    `${result.allowed ? 'ALLOWED' : 'DENIED'} ${request.action} on ${request.resource}: ${result.reason}`,
  ];
  for (const s of result.statements) {
    lines.push(
      `  ${s.effect.padEnd(5)} ${s.source.padEnd(8)} ${s.policy} Statement[${s.index}]${s.sid ? ` (${s.sid})` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
