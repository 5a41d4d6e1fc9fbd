import { isObject } from '../core/document.js';
import type { SmartInfo } from './types.js';

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface SmartParse {
  info: SmartInfo | null;
  /** smartctl's own error text when it could not identify the device. */
  error: string | null;
}

/**
 * Parses `smartctl -j -i`. Exit status bits 0-1 mean the command line or device open failed; then
 * the JSON has only messages ("Unable to detect device type") and no sizes.
 */
export function parseSmartctl(json: unknown): SmartParse {
  if (!isObject(json)) return { info: null, error: 'smartctl printed no JSON object' };
  const meta = isObject(json.smartctl) ? json.smartctl : {};
  const exit = num(meta.exit_status) ?? 0;
  const messages = Array.isArray(meta.messages)
    ? meta.messages.filter(isObject).map((m) => String(m.string ?? ''))
    : [];
  const logical = num(json.logical_block_size);
  if ((exit & 0x3) !== 0 || logical === null) {
    return { info: null, error: messages[0] ?? `smartctl exit status ${exit}` };
  }
  const device = isObject(json.device) ? json.device : {};
  const capacity = isObject(json.user_capacity) ? num(json.user_capacity.bytes) : null;
  const model =
    typeof json.model_name === 'string'
      ? json.model_name
      : typeof json.scsi_model_name === 'string'
        ? json.scsi_model_name
        : null;
  return {
    info: {
      protocol: typeof device.protocol === 'string' ? device.protocol : null,
      model,
      logicalBlockSizeBytes: logical,
      physicalBlockSizeBytes: num(json.physical_block_size),
      capacityBytes: capacity,
    },
    error: null,
  };
}
