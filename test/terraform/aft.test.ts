import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { run } from '../../src/cli/commands/aft.js';
import { UserError } from '../../src/core/errors.js';
import { emailProblem } from '../../src/terraform/aft/account-email.js';
import { planAftRequest } from '../../src/terraform/aft-request.js';
import { parseCidr } from '../../src/terraform/cidr.js';
import type { TerraformScanConfig } from '../../src/terraform/model.js';
import { fixture, tempDir } from '../helpers/index.js';
import { scanFiles } from './helpers.js';

interface RequestSpec {
  ctp?: Record<string, string | undefined>;
  tags?: Record<string, string> | null;
  change?: Record<string, string> | null;
  vpc?: string;
  raw?: string;
}

let counter = 0;
/** An account request module block; valid unless `spec` says otherwise. */
function request(name: string, spec: RequestSpec = {}): string {
  counter++;
  const ctp: Record<string, string | undefined> = {
    AccountEmail: `${name}@example.com`,
    AccountName: name,
    ManagedOrganizationalUnit: 'Workloads',
    SSOUserEmail: 'platform@example.com',
    SSOUserFirstName: 'Platform',
    SSOUserLastName: 'Team',
    ...spec.ctp,
  };
  const obj = (o: Record<string, string | undefined>) =>
    Object.entries(o)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `    ${JSON.stringify(k)} = ${v!.startsWith('var.') ? v : JSON.stringify(v)}`)
      .join('\n');
  const tags =
    spec.tags === null
      ? ''
      : `  account_tags = {\n${obj(spec.tags ?? { CostCenter: '1234', Environment: 'prod', Project: 'x' })}\n  }\n`;
  const change =
    spec.change === null
      ? ''
      : `  change_management_parameters = {\n${obj(spec.change ?? { change_requested_by: 'Platform', change_reason: 'new account' })}\n  }\n`;
  const custom =
    spec.vpc === undefined
      ? ''
      : `  custom_fields = {\n    vpc_cidr = ${spec.vpc.startsWith('var.') ? spec.vpc : JSON.stringify(spec.vpc)}\n  }\n`;
  return `module "req_${counter}" {\n  source = "./modules/aft-account-request"\n  control_tower_parameters = {\n${obj(ctp)}\n  }\n${tags}${change}${custom}${spec.raw ?? ''}}\n`;
}

interface AftCases {
  rule: string;
  config?: TerraformScanConfig;
  fire: string[];
  pass: string[];
}

