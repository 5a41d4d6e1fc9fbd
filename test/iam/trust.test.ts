import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { lintPolicy } from '../../src/iam/lint.js';
import { parsePolicy } from '../../src/iam/policy.js';
import { simulate } from '../../src/iam/simulate.js';
import { irsaArgs, irsaTrustPolicy, policyDocumentHcl } from '../../src/iam/trust.js';

const ISSUER = 'oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE';
const ARN = `arn:aws:iam::111122223333:oidc-provider/${ISSUER}`;
const options = {
  oidcProviderArn: ARN,
  oidcProviderUrl: `https://${ISSUER}`,
  namespace: 'apps',
  serviceAccount: 'web',
};

describe('IRSA trust policy', () => {
  test('is the EKS user guide policy, as the data source would print it', () => {
    assert.equal(
      irsaTrustPolicy(options).minified,
      `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoleWithWebIdentity","Principal":{"Federated":"${ARN}"},"Condition":{"StringEquals":{"${ISSUER}:aud":"sts.amazonaws.com","${ISSUER}:sub":"system:serviceaccount:apps:web"}}}]}`,
    );
  });

  test('passes lint and lets only that service account assume the role', () => {
    const policy = JSON.parse(irsaTrustPolicy(options).json);
    assert.deepEqual(lintPolicy(policy, { kind: 'trust' }), []);
    const trust = parsePolicy(policy, 'trust');
    const request = (sub: string) => ({
      action: 'sts:AssumeRoleWithWebIdentity',
      resource: 'arn:aws:iam::111122223333:role/web',
      principal: ARN,
      context: { [`${ISSUER}:sub`]: sub, [`${ISSUER}:aud`]: 'sts.amazonaws.com' },
    });
    assert.equal(
      simulate({ identity: [], resource: [trust] }, request('system:serviceaccount:apps:web')).decision,
      'allowed',
    );
    assert.equal(
      simulate({ identity: [], resource: [trust] }, request('system:serviceaccount:apps:other')).decision,
      'implicitDeny',
    );
  });

  test('a wildcard service account uses StringLike; the URL is optional and checked', () => {
    const args = irsaArgs({ ...options, oidcProviderUrl: undefined, serviceAccount: '*' });
    assert.equal(args.statement?.[0]?.condition?.[0]?.test, 'StringLike');
    assert.throws(
      () => irsaArgs({ ...options, oidcProviderUrl: 'https://oidc.eks.us-east-1.amazonaws.com/id/OTHER' }),
      /does not match/,
    );
    assert.throws(
      () => irsaArgs({ ...options, oidcProviderArn: 'arn:aws:iam::1:role/x' }),
      /--oidc-provider-arn must look like/,
    );
    assert.throws(() => irsaArgs({ ...options, namespace: 'Apps_1' }), /not a valid Kubernetes name/);
  });

  test('--hcl renders an aws_iam_policy_document block with escaped interpolation', () => {
    const hcl = policyDocumentHcl(irsaArgs(options), 'web_assume');
    assert.match(hcl, /^data "aws_iam_policy_document" "web_assume" \{\n {2}statement \{\n/);
    assert.match(
      hcl,
      /principals \{\n {6}type {8}= "Federated"\n {6}identifiers = \["arn:aws:iam::111122223333:oidc-provider\/oidc\.eks/,
    );
    assert.match(
      hcl,
      new RegExp(
        `variable = "${ISSUER.replace(/\./g, '\\.')}:sub"\\n {6}values {3}= \\["system:serviceaccount:apps:web"\\]`,
      ),
    );
    const escaped = policyDocumentHcl(
      { statement: [{ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/${aws:username}/*'] }] },
      'x',
    );
    assert.match(escaped, /"arn:aws:s3:::b\/\$\$\{aws:username\}\/\*"/);
  });
});
