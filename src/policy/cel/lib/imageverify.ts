/**
 * The image verification functions of Kyverno's ImageValidatingPolicy (pkg/cel/libs/imageverify):
 * `verifyImageSignatures(image, attestors)`, `verifyAttestationSignatures(image, attestation, attestors)`,
 * `extractPayload(image, attestation)` and `getImageData(image)`. They type-check as in Kyverno, but each
 * needs a registry: offline they fail with OFFLINE_IMAGE_VERIFICATION, which the policy kind turns into a
 * `skip` with that reason instead of an error.
 */
import type { Environment } from '@marcbachmann/cel-js';
import { evalError } from './util.js';

export const OFFLINE_IMAGE_VERIFICATION =
  'image verification needs registry access: Rampart evaluates offline and cannot fetch signatures, attestations or image data';

function offline(): never {
  throw evalError(OFFLINE_IMAGE_VERIFICATION);
}

export function registerImageVerify(env: Environment): void {
  env.registerVariable('attestors', 'dyn');
  env.registerVariable('attestations', 'dyn');
  // matchImageReferences expressions see the image as `ref`.
  env.registerVariable('ref', 'dyn');
  env.registerFunction('verifyImageSignatures(string, list): int', offline);
  env.registerFunction('verifyAttestationSignatures(string, dyn, list): int', offline);
  env.registerFunction('extractPayload(string, dyn): dyn', offline);
  env.registerFunction('getImageData(string): dyn', offline);
}
