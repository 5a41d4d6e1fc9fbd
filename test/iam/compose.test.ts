import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { GoObject, goMarshal } from '../../src/core/gojson.js';
import { composePolicyDocument, type PolicyDocumentArgs } from '../../src/iam/compose.js';
import { composeSpec, loadComposeSpec } from '../../src/inputs/iam.js';
import { fixture } from '../helpers/index.js';

const json = (args: PolicyDocumentArgs) => composePolicyDocument(args).json;
const min = (args: PolicyDocumentArgs) => composePolicyDocument(args).minified;
const doc = (statements: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ Version: '2012-10-17', ...extra, Statement: statements });

describe('composePolicyDocument: the provider acceptance tests', () => {
  test('basic: set sorting, single values, conditions, principals, &{ substitution', async () => {
    const [spec] = [await loadComposeSpec([fixture('iam', 'fixtures', 'spec-basic.yaml')])];
    const expected = await readFile(fixture('iam', 'fixtures', 'spec-basic.json'), 'utf8');
    assert.equal(json(spec), expected);
  });

  test('minified_json is Go json.Marshal of the same document', async () => {
    const spec = await loadComposeSpec([fixture('iam', 'fixtures', 'spec-basic.yaml')]);
    const expected = JSON.stringify(
      JSON.parse(await readFile(fixture('iam', 'fixtures', 'spec-basic.json'), 'utf8')),
    );
    assert.equal(min(spec), expected);
  });

  test('source list: statements appended in order, empty Sids kept apart', async () => {
    const args = await loadComposeSpec([fixture('iam', 'fixtures', 'documents.tf')], 'test_source_list');
    assert.equal(
      min(args),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"foo:ActionOne"},{"Sid":"validSidOne","Effect":"Allow","Action":"bar:ActionOne"},{"Sid":"validSidTwo","Effect":"Deny","Action":"foo:ActionTwo"},{"Effect":"Allow","Action":"bar:ActionTwo"}]}',
    );
  });

  test('override list: a later Sid replaces the earlier statement in place', async () => {
    const args = await loadComposeSpec([fixture('iam', 'fixtures', 'documents.tf')], 'test_override_list');
    assert.equal(
      min(args),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"foo:ActionOne"},{"Sid":"validSidOne","Effect":"Deny","Action":"bar:ActionOne"},{"Sid":"validSidTwo","Effect":"Deny","Action":"foo:ActionTwo"}]}',
    );
  });

  test('a repeated Sid across source documents is the provider error', async () => {
    const args = await loadComposeSpec([fixture('iam', 'fixtures', 'documents.tf')], 'conflicting_sources');
    assert.throws(
      () => composePolicyDocument(args),
      /^UserError: writing IAM Policy Document: merging source document 1: duplicate Sid \(validSidOne\) in source_policy_documents \(statement 0\)\. Remove the Sid or ensure Sids are unique\.$/,
    );
  });

  test('a statement block replaces a source statement with the same Sid (heredoc source)', async () => {
    const args = await loadComposeSpec([fixture('iam', 'fixtures', 'documents.tf')], 'with_heredoc_source');
    assert.equal(
      min(args),
      '{"Version":"2012-10-17","Statement":[{"Sid":"Logs","Effect":"Allow","Action":["logs:PutLogEvents","logs:CreateLogStream"],"Resource":"arn:aws:logs:*:*:log-group:/app/*"}]}',
    );
  });

  test('references Terraform computes are refused; escaped IAM variables are kept', async () => {
    const file = fixture('iam', 'fixtures', 'documents.tf');
    await assert.rejects(
      loadComposeSpec([file], 'partition_reference'),
      /values only Terraform knows \(\$\{data\.aws_partition\.current\.partition\}\)/,
    );
    assert.equal(
      min(await loadComposeSpec([file], 'escaped_variable')),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::shared/${aws:userid}/*","arn:aws:s3:::home/${aws:username}/*"]}]}',
    );
  });

  test('a data block whose statements are computed is refused, not guessed', async () => {
    await assert.rejects(
      loadComposeSpec([fixture('iam', 'fixtures', 'documents.tf')], 'computed'),
      /cannot compose data\.aws_iam_policy_document\.computed/,
    );
    await assert.rejects(
      loadComposeSpec([fixture('iam', 'fixtures', 'documents.tf')], 'missing'),
      /no data\.aws_iam_policy_document\.missing/,
    );
  });

  test('source conflicting with a statement block: the block wins', () => {
    const source = json({
      statement: [{ sid: 'SourceJSONTestConflicting', actions: ['iam:*'], resources: ['*'] }],
    });
    assert.equal(
      min({
        source_policy_documents: [source],
        statement: [{ sid: 'SourceJSONTestConflicting', actions: ['*'], resources: ['*'] }],
      }),
      '{"Version":"2012-10-17","Statement":[{"Sid":"SourceJSONTestConflicting","Effect":"Allow","Action":"*","Resource":"*"}]}',
    );
  });

  test('no statements of its own: source first, override appended', () => {
    const source = json({ statement: [{ actions: ['ec2:DescribeAccountAttributes'], resources: ['*'] }] });
    const override = json({
      statement: [{ sid: 'OverridePlaceholder', actions: ['s3:GetObject'], resources: ['*'] }],
    });
    assert.equal(
      min({ source_policy_documents: [source], override_policy_documents: [override] }),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:DescribeAccountAttributes","Resource":"*"},{"Sid":"OverridePlaceholder","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    );
  });

  test('override with the same Sid as the source replaces it', () => {
    const source = json({
      statement: [
        { sid: 'OverridePlaceholder', actions: ['ec2:DescribeAccountAttributes'], resources: ['*'] },
      ],
    });
    const override = json({
      statement: [{ sid: 'OverridePlaceholder', actions: ['s3:GetObject'], resources: ['*'] }],
    });
    assert.equal(
      min({ source_policy_documents: [source], override_policy_documents: [override] }),
      '{"Version":"2012-10-17","Statement":[{"Sid":"OverridePlaceholder","Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
    );
  });

  test('duplicate Sid among statement blocks is an error; duplicate empty Sids are not', () => {
    assert.throws(
      () =>
        json({
          statement: [
            { sid: '1', actions: ['ec2:A'] },
            { sid: '1', actions: ['s3:B'] },
          ],
        }),
      /^UserError: writing IAM Policy Document: duplicate Sid \(1\)\. Remove the Sid or ensure the Sid is unique\.$/,
    );
    assert.equal(
      min({
        statement: [
          { sid: '', actions: ['ec2:A'], resources: ['*'] },
          { sid: '', actions: ['s3:B'], resources: ['*'] },
        ],
      }),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:A","Resource":"*"},{"Effect":"Allow","Action":"s3:B","Resource":"*"}]}',
    );
  });

  test('principal blocks of one type: a string then a sorted slice (StringAndSlice)', () => {
    const out = min({
      statement: [
        {
          sid: 'S',
          actions: ['*'],
          resources: ['*'],
          principals: [
            { type: 'AWS', identifiers: ['arn:aws:iam::111111111111:root'] },
            {
              type: 'AWS',
              identifiers: ['arn:aws:iam::222222222222:root', 'arn:aws:iam::333333333333:root'],
            },
          ],
        },
      ],
    });
    assert.match(
      out,
      /"Principal":\{"AWS":\["arn:aws:iam::111111111111:root","arn:aws:iam::333333333333:root","arn:aws:iam::222222222222:root"\]\}/,
    );
  });

  test('version 2008-10-17 rejects &{ in resources, not_resources, principals and conditions', () => {
    const bad: PolicyDocumentArgs['statement'][] = [
      [{ actions: ['*'], resources: ['arn:aws:s3:::foo/home/&{aws:username}'] }],
      [{ actions: ['*'], not_resources: ['arn:aws:s3:::foo/home/&{aws:username}'] }],
      [{ actions: ['*'], resources: ['*'], principals: [{ type: 'AWS', identifiers: ['&{aws:username}'] }] }],
      [
        {
          actions: ['*'],
          resources: ['*'],
          not_principals: [{ type: 'AWS', identifiers: ['&{aws:username}'] }],
        },
      ],
      [
        {
          actions: ['*'],
          resources: ['*'],
          condition: [{ test: 'StringLike', variable: 's3:prefix', values: ['home/&{aws:username}/'] }],
        },
      ],
    ];
    for (const statement of bad) {
      assert.throws(
        () => json({ version: '2008-10-17', statement }),
        /found &\{ sequence in \(.+\), which is not supported in document version 2008-10-17/,
      );
    }
    assert.equal(
      min({ version: '2008-10-17', statement: [{ actions: ['ec2:*'], resources: ['*'] }] }),
      '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}',
    );
  });
});

describe('composePolicyDocument: normalisation rules', () => {
  test('an empty data source gives only the Version', () => {
    assert.equal(json({}), '{\n  "Version": "2012-10-17"\n}');
  });

  test('sets drop duplicates and sort descending byte-wise; actions keep &{', () => {
    assert.equal(
      min({
        statement: [
          { actions: ['s3:b', 's3:B', 's3:a', 's3:b', 's3:&{x}'], resources: ['arn:b', 'arn:a', 'arn:a'] },
        ],
      }),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:b","s3:a","s3:B","s3:\\u0026{x}"],"Resource":["arn:b","arn:a"]}]}',
    );
  });

  test('conditions: same test grouped, same variable concatenated, keys sorted, single values collapsed', () => {
    const out = min({
      statement: [
        {
          actions: ['s3:PutObject'],
          resources: ['*'],
          condition: [
            { test: 'StringLike', variable: 's3:prefix', values: ['one/', 'two/'] },
            { test: 'StringEquals', variable: 's3:x-amz-acl', values: ['private'] },
            { test: 'StringLike', variable: 's3:prefix', values: ['three/'] },
            { test: 'StringEquals', variable: 'aws:SourceArn', values: ['arn:x'] },
          ],
        },
      ],
    });
    assert.match(
      out,
      /"Condition":\{"StringEquals":\{"aws:SourceArn":"arn:x","s3:x-amz-acl":"private"\},"StringLike":\{"s3:prefix":\["one\/","two\/","three\/"\]\}\}/,
    );
  });

  test('Principal "*" only for type "*"; AWS "*" stays an object', () => {
    assert.match(
      min({ statement: [{ actions: ['a:b'], principals: [{ type: '*', identifiers: ['*'] }] }] }),
      /"Principal":"\*"/,
    );
    assert.match(
      min({ statement: [{ actions: ['a:b'], principals: [{ type: 'AWS', identifiers: ['*'] }] }] }),
      /"Principal":\{"AWS":"\*"\}/,
    );
    assert.match(
      min({
        statement: [
          {
            actions: ['a:b'],
            principals: [
              { type: 'Service', identifiers: ['ec2.amazonaws.com'] },
              { type: 'AWS', identifiers: ['1'] },
            ],
          },
        ],
      }),
      /"Principal":\{"AWS":"1","Service":"ec2\.amazonaws\.com"\}/,
    );
  });

  test('Go escapes <, > and & (and U+2028) in both forms', () => {
    const args: PolicyDocumentArgs = {
      statement: [
        {
          actions: ['s3:GetObject'],
          resources: ['arn:aws:s3:::a&b'],
          condition: [{ test: 'StringLike', variable: 'k', values: ['<x>\u2028'] }],
        },
      ],
    };
    const { json: pretty, minified } = composePolicyDocument(args);
    for (const out of [pretty, minified]) {
      assert.ok(out.includes('arn:aws:s3:::a\\u0026b'));
      assert.ok(out.includes('\\u003cx\\u003e\\u2028'));
      assert.ok(!out.includes('<'));
    }
  });

  test('integer-like map keys keep Go order (sorted), not JS order', () => {
    const o = new GoObject().set('b', 1).set('10', 2);
    assert.equal(goMarshal(o), '{"b":1,"10":2}');
    assert.match(
      min({
        statement: [
          {
            actions: ['a:b'],
            condition: [
              { test: 'StringEquals', variable: 'b', values: ['x'] },
              { test: 'StringEquals', variable: '10', values: ['y'] },
            ],
          },
        ],
      }),
      /\{"10":"y","b":"x"\}/,
    );
  });

  test('effect defaults to Allow; others and bad versions are rejected', () => {
    assert.throws(
      () => json({ statement: [{ effect: 'allow', actions: ['a:b'] }] }),
      /expected statement\.0\.effect to be one of \["Allow" "Deny"\], got allow/,
    );
    assert.throws(() => json({ version: '2020-01-01' }), /expected version to be one of/);
  });
});

describe('composePolicyDocument: JSON source and override documents', () => {
  test('values are kept as written: no sorting, one-element arrays stay arrays, no &{ substitution', () => {
    const source = doc([{ Effect: 'Allow', Action: ['s3:a', 's3:b'], Resource: ['arn:&{x}'] }]);
    assert.equal(
      min({ source_policy_documents: [source] }),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:a","s3:b"],"Resource":["arn:\\u0026{x}"]}]}',
    );
  });

  test('Principal arrays come out descending; {"*":"*"} and any string become "*"', () => {
    const source = doc([
      { Effect: 'Allow', Action: 'a:b', Principal: { AWS: ['arn:1', 'arn:2'], Service: 's' } },
      { Effect: 'Allow', Action: 'a:b', Principal: { '*': '*' } },
      { Effect: 'Allow', Action: 'a:b', Principal: 'anything' },
      { Effect: 'Allow', Action: 'a:b', Principal: { AWS: ['arn:1'] } },
    ]);
    assert.equal(
      min({ source_policy_documents: [source] }),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"a:b","Principal":{"AWS":["arn:2","arn:1"],"Service":"s"}},{"Effect":"Allow","Action":"a:b","Principal":"*"},{"Effect":"Allow","Action":"a:b","Principal":"*"},{"Effect":"Allow","Action":"a:b","Principal":{"AWS":["arn:1"]}}]}',
    );
  });

  test('conditions: bools become strings, numbers and nulls are dropped, one-element arrays collapse', () => {
    const source = doc([
      {
        Effect: 'Allow',
        Action: 'a:b',
        Condition: {
          Bool: { 'aws:SecureTransport': true },
          NumericLessThan: { 's3:TlsVersion': 1.2 },
          StringEquals: { k: ['v'], z: 'w' },
        },
      },
    ]);
    assert.equal(
      min({ source_policy_documents: [source] }),
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"a:b","Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"k":"v","z":"w"}}}]}',
    );
  });

  test('keys match case-insensitively as in Go; unknown keys, empty Sid and a missing Effect are dropped', () => {
    const source = JSON.stringify({
      version: '2008-10-17',
      id: 'X',
      statement: [{ sid: '', action: 'a:b', Foo: 1 }],
    });
    assert.equal(
      min({ source_policy_documents: [source] }),
      '{"Version":"2012-10-17","Id":"X","Statement":[{"Action":"a:b"}]}',
    );
  });

  test('Version is the newest of the documents; policy_id overrides a source Id, an override Id wins last', () => {
    const source = JSON.stringify({ Version: '2008-10-17', Id: 'S', Statement: [] });
    const override = JSON.stringify({ Id: 'O' });
    assert.equal(
      min({ version: '2008-10-17', source_policy_documents: [source] }),
      '{"Version":"2008-10-17","Id":"S"}',
    );
    assert.equal(
      min({ policy_id: 'P', source_policy_documents: [source] }),
      '{"Version":"2012-10-17","Id":"P"}',
    );
    assert.equal(
      min({ policy_id: 'P', override_policy_documents: [override] }),
      '{"Version":"2012-10-17","Id":"O"}',
    );
  });

  test('duplicate Sid inside one source document is an error; inside an override it collapses', () => {
    const dup = doc([
      { Sid: 'A', Effect: 'Allow', Action: 'x:1' },
      { Sid: 'A', Effect: 'Deny', Action: 'x:2' },
    ]);
    assert.throws(
      () => json({ source_policy_documents: [dup] }),
      /merging source document 0: duplicate Sid \(A\) in source_policy_documents \(statement 1\)/,
    );
    assert.equal(
      min({ override_policy_documents: [dup] }),
      '{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","Action":"x:2"}]}',
    );
  });

  test('invalid JSON, a single-object Statement and empty strings are errors; null entries are skipped', () => {
    assert.throws(
      () => json({ source_policy_documents: ['{nope'] }),
      /"source_policy_documents\.0" contains an invalid JSON/,
    );
    assert.throws(
      () => json({ override_policy_documents: [JSON.stringify({ Statement: { Effect: 'Allow' } })] }),
      /merging override document 0: json: cannot unmarshal object into Go struct field iamPolicyDoc\.Statement/,
    );
    assert.throws(
      () => json({ source_policy_documents: [''] }),
      /merging source document 0: unexpected end of JSON input/,
    );
    assert.equal(json({ source_policy_documents: [null] }), '{\n  "Version": "2012-10-17"\n}');
  });

  test('a number inside a condition list, which crashes the provider, is reported', () => {
    const source = doc([{ Effect: 'Allow', Action: 'a:b', Condition: { NumericEquals: { k: [1, 2] } } }]);
    assert.throws(() => json({ source_policy_documents: [source] }), /non-string value in a list/);
  });
});

describe('composePolicyDocument: Terraform value conversion', () => {
  test('numbers and bools given for strings become strings; equal principal sets collapse', () => {
    const out = min({
      statement: [
        {
          sid: 1 as unknown as string,
          actions: ['a:b'],
          principals: [
            { type: 'AWS', identifiers: ['arn:1', 'arn:2'] },
            { type: 'AWS', identifiers: ['arn:2', 'arn:1'] },
          ],
          condition: [{ test: 'Bool', variable: 'aws:SecureTransport', values: [true as unknown as string] }],
        },
      ],
    });
    assert.equal(
      out,
      '{"Version":"2012-10-17","Statement":[{"Sid":"1","Effect":"Allow","Action":"a:b","Principal":{"AWS":["arn:2","arn:1"]},"Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}',
    );
  });
});

describe('composeSpec', () => {
  test('composition errors point at the data block', async () => {
    const file = fixture('iam', 'fixtures', 'documents.tf');
    const line =
      (await readFile(file, 'utf8')).split('\n').findIndex((l) => l.includes('"conflicting_sources"')) + 1;
    await assert.rejects(composeSpec([file], 'conflicting_sources'), (error: Error) => {
      assert.equal(
        error.message.startsWith(`${file}:${line}:1: writing IAM Policy Document: merging source document 1`),
        true,
        error.message,
      );
      return true;
    });
  });
});