const CASES: AftCases[] = [
  {
    rule: 'aft-required-fields',
    fire: [
      request('a', { ctp: { SSOUserEmail: undefined } }),
      request('a', { ctp: { AccountName: '' } }),
      request('a', { ctp: { SSOUserFirstName: undefined, SSOUserLastName: undefined } }),
    ],
    pass: [
      request('a'),
      request('a', { ctp: { AccountEmail: 'var.email' } }),
      request('a', { vpc: '10.1.0.0/16' }),
    ],
  },
  {
    rule: 'aft-account-email',
    fire: [
      request('a', { ctp: { AccountEmail: 'not-an-email' } }),
      request('a', { ctp: { AccountEmail: 'team@example' } }),
      request('a', { ctp: { SSOUserEmail: `${'x'.repeat(60)}@example.com` } }),
    ],
    pass: [
      request('a', { ctp: { AccountEmail: 'aws+prod-account@example.co.uk' } }),
      request('a', { ctp: { AccountEmail: 'First.Last@sub.example.com' } }),
      request('a', { ctp: { AccountEmail: 'var.email' } }),
    ],
  },
  {
    rule: 'aft-account-email-unique',
    fire: [
      request('a', { ctp: { AccountEmail: 'aws@example.com' } }) +
        request('b', { ctp: { AccountEmail: 'aws@example.com' } }),
      request('a', { ctp: { AccountEmail: 'AWS@Example.com' } }) +
        request('b', { ctp: { AccountEmail: 'aws@example.com' } }),
      request('a', { ctp: { AccountEmail: 'aws+dev@example.com' } }) +
        request('b', { ctp: { AccountEmail: 'AWS+DEV@example.com' } }),
    ],
    pass: [
      request('a', { ctp: { AccountEmail: 'aws+dev@example.com' } }) +
        request('b', { ctp: { AccountEmail: 'aws+prod@example.com' } }),
      request('a') + request('b'),
      request('a', { ctp: { AccountEmail: 'var.email' } }) +
        request('b', { ctp: { AccountEmail: 'var.email' } }),
    ],
  },
  {
    rule: 'aft-account-name-unique',
    fire: [
      request('a', { ctp: { AccountName: 'prod' } }) + request('b', { ctp: { AccountName: 'prod' } }),
      request('a', { ctp: { AccountName: 'Prod' } }) + request('b', { ctp: { AccountName: 'prod' } }),
      request('a', { ctp: { AccountName: 'x' } }) +
        request('b', { ctp: { AccountName: 'y' } }) +
        request('c', { ctp: { AccountName: 'x' } }),
    ],
    pass: [request('a') + request('b'), request('prod') + request('prod-eu'), request('a')],
  },
  {
    rule: 'aft-organizational-unit',
    config: { aft: { organizationalUnits: ['Workloads', 'Sandbox', 'ou-ab12-cdef3456'] } },
    fire: [
      request('a', { ctp: { ManagedOrganizationalUnit: 'Security' } }),
      request('a', { ctp: { ManagedOrganizationalUnit: 'workloads' } }),
      request('a', { ctp: { ManagedOrganizationalUnit: 'Prod (ou-zz99-zzzzzzzz)' } }),
    ],
    pass: [
      request('a', { ctp: { ManagedOrganizationalUnit: 'Sandbox' } }),
      request('a', { ctp: { ManagedOrganizationalUnit: 'Workloads (ou-1111-22222222)' } }),
      request('a', { ctp: { ManagedOrganizationalUnit: 'Nested (ou-ab12-cdef3456)' } }),
    ],
  },
  {
    rule: 'aft-account-tags',
    fire: [
      request('a', { tags: null }),
      request('a', { tags: { CostCenter: '1', Environment: 'dev' } }),
      request('a', { tags: { CostCenter: '', Environment: 'dev', Project: 'p' } }),
    ],
    pass: [
      request('a'),
      request('a', { tags: { CostCenter: '1', Environment: 'dev', Project: 'p', Owner: 'me' } }),
      request('a', { tags: { CostCenter: 'var.cost_center', Environment: 'dev', Project: 'p' } }),
    ],
  },
  {
    rule: 'aft-change-management',
    fire: [
      request('a', { change: null }),
      request('a', { change: { change_requested_by: 'me' } }),
      request('a', { change: { change_requested_by: '', change_reason: 'why' } }),
    ],
    pass: [
      request('a'),
      request('a', { change: { change_requested_by: 'me', change_reason: 'because' } }),
      request('a', { change: { change_requested_by: 'var.requester', change_reason: 'because' } }),
    ],
  },
  {
    rule: 'aft-vpc-cidr',
    fire: [
      request('a', { vpc: '10.0.0.0/33' }),
      request('a', { vpc: '10.0.1.0/16' }),
      request('a', { vpc: 'ten.zero/16' }),
    ],
    pass: [request('a', { vpc: '10.0.0.0/16' }), request('a'), request('a', { vpc: 'var.cidr' })],
  },
  {
    rule: 'aft-vpc-cidr-overlap',
    fire: [
      request('a', { vpc: '10.0.0.0/16' }) + request('b', { vpc: '10.0.128.0/17' }),
      request('a', { vpc: '10.0.0.0/8' }) + request('b', { vpc: '10.200.0.0/16' }),
      request('a', { vpc: '172.16.0.0/20' }) + request('b', { vpc: '172.16.0.0/20' }),
    ],
    pass: [
      request('a', { vpc: '10.0.0.0/16' }) + request('b', { vpc: '10.1.0.0/16' }),
      request('a', { vpc: '10.0.0.0/17' }) + request('b', { vpc: '10.0.128.0/17' }),
      request('a', { vpc: '10.0.0.0/16' }) + request('b'),
    ],
  },
];

