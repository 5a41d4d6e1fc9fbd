import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { scanIni } from '../../src/aws/ini.js';
import { lintSharedFiles, type ProfileDefinition, sourceProfileCycles } from '../../src/aws/lint.js';
import { tempDir } from '../helpers/index.js';

describe('aws shared-file lint', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let n = 0;
  before(async () => {
    tmp = await tempDir('rampart-aws-lint-');
  });
  after(() => tmp.cleanup());

  async function lint(config: string, credentials = '', mode = 0o600) {
    const c = join(tmp.path, `config${++n}`);
    const k = join(tmp.path, `credentials${n}`);
    await writeFile(c, config);
    await writeFile(k, credentials);
    await chmod(c, mode);
    await chmod(k, mode);
    const r = await lintSharedFiles(c, k);
    return { ...r, config: c, credentials: k };
  }
  const rules = (findings: { rule: string }[]) => findings.map((f) => f.rule).sort();

  test('malformed lines are reported with file, line and column', async () => {
    const r = await lint('[profile dev\nregion = eu-west-1\n[default]\njust some words\n');
    const bad = r.findings.filter((f) => f.rule === 'malformed-ini');
    assert.deepEqual(
      bad.map((f) => [f.origin?.line, f.origin?.column]),
      [
        [1, 1],
        [2, 1],
        [4, 1],
      ],
    );
    assert.match(bad[0].message, /without "]"/);
    assert.equal(bad[0].origin?.file, r.config);
  });

  test('unknown keys get the nearest known key as a suggestion; nested s3 blocks are fine', async () => {
    const r = await lint(
      '[default]\nregoin = eu-west-1\nmy_custom = 1\ns3 =\n  max_concurrent_requests = 20\n',
    );
    const unknown = r.findings.filter((f) => f.rule === 'unknown-key');
    assert.equal(unknown.length, 2);
    assert.match(unknown[0].message, /"regoin".*did you mean "region"/);
    assert.equal(unknown[0].origin?.line, 2);
    assert.doesNotMatch(unknown[1].message, /did you mean/);
  });

  test('a source_profile naming no profile, and role_arn without a source', async () => {
    const r = await lint(
      '[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = nope\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\n',
    );
    assert.deepEqual(rules(r.findings), ['missing-source-profile', 'role-without-source']);
    assert.equal(r.findings.find((f) => f.rule === 'missing-source-profile')?.origin?.line, 3);
  });

  test('duplicated sections, secrets in config, [name] without the profile prefix', async () => {
    const r = await lint(
      '[profile dev]\nregion = eu-west-1\n[profile dev]\naws_secret_access_key = abc\naws_access_key_id = AKIAX\n[staging]\nregion = us-east-1\n',
    );
    assert.deepEqual(rules(r.findings), ['duplicate-section', 'secret-in-config', 'section-ignored']);
    assert.match(r.findings.find((f) => f.rule === 'duplicate-section')!.message, /first at line 1/);
    assert.ok(!r.findings.some((f) => f.message.includes('abc')), 'secret value printed');
  });

  test('world-readable credentials file with keys is a high finding', async () => {
    const r = await lint('', '[default]\naws_access_key_id = AKIAX\naws_secret_access_key = s3cr3t\n', 0o644);
    const f = r.findings.find((x) => x.rule === 'world-readable' && x.name === 'credentials');
    assert.equal(f?.status, 'fail');
    assert.equal(r.findings.find((x) => x.rule === 'world-readable' && x.name === 'config')?.status, 'warn');
    assert.equal(f?.severity, 'high');
    assert.equal(f?.fix, `chmod 600 ${r.credentials}`);
  });

  test('credentials-file keys override config-file keys of the same profile', async () => {
    const r = await lint('[profile dev]\nregion = eu-west-1\n', '[dev]\nregion = us-east-2\n');
    assert.equal(r.files.profiles.get('dev')?.keys.get('region')?.value, 'us-east-2');
    assert.ok(r.findings.some((f) => f.rule === 'setting-in-credentials'));
  });

  test('source_profile loops; a profile sourcing itself with its own keys is allowed', () => {
    const profile = (name: string, keys: Record<string, string>): [string, ProfileDefinition] => [
      name,
      {
        name,
        file: 'f',
        line: 1,
        keys: new Map(Object.entries(keys).map(([k, v]) => [k, { value: v, line: 1, file: 'f' }])),
      },
    ];
    const profiles = new Map([
      profile('a', { source_profile: 'b', role_arn: 'r' }),
      profile('b', { source_profile: 'c', role_arn: 'r' }),
      profile('c', { source_profile: 'a', role_arn: 'r' }),
      profile('self', { source_profile: 'self', role_arn: 'r', aws_access_key_id: 'k' }),
      profile('selfloop', { source_profile: 'selfloop', role_arn: 'r' }),
    ]);
    const cycles = sourceProfileCycles(profiles);
    assert.deepEqual(cycles, [['a', 'b', 'c'], ['selfloop']]);
  });

  test('scanIni keeps comments out and indented sub-keys nested', () => {
    const s = scanIni('f', '# c\n[default]\n; c\ns3 =\n  addressing_style = path\nregion=us-east-1\n');
    assert.deepEqual(
      s.sections[0].entries.map((e) => [e.key, e.value, e.nested]),
      [
        ['s3', '', false],
        ['addressing_style', 'path', true],
        ['region', 'us-east-1', false],
      ],
    );
    assert.deepEqual(s.problems, []);
  });
});
