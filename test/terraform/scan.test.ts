import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { parseTerraformConfig } from '../../src/terraform/config.js';
import { decodeText, readPlanFile } from '../../src/terraform/plan.js';
import { scanTerraform } from '../../src/terraform/scan.js';
import { fixture, tempDir } from '../helpers/index.js';

const fx = (...p: string[]) => fixture('terraform', 'fixtures', ...p);

describe('scanTerraform', () => {
  test('realistic Terraform with modules, for_each, dynamic blocks and heredocs has no findings', async () => {
    const out = await scanTerraform([fx('realistic')], {
      config: { requirePermissionsBoundary: true, aft: { organizationalUnits: ['Workloads', 'Sandbox'] } },
    });
    assert.deepEqual(out.errors, []);
    assert.deepEqual(
      out.results.filter((r) => r.status !== 'pass').map((r) => `${r.rule}: ${r.message}`),
      [],
    );
    const addresses = out.documents.map((d) => (d.content as { address: string }).address);
    assert.ok(addresses.includes('module.worker'));
    assert.ok(addresses.includes('data.aws_iam_policy_document.worker'));
    assert.ok(addresses.includes('aws_autoscaling_group.this'));
    const asg = out.documents.find(
      (d) => (d.content as { address: string }).address === 'aws_autoscaling_group.this',
    )!;
    assert.equal(asg.format, 'terraform');
    assert.match(asg.origin.file, /modules\/worker\/main\.tf$/);
    assert.equal(asg.origin.line, 69);
  });

  test('invalid HCL gives a positioned error and the other files are still scanned', async () => {
    const out = await scanTerraform([fx('invalid')], {});
    assert.equal(out.errors.length, 1);
    assert.match(out.errors[0]!.message, /invalid\/broken\.tf:6:11: invalid HCL/);
    assert.ok(
      out.results.some((r) => r.rule === 'tf-iam-inline-policy' && r.origin!.file.endsWith('good.tf')),
    );
  });

  test('plan JSON: full addresses, positions, and rules on planned values', async () => {
    const out = await scanTerraform([fx('plan', 'plan.json')], {
      config: { requirePermissionsBoundary: true },
    });
    assert.deepEqual(out.errors, []);
    assert.deepEqual(
      out.documents.map((d) => [(d.content as { address: string }).address, d.format, d.origin.line]),
      [
        ['aws_iam_role.deploy', 'terraform-plan', 8],
        ['module.workers.aws_iam_policy.worker[0]', 'terraform-plan', 26],
        ['module.workers.aws_iam_policy.worker[1]', 'terraform-plan', 37],
        ['module.workers.aws_autoscaling_group.this', 'terraform-plan', 48],
      ],
    );
    const fails = out.results.filter((r) => r.status === 'fail');
    const by = (address: string) => fails.filter((r) => r.resource.name === address).map((r) => r.rule);
    assert.ok(by('aws_iam_role.deploy').includes('tf-iam-role-permissions-boundary'));
    assert.ok(
      by('aws_iam_role.deploy').some((r) => !r.startsWith('tf-')),
      'trust policy for "*" is linted',
    );
    assert.ok(by('module.workers.aws_iam_policy.worker[0]').length > 0, 'administrator policy is linted');
    assert.deepEqual(
      by('module.workers.aws_iam_policy.worker[1]'),
      [],
      `\${aws:username} in a plan is an IAM variable`,
    );
    assert.deepEqual(by('module.workers.aws_autoscaling_group.this').sort(), [
      'tf-asg-health-check-type',
      'tf-asg-instance-refresh',
    ]);
  });

  test('plan JSON written as UTF-16 (PowerShell redirection) is read', async () => {
    const tmp = await tempDir();
    try {
      const text = await readFile(fx('plan', 'plan.json'), 'utf8');
      const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
      await writeFile(join(tmp.path, 'plan-le.json'), le);
      const be = Buffer.from(text, 'utf16le').swap16();
      await writeFile(join(tmp.path, 'plan-be.json'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
      await writeFile(join(tmp.path, 'plan-nobom.json'), Buffer.from(text, 'utf16le'));
      await writeFile(join(tmp.path, 'other.json'), '{"format_version": "1", "name": "not a plan"}');
      for (const name of ['plan-le.json', 'plan-be.json', 'plan-nobom.json']) {
        const plan = await readPlanFile(join(tmp.path, name));
        assert.ok(plan, name);
        assert.equal(plan.plan.terraform_version, '1.9.5');
      }
      assert.equal(await readPlanFile(join(tmp.path, 'other.json')), undefined);
      const out = await scanTerraform([tmp.path], {});
      assert.equal(out.documents.length, 12);
    } finally {
      await tmp.cleanup();
    }
  });

  test('decodeText strips a UTF-8 byte order mark', () => {
    assert.equal(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x7b, 0x7d])), '{}');
  });
});

describe('terraform section of rampart.yaml', () => {
  test('valid settings are returned as TerraformScanConfig', () => {
    assert.deepEqual(
      parseTerraformConfig({
        requirePermissionsBoundary: true,
        aft: { organizationalUnits: ['A'], requiredTags: [] },
      }),
      {
        requirePermissionsBoundary: true,
        aft: { organizationalUnits: ['A'], requiredTags: [] },
      },
    );
    assert.deepEqual(parseTerraformConfig(undefined), {});
  });

  test('mistakes name the key', () => {
    assert.throws(
      () => parseTerraformConfig({ requirePermissionBoundary: true }),
      (e: unknown) => e instanceof UserError && /requirePermissionBoundary: unknown key/.test(e.message),
    );
    assert.throws(
      () => parseTerraformConfig({ aft: { requiredTags: 'CostCenter' } }),
      /aft\.requiredTags: expected a list of strings/,
    );
    assert.throws(
      () => parseTerraformConfig({ requirePermissionsBoundary: 'yes' }),
      /expected true or false/,
    );
  });
});

describe('binary plans', () => {
  test('a binary plan file given by name is an error that says how to convert it', async () => {
    const tmp = await tempDir();
    try {
      const file = join(tmp.path, 'tfplan');
      await writeFile(file, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]));
      const out = await scanTerraform([file], {});
      assert.equal(out.errors.length, 1);
      assert.match(
        out.errors[0]!.message,
        /tfplan: is a binary Terraform plan; convert it with "terraform show -json/,
      );
    } finally {
      await tmp.cleanup();
    }
  });
});
