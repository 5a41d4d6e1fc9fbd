import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { REPO_ROOT, tempDir } from '../helpers/index.js';
import { awsHome } from './env.js';
import { type FakeServer, startFakeSts } from './fakes.js';

/** Runs the real binary with an environment built from scratch: nothing of this machine's AWS setup. */
function rampart(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin', 'rampart.js'), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
  });
}

describe('rampart aws doctor (CLI, fake STS)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let sts: FakeServer;
  before(async () => {
    tmp = await tempDir('rampart-aws-cli-');
    sts = await startFakeSts({
      identities: {
        AKIAFAKEUSER0000WXYZ: {
          secret: 'cli-secret-0123456789abcdef',
          arn: 'arn:aws:iam::123456789012:user/bob',
          account: '123456789012',
          userId: 'AIDAB',
        },
      },
    });
  });
  after(async () => {
    await sts.close();
    await tmp.cleanup();
  });

  test('-o json: one Result per link plus identity; exit 0; no secret in the output', async () => {
    const env = await awsHome(join(tmp.path), {
      credentials:
        '[default]\naws_access_key_id = AKIAFAKEUSER0000WXYZ\naws_secret_access_key = cli-secret-0123456789abcdef\n',
      config: '[default]\nregion = eu-north-1\n',
    });
    const r = await rampart(['aws', 'doctor', '-o', 'json', '--endpoint-url', sts.url], {
      ...env,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { results: { rule: string; status: string; message: string }[] };
    assert.deepEqual(
      out.results.filter((x) => x.rule.startsWith('credentials/')).map((x) => [x.rule, x.status]),
      [
        ['credentials/fromEnv', 'skip'],
        ['credentials/fromSSO', 'skip'],
        ['credentials/fromIni', 'pass'],
        ['credentials/fromProcess', 'skip'],
        ['credentials/fromTokenFile', 'skip'],
        ['credentials/fromInstanceMetadata', 'skip'],
      ],
    );
    assert.match(out.results.find((x) => x.rule === 'caller-identity')!.message, /user\/bob/);
    assert.ok(!r.stdout.includes('cli-secret'));
    assert.equal(r.stderr, '');
  });

  test('a credential_process that hangs is cut off: a finding, exit 1, and the command ends', async () => {
    const dir = join(tmp.path, 'hang');
    const env = await awsHome(dir, { config: '[profile slow]\ncredential_process = sleep 60\n' });
    const r = await rampart(['aws', 'doctor', '--profile', 'slow', '--timeout', '700', '--no-identity'], {
      ...env,
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /fromIni +✘ failed/);
    assert.match(r.stdout, /fromIni did not answer within 700 ms/);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  });

  test('usage errors exit 2 without a stack trace', async () => {
    const bad = await rampart(['aws', 'doctor', '--endpoint-url', 'not a url'], {});
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--endpoint-url must be an http\(s\) URL/);
    const unknown = await rampart(['aws', 'doktor'], {});
    assert.equal(unknown.code, 2);
    const format = await rampart(['aws', 'doctor', '-o', 'sarif'], {});
    assert.equal(format.code, 2);
  });
});
