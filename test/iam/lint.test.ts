import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { lintPolicy, type PolicyKind } from '../../src/iam/lint.js';
import { guessPolicyKind, lintJsonText } from '../../src/iam/lint-json.js';
import { lintFiles } from '../../src/inputs/iam.js';
import { fixture } from '../helpers/index.js';

type Case = [statements: unknown[] | unknown, kind?: PolicyKind];

const doc = (statements: unknown) => ({ Version: '2012-10-17', Statement: statements });
const S = (extra: Record<string, unknown>) => ({ Effect: 'Allow', ...extra });
const IRSA_PRINCIPAL = {
  Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
};
const TLS_DENY = {
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

const ids = ([statements, kind]: Case) =>
  lintPolicy(typeof statements === 'string' ? statements : doc(statements), { kind }).map(
    (f): string => f.id,
  );

/** Each rule: at least three policies that must fire it and three that must not. */
const RULES: Record<string, { fires: Case[]; passes: Case[] }> = {
  IAM000: {
    fires: [
      ['{"Statement": '],
      [[S({ Effect: 'allow', Action: 's3:GetObject', Resource: '*' })]],
      ['"just a string"'],
    ],
    passes: [
      [[S({ Action: 's3:GetObject', Resource: '*' })]],
      [[{ Effect: 'Deny', Action: 's3:*', Resource: '*' }]],
      [S({ Action: 's3:GetObject', Resource: '*' })],
    ],
  },
  IAM001: {
    fires: [
      [[S({ Action: '*', Resource: '*' })]],
      [[S({ Action: 's3:*', Resource: 'arn:aws:s3:::b/*' })]],
      [[S({ NotAction: 'iam:*', Resource: '*' })]],
      [[S({ Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'sqs:*', Resource: '*' })], 'resource'],
    ],
    passes: [
      [[S({ Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::b/*' })]],
      [
        [
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } },
          },
        ],
      ],
      [[S({ Action: 's3:Get*', Resource: 'arn:aws:s3:::b/*' })]],
      [[{ Effect: 'Deny', NotAction: ['iam:*'], Resource: '*' }]],
    ],
  },
  IAM002: {
    fires: [
      [[S({ Action: 's3:PutObject', Resource: '*' })]],
      [[S({ Action: 'iam:AttachRolePolicy', Resource: '*' })]],
      [[S({ Action: ['dynamodb:Get*', 'dynamodb:DeleteTable'], Resource: ['*'] })]],
    ],
    passes: [
      [[S({ Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' })]],
      [[S({ Action: ['ec2:DescribeInstances', 's3:ListAllMyBuckets'], Resource: '*' })]],
      [[S({ Action: 's3:GetObject', Resource: '*' })]],
    ],
  },
  IAM003: {
    fires: [
      [[S({ Action: 's4:GetObject', Resource: '*' })]],
      [[S({ Action: 'ecs2:RunTask', Resource: '*' })]],
      [[S({ Action: ['s3:GetObject', 'lambada:InvokeFunction'], Resource: '*' })]],
    ],
    passes: [
      [[S({ Action: 's3:GetObject', Resource: '*' })]],
      [[S({ Action: 'lambda:InvokeFunction', Resource: '*' })]],
      [[S({ Action: 'ecs:RunTask', Resource: '*' })]],
    ],
  },
  IAM004: {
    fires: [
      [[S({ Action: 's3:GetObjekt', Resource: '*' })]],
      [[S({ Action: 's3:Fly*', Resource: '*' })]],
      [[S({ Action: 'GetObject', Resource: '*' })]],
    ],
    passes: [
      [[S({ Action: 's3:getobject', Resource: '*' })]],
      [[S({ Action: 's3:Get*', Resource: '*' })]],
      [[S({ Action: 'ec2:DescribeInstances', Resource: '*' })]],
    ],
  },
  IAM005: {
    fires: [
      [[S({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket' })]],
      [[S({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket/*' })]],
      [[S({ Action: 'ec2:DescribeInstances', Resource: 'arn:aws:ec2:*:*:instance/*' })]],
      [[S({ Action: 'sqs:SendMessage', Resource: 'arn:aws:sns:eu-west-1:1:topic' })]],
    ],
    passes: [
      [[S({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/*' })]],
      [[S({ Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket' })]],
      [[S({ Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/app' })]],
      [[S({ Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:1:queue' })]],
      [
        [
          S({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: 'arn:aws:logs:*:*:log-group:/app/*',
          }),
        ],
      ],
    ],
  },
  IAM006: {
    fires: [
      [[S({ Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*' })]],
      [[S({ Action: 'iam:CreatePolicyVersion', Resource: 'arn:aws:iam::1:policy/x' })]],
      [[S({ Action: ['iam:Put*'], Resource: '*' })]],
      [[S({ Action: ['iam:UpdateAssumeRolePolicy', 'sts:AssumeRole'], Resource: '*' })]],
    ],
    passes: [
      [[S({ Action: 'iam:PassRole', Resource: '*' })]],
      [
        [
          S({ Action: ['iam:PassRole', 'ec2:RunInstances'], Resource: '*' }),
          { Effect: 'Deny', Action: 'iam:PassRole', Resource: '*' },
        ],
      ],
      [[S({ Action: ['iam:Get*', 'iam:List*'], Resource: '*' })]],
      [[S({ Action: '*', Resource: '*' })]],
    ],
  },
  IAM007: {
    fires: [
      [[S({ Action: 'ecr:GetAuthorizationToken', Resource: '*' })]],
      [[S({ Action: 'sts:GetSessionToken', Resource: '*' })]],
      [[S({ Action: 'redshift:GetCluster*', Resource: '*' })]],
    ],
    passes: [
      [[S({ Action: 'ecr:BatchGetImage', Resource: '*' })]],
      [[S({ Action: 'sts:GetCallerIdentity', Resource: '*' })]],
      [[S({ Action: 'ecr:GetAuthorizationToken', Resource: '*' })], 'bucket'],
    ],
  },
  IAM008: {
    fires: [
      [
        [
          S({
            Principal: { AWS: 'arn:aws:iam::1:root' },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::b/*',
          }),
        ],
        'bucket',
      ],
      [[{ ...TLS_DENY, Condition: { Bool: { 'aws:SecureTransport': 'true' } } }], 'bucket'],
      [[{ ...TLS_DENY, Effect: 'Allow' }], 'bucket'],
    ],
    passes: [
      [[TLS_DENY], 'bucket'],
      [[{ ...TLS_DENY, Condition: { NumericLessThan: { 's3:TlsVersion': '1.2' } } }], 'bucket'],
      [
        [
          S({
            Principal: { AWS: 'arn:aws:iam::1:root' },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::b/*',
          }),
        ],
        'resource',
      ],
    ],
  },
  IAM009: {
    fires: [
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringEqual: { 'aws:SourceVpc': 'vpc-1' } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { stringequals: { 'aws:SourceVpc': 'vpc-1' } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { 'ForAllValues:Null': { 'aws:TagKeys': 'true' } },
          }),
        ],
      ],
    ],
    passes: [
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': 'team*' } },
          }),
        ],
      ],
      [[S({ Action: 's3:GetObject', Resource: '*', Condition: { Null: { 'aws:TagKeys': 'false' } } })]],
    ],
  },
  IAM010: {
    fires: [
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringEquals: { 'aws:SourceVPC2': 'x' } },
          }),
        ],
      ],
      [[S({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 's3:prefixes': 'x' } } })]],
      [[S({ Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { SourceVpc: 'x' } } })]],
    ],
    passes: [
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringEquals: { 'aws:sourcevpc': 'x', 's3:prefix': 'y' } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { StringEquals: { 'aws:PrincipalTag/team': 'x', 'aws:ResourceTag/env': 'y' } },
          }),
        ],
      ],
      [
        [
          S({
            Principal: IRSA_PRINCIPAL,
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: {
                'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub': 'x',
                'token.actions.githubusercontent.com:repository': 'o/r',
              },
            },
          }),
        ],
        'trust',
      ],
    ],
  },
  IAM011: {
    fires: [
      [[S({ Action: 's3:GetObject', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'yes' } } })]],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { IpAddress: { 'aws:SourceIp': 'office' } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { NumericLessThan: { 's3:TlsVersion': 'one' } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } },
          }),
        ],
      ],
    ],
    passes: [
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'true' } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:db8::/32'] } },
          }),
        ],
      ],
      [
        [
          S({
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
          }),
        ],
      ],
    ],
  },
  IAM012: {
    fires: [
      [[S({ Principal: { AWS: '*' }, Action: 'sts:AssumeRole' })], 'trust'],
      [[S({ Principal: '*', Action: 'sts:AssumeRole' })], 'trust'],
      [[S({ NotPrincipal: { AWS: 'arn:aws:iam::1:root' }, Action: 'sts:AssumeRole' })], 'trust'],
    ],
    passes: [
      [
        [
          S({
            Principal: { AWS: '*' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
          }),
        ],
        'trust',
      ],
      [[S({ Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' })], 'trust'],
      [[S({ Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })], 'trust'],
    ],
  },
  IAM013: {
    fires: [
      [[S({ Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), TLS_DENY], 'bucket'],
      [[S({ Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Resource: '*' })], 'resource'],
      [[S({ Principal: '*', Action: 'kms:Decrypt', Resource: '*' })], 'kms'],
    ],
    passes: [
      [
        [
          S({
            Principal: '*',
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::b/*',
            Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-1' } },
          }),
          TLS_DENY,
        ],
        'bucket',
      ],
      [[S({ Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'kms:*', Resource: '*' })], 'kms'],
      [[TLS_DENY], 'bucket'],
    ],
  },
  IAM014: {
    fires: [
      [[S({ Principal: IRSA_PRINCIPAL, Action: 'sts:AssumeRoleWithWebIdentity' })], 'trust'],
      [
        [
          S({
            Principal: IRSA_PRINCIPAL,
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud': 'sts.amazonaws.com' },
            },
          }),
        ],
        'trust',
      ],
      [
        [
          S({
            Principal: IRSA_PRINCIPAL,
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': '*' } },
          }),
        ],
        'trust',
      ],
    ],
    passes: [
      [
        [
          S({
            Principal: IRSA_PRINCIPAL,
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: {
              StringEquals: { 'oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub': 'system:serviceaccount:a:b' },
            },
          }),
        ],
        'trust',
      ],
      [
        [
          S({
            Principal: IRSA_PRINCIPAL,
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringLike: { 'token.actions.githubusercontent.com:sub': 'repo:org/app:*' } },
          }),
        ],
        'trust',
      ],
      [[S({ Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })], 'trust'],
    ],
  },
  IAM015: {
    fires: [
      [
        JSON.stringify({
          Statement: [S({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' })],
        }),
      ],
      [
        JSON.stringify({
          Version: '2008-10-17',
          Statement: [S({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' })],
        }),
      ],
      [
        JSON.stringify({
          Statement: [
            S({
              Action: 's3:ListBucket',
              Resource: 'arn:aws:s3:::b',
              Condition: { StringLike: { 's3:prefix': '${aws:username}/*' } },
            }),
          ],
        }),
      ],
    ],
    passes: [
      [[S({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' })]],
      [JSON.stringify({ Statement: [S({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/*' })] })],
      [JSON.stringify({ Version: '2008-10-17', Statement: [S({ Action: 's3:GetObject', Resource: '*' })] })],
    ],
  },
};

describe('lintPolicy rules', () => {
  for (const [id, { fires, passes }] of Object.entries(RULES)) {
    test(`${id} fires`, () => {
      assert.ok(fires.length >= 3);
      for (const c of fires)
        assert.ok(ids(c).includes(id), `${id} should fire on ${JSON.stringify(c)}; got ${ids(c).join(',')}`);
    });
    test(`${id} does not fire`, () => {
      assert.ok(passes.length >= 3);
      for (const c of passes)
        assert.ok(!ids(c).includes(id), `${id} should not fire on ${JSON.stringify(c)}`);
    });
  }

  test('findings carry severity, fix and the statement index', () => {
    const findings = lintPolicy(
      doc([S({ Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), S({ Action: '*', Resource: '*' })]),
    );
    assert.deepEqual(
      findings.map((f) => [f.id, f.severity, f.statementIndex]),
      [['IAM001', 'critical', 1]],
    );
    assert.ok((findings[0]?.fix ?? '').length > 10);
  });

  test('a least-privilege identity policy has no findings', () => {
    const policy = doc([
      S({ Sid: 'Read', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::data/*' }),
      S({
        Sid: 'List',
        Action: 's3:ListBucket',
        Resource: 'arn:aws:s3:::data',
        Condition: { StringLike: { 's3:prefix': ['reports/*'] } },
      }),
      S({ Sid: 'Describe', Action: ['ec2:DescribeInstances', 'ec2:DescribeTags'], Resource: '*' }),
      S({
        Sid: 'Pass',
        Action: 'iam:PassRole',
        Resource: 'arn:aws:iam::111122223333:role/app',
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    ]);
    assert.deepEqual(lintPolicy(policy), []);
  });
});

describe('lint over files', () => {
  test('JSON findings point at the statement line; the kind is guessed from the shape', () => {
    const text =
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},\n    {"Effect": "Allow", "Action": "*", "Resource": "*"}\n  ]\n}\n';
    const results = lintJsonText(text, 'p.json');
    assert.deepEqual(
      results.map((r) => [r.rule, r.origin?.line, r.origin?.column, r.status, r.category]),
      [['IAM001', 5, 5, 'fail', 'iam']],
    );
    assert.equal(
      guessPolicyKind(doc([S({ Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' })])),
      'trust',
    );
    assert.equal(guessPolicyKind(doc([TLS_DENY])), 'bucket');
    assert.equal(guessPolicyKind(doc([S({ Action: 's3:GetObject', Resource: '*' })])), 'identity');
    assert.equal(
      guessPolicyKind(
        doc([S({ Principal: { AWS: 'arn:aws:iam::1:root' }, Action: 'kms:*', Resource: '*' })]),
      ),
      'kms',
    );
  });

  test('invalid JSON is one IAM000 finding', () => {
    const results = lintJsonText('{"Version": ', 'bad.json');
    assert.deepEqual(
      results.map((r) => [r.rule, r.severity]),
      [['IAM000', 'high']],
    );
  });

  test('realistic Terraform (modules, for_each, dynamic blocks, heredocs) gives no false findings', async () => {
    const { results, errors } = await lintFiles([fixture('iam', 'fixtures', 'realistic')]);
    assert.deepEqual(errors, []);
    assert.deepEqual(
      results.filter((r) => r.status === 'fail').map((r) => `${r.rule}: ${r.message}`),
      [],
    );
    assert.ok(results.every((r) => r.status === 'skip' && r.rule === 'tf-iam-policy-unknown'));
  });

  test('policies embedded in Terraform are linted with their position', async () => {
    const file = fixture('iam', 'fixtures', 'documents.tf');
    const { results } = await lintFiles([file]);
    const admin = results.find(
      (r) => r.resource.name === 'data.aws_iam_policy_document.admin' && r.rule === 'IAM001',
    );
    const line = (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes('"admin"')) + 1;
    assert.equal(admin?.origin?.line, line);
    assert.equal(admin?.severity, 'critical');
  });
});