describe('AFT account request rules', () => {
  for (const c of CASES) {
    describe(c.rule, () => {
      c.fire.forEach((hcl, i) => {
        test(`fires on case ${i + 1}`, async () => {
          const out = await scanFiles({ 'requests.tf': hcl }, c.config);
          assert.deepEqual(out.errors, []);
          const found = out.results.filter((r) => r.rule === c.rule && r.status === 'fail');
          assert.ok(found.length > 0, `expected ${c.rule} on:\n${hcl}`);
          assert.equal(found[0]!.category, 'aft');
        });
      });
      c.pass.forEach((hcl, i) => {
        test(`does not fire on case ${i + 1}`, async () => {
          const out = await scanFiles({ 'requests.tf': hcl }, c.config);
          assert.deepEqual(out.errors, []);
          assert.deepEqual(
            out.results.filter((r) => r.rule === c.rule && r.status === 'fail'),
            [],
          );
        });
      });
    });
  }

  test('uniqueness is checked across every directory of the tree', async () => {
    const out = await scanFiles({
      'terraform/team-a/main.tf': request('a', {
        ctp: { AccountEmail: 'shared@example.com' },
        vpc: '10.0.0.0/16',
      }),
      'terraform/team-b/main.tf': request('b', {
        ctp: { AccountEmail: 'Shared@example.com' },
        vpc: '10.0.0.0/24',
      }),
    });
    const dup = out.results.filter((r) => r.rule === 'aft-account-email-unique');
    assert.equal(dup.length, 2);
    assert.match(dup[0]!.message, /also requested by module\.req_\d+ at .*team-b\/main\.tf:1/);
    assert.equal(out.results.filter((r) => r.rule === 'aft-vpc-cidr-overlap').length, 2);
  });

  test('unknown values are reported as skipped, not guessed', async () => {
    const out = await scanFiles({
      'requests.tf': request('a', { ctp: { AccountEmail: 'var.email' }, vpc: 'var.cidr' }),
    });
    const skipped = out.results.filter((r) => r.rule === 'aft-value-unknown');
    assert.deepEqual(
      skipped.map((r) => r.status),
      ['skip', 'skip'],
    );
    assert.match(skipped.map((r) => r.message).join('\n'), /AccountEmail is unknown \(\$\{var\.email\}\)/);
  });

  test('email and CIDR helpers', () => {
    assert.equal(emailProblem('a+b@example.com'), undefined);
    assert.match(emailProblem('a@b')!, /shorter/);
    const p = parseCidr('10.0.1.0/16');
    assert.ok(!p.ok && /host bits set; the network is 10\.0\.0\.0\/16/.test(p.reason));
    const q = parseCidr('192.168.4.0/22');
    assert.ok(q.ok && q.cidr.start === 3232236544 && q.cidr.end === 3232237567);
  });
});

