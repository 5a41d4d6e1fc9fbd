import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findSecrets, WORKER_RULES } from '../../src/terraform/rules/workers/index.js';
import { failures, type RuleCases } from './helpers.js';

/** The cases each rule keeps beside it (src/terraform/rules/). */
const CASES: RuleCases[] = [
  'tf-worker-provisioner',
  'tf-asg-create-before-destroy',
  'tf-asg-instance-refresh',
  'tf-asg-health-check-type',
  'tf-user-data-secret',
  'tf-user-data-latest-tag',
  'tf-count-differing-workers',
]
  .map((id) => WORKER_RULES.find((r) => r.meta.id === id)!)
  .map((r) => ({ rule: r.meta.id, ...r.cases }));

describe('worker fleet rules', () => {
  for (const c of CASES) {
    describe(c.rule, () => {
      c.fire.forEach((hcl, i) => {
        test(`fires on case ${i + 1}`, async () => {
          const found = await failures(hcl, c.rule, c.config);
          assert.ok(found.length > 0, `expected ${c.rule} on:\n${hcl}`);
          assert.equal(found[0]!.category, 'worker-fleet');
          assert.ok(found[0]!.origin && found[0]!.origin.line >= 1);
        });
      });
      c.pass.forEach((hcl, i) => {
        test(`does not fire on case ${i + 1}`, async () => {
          assert.deepEqual(await failures(hcl, c.rule, c.config), []);
        });
      });
    });
  }

  test('the provisioner finding points at the provisioner line', async () => {
    const [f] = await failures(CASES[0]!.fire[0]!, 'tf-worker-provisioner');
    assert.equal(f!.origin!.line, 3);
    assert.equal(f!.resource.name, 'aws_instance.w');
  });

  test('secrets in a user_data script read with templatefile() are found', async () => {
    const found = await failures(
      `resource "aws_launch_template" "w" {\n  user_data = base64encode(templatefile("\${path.module}/boot.sh", { name = "w" }))\n}\n`,
      'tf-user-data-secret',
      {},
      { 'boot.sh': '#!/bin/bash\nexport TFC_AGENT_TOKEN=literal-token-value\n' },
    );
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /TFC_AGENT_TOKEN is set to a literal token/);
  });

  test('findSecrets reports interpolated tokens and ignores runtime lookups', () => {
    assert.deepEqual(findSecrets(`TFC_AGENT_TOKEN=\${var.t}`), [
      `TFC_AGENT_TOKEN is interpolated from \${var.t}`,
    ]);
    assert.deepEqual(findSecrets(`TFC_AGENT_TOKEN=$\${TOKEN}\npassword=$(pass show db)`), []);
  });
});

describe('findSecrets', () => {
  test('credential-named keys with literal values are secrets', () => {
    assert.deepEqual(
      findSecrets('export DB_PASSWORD=s3cr3t\nGITHUB_TOKEN: ghp_abc123\nclient_secret = "xyz"'),
      [
        'DB_PASSWORD is set to a literal value',
        'GITHUB_TOKEN is set to a literal value',
        'client_secret is set to a literal value',
      ],
    );
  });

  test('switches, placeholders and look-ups are not', () => {
    assert.deepEqual(
      findSecrets(
        'lock_passwd: false\nPASSWORD_FILE=/run/secrets/db\nTOKEN_TTL=60\nmax_tokens=100\nGITHUB_TOKEN=$(cat /run/t)',
      ),
      [],
    );
  });
});
