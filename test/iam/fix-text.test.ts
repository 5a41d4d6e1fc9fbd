import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { actionInfo, arnFitsResourceType, serviceResourceTypes } from '../../src/iam/data.js';
import { lintPolicy } from '../../src/iam/lint.js';

/** Concrete ARNs from a fix text's examples (placeholders filled in) . */
function exampleArns(fix: string): string[] {
  return [...fix.matchAll(/\((arn:[^)\s]+)\)/g)].map((m) => m[1]!.replace(/<[A-Za-z]+>/g, 'x1'));
}

function iam005Fix(action: string, resource: string): string {
  const findings = lintPolicy(
    { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: resource }] },
    { kind: 'identity' },
  ).filter((f) => f.id === 'IAM005');
  assert.equal(findings.length, 1, `${action} on ${resource}: ${JSON.stringify(findings)}`);
  return findings[0]!.fix;
}

describe("IAM005's fix text names a resource the action takes", () => {
  test('s3:ListBucket on objects: the fix suggests the bucket ARN, not bucket/*', () => {
    const fix = iam005Fix('s3:ListBucket', 'arn:aws:s3:::logs/*');
    assert.match(fix, /a bucket \(arn:aws:s3:::<BucketName>\)/);
    assert.doesNotMatch(fix, /bucket\/\*/);
  });

  test('for actions across services, every example ARN in the fix fits one of the action’s resource types', () => {
    const cases: [string, string][] = [
      ['s3:ListBucket', 'arn:aws:s3:::logs/*'],
      ['s3:GetObject', 'arn:aws:s3:::logs'],
      ['dynamodb:GetItem', 'arn:aws:s3:::logs'],
      ['sqs:SendMessage', 'arn:aws:sns:us-east-1:123456789012:topic'],
      ['kms:Decrypt', 'arn:aws:s3:::logs'],
      ['lambda:InvokeFunction', 'arn:aws:s3:::logs'],
      ['iam:PassRole', 'arn:aws:s3:::logs'],
      ['ec2:TerminateInstances', 'arn:aws:s3:::logs'],
      ['secretsmanager:GetSecretValue', 'arn:aws:s3:::logs'],
    ];
    for (const [action, resource] of cases) {
      const fix = iam005Fix(action, resource);
      const [service, name] = action.split(':') as [string, string];
      const types = serviceResourceTypes(service);
      const accepted = actionInfo(service, name)!.resourceTypes.map((rt) => types[rt.name.toLowerCase()]);
      const arns = exampleArns(fix);
      assert.ok(arns.length > 0, `${action}: ${fix}`);
      for (const arn of arns) {
        assert.ok(
          accepted.some((t) => t && arnFitsResourceType(arn, t)),
          `${action}: ${arn} from "${fix}" fits none of its resource types`,
        );
      }
    }
  });
});