describe('rampart aft request', () => {
  const input = {
    name: 'payments-prod',
    email: 'aws+payments-prod@example.com',
    ou: 'Workloads',
    ssoEmail: 'payments@example.com',
    ssoFirstName: 'Pay',
    ssoLastName: 'Ments',
    tags: { CostCenter: '42', Environment: 'prod', Project: 'payments' },
    vpcCidr: '10.30.0.0/16',
  };
  const existing = fixture('terraform', 'fixtures', 'aft');

  test('writes a request that passes every check against the existing tree', async () => {
    const plan = await planAftRequest(input, [existing]);
    assert.ok(plan.ok, JSON.stringify(plan));
    assert.equal(plan.moduleName, 'payments-prod');
    assert.match(plan.hcl, /source = "github\.com\/acme\/aft-account-request"/);
    assert.match(plan.hcl, /AccountEmail {14}= "aws\+payments-prod@example\.com"/);
    const out = await scanFiles({
      'a.tf': await readFile(join(existing, 'accounts.tf'), 'utf8'),
      'b.tf': plan.hcl,
    });
    assert.deepEqual(
      out.results.filter((r) => r.status === 'fail'),
      [],
    );
  });

  test('says why a request cannot be written', async () => {
    const plan = await planAftRequest(
      {
        ...input,
        email: 'AWS+Shared-Services@example.com',
        name: 'Shared-Services',
        vpcCidr: '10.10.128.0/20',
        tags: {},
      },
      [existing],
      { config: { aft: { organizationalUnits: ['Sandbox'] } } },
    );
    assert.ok(!plan.ok);
    const text = plan.problems.join('\n');
    assert.match(text, /aft-account-email-unique/);
    assert.match(text, /aft-account-name-unique/);
    assert.match(text, /aft-vpc-cidr-overlap: .*10\.10\.0\.0\/16/);
    assert.match(text, /aft-organizational-unit/);
    assert.match(text, /aft-account-tags: account_tags misses CostCenter, Environment, Project/);
  });

  test('the command appends to -o FILE and refuses a duplicate with exit 1', async () => {
    const tmp = await tempDir();
    try {
      const file = join(tmp.path, 'accounts.tf');
      await writeFile(file, await readFile(join(existing, 'accounts.tf'), 'utf8'));
      const args = [
        'request',
        '--name',
        'data-dev',
        '--email',
        'aws+data-dev@example.com',
        '--ou',
        'Sandbox',
        '--sso-email',
        'data@example.com',
        '--sso-first-name',
        'Data',
        '--sso-last-name',
        'Team',
        '--tag',
        'CostCenter=7',
        '--tag',
        'Environment=dev',
        '--tag',
        'Project=data',
        '-o',
        file,
        tmp.path,
      ];
      const stderr = process.stderr.write;
      process.stderr.write = () => true;
      let first: number;
      let second: number;
      try {
        first = await run(args);
        second = await run(args);
      } finally {
        process.stderr.write = stderr;
      }
      assert.equal(first, 0);
      assert.equal(second, 1);
      const text = await readFile(file, 'utf8');
      assert.equal(text.match(/module "data-dev"/g)?.length, 1);
      const out = await scanFiles({ 'accounts.tf': text });
      assert.deepEqual(out.errors, []);
      assert.deepEqual(
        out.results.filter((r) => r.status === 'fail'),
        [],
      );
    } finally {
      await tmp.cleanup();
    }
  });
});

describe('AFT pass results', () => {
  test('each request gets a pass for every rule it was checked by, none for rules left unknown', async () => {
    const out = await scanFiles({ 'requests.tf': request('a', { ctp: { AccountEmail: 'var.email' } }) });
    const passed = out.results.filter((r) => r.status === 'pass').map((r) => r.rule);
    assert.ok(passed.includes('aft-required-fields'));
    assert.ok(passed.includes('aft-account-name-unique'));
    assert.ok(!passed.includes('aft-account-email-unique'));
    assert.equal(out.results.filter((r) => r.status === 'fail').length, 0);
  });
});

describe('rampart aft request on a tree with invalid HCL', () => {
  test('is a usage/input error naming the file, not a silent pass', async () => {
    await assert.rejects(
      () =>
        planAftRequest(
          {
            name: 'n',
            email: 'n@example.com',
            ou: 'o',
            ssoEmail: 's@example.com',
            ssoFirstName: 'f',
            ssoLastName: 'l',
          },
          [fixture('terraform', 'fixtures', 'invalid')],
        ),
      (e: unknown) =>
        e instanceof UserError && /broken\.tf:6:11: invalid HCL/.test(e.message) && e.exitCode === 2,
    );
  });
});
