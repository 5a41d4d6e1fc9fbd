import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Rule } from '../../../src/policy/model/types.js';
import {
  checkVerifyImages,
  OFFLINE_REASON,
  verifyImagesRule,
} from '../../../src/policy/verifyimages/index.js';

const entry = {
  imageReferences: ['ghcr.io/acme/*'],
  mutateDigest: true,
  verifyDigest: true,
  required: true,
  attestors: [
    {
      count: 1,
      entries: [{ keys: { publicKeys: '-----BEGIN PUBLIC KEY-----\nx\n-----END PUBLIC KEY-----' } }],
    },
  ],
};
const pod = (image: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image }] },
});
const rule = { name: 'verify', match: {}, verifyImages: [entry] } as Rule;

describe('verifyImages', () => {
  test('a well-formed rule has no problems; bad fields are named', () => {
    assert.deepEqual(checkVerifyImages([entry], 'spec.rules[0].verifyImages'), []);
    assert.deepEqual(
      checkVerifyImages(
        [
          {
            imageReferences: [],
            mutateDigest: 'yes',
            attestors: [{ count: 2, entries: [{ keys: {}, keyless: {} }] }],
          },
        ],
        'v',
      ),
      [
        'v[0].imageReferences: at least one image reference is required',
        'v[0].mutateDigest: must be a boolean',
        'v[0].attestors[0].count: 2 is more than the 1 entries',
        'v[0].attestors[0].entries[0]: exactly one of keys, certificates, keyless or attestor is required',
        'v[0].attestors[0].entries[0].keys: one of publicKeys, kms or secret is required',
      ],
    );
  });
  test('offline, a selected image is skipped with the registry reason; others give no response', () => {
    assert.deepEqual(verifyImagesRule(rule, pod('ghcr.io/acme/app:1'))?.message, OFFLINE_REASON);
    assert.equal(verifyImagesRule(rule, pod('docker.io/nginx:1')), undefined);
  });
  test('a supplied verdict decides the outcome', () => {
    assert.equal(verifyImagesRule(rule, pod('ghcr.io/acme/app:1'), () => 'pass')?.status, 'pass');
    assert.equal(verifyImagesRule(rule, pod('ghcr.io/acme/app:1'), () => 'fail')?.status, 'fail');
  });
});
