import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runDoctor } from '../../src/aws/doctor.js';
import { renderDoctorTable } from '../../src/aws/render.js';
import { renderResults } from '../../src/report/index.js';
import { tempDir } from '../helpers/index.js';
import { awsHome, find, outcome, withAwsEnv } from './env.js';
import {
  type FakeServer,
  type StsIdentity,
  startFakeContainerEndpoint,
  startFakeImds,
  startFakeSsoPortal,
  startFakeSts,
  temporaryCredentials,
} from './fakes.js';

const USER_KEY = 'AKIAFAKEUSER0000WXYZ';
const USER_SECRET = 'fake-user-secret-ABCDEFGHIJKLMNOP';
const user = (): StsIdentity => ({
  secret: USER_SECRET,
  arn: 'arn:aws:iam::123456789012:user/alice',
  account: '123456789012',
  userId: 'AIDAFAKEALICE',
});

describe('aws doctor credential chain against fake STS/IMDS/container/SSO servers', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let sts: FakeServer;
  let n = 0;
  const home = async () => {
    const dir = join(tmp.path, `h${++n}`);
    await mkdir(dir);
    return dir;
  };
  before(async () => {
    tmp = await tempDir('rampart-aws-doctor-');
    sts = await startFakeSts({ identities: { [USER_KEY]: user() } });
  });
  after(async () => {
    await sts.close();
    await tmp.cleanup();
  });
  const base = (extra: Record<string, string> = {}) => ({
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_STS: sts.url,
    ...extra,
  });

  test('environment keys are chosen, the identity is printed, the secret never is', async () => {
    const env = await awsHome(await home(), {});
    const report = await withAwsEnv(
      base({
        ...env,
        AWS_ACCESS_KEY_ID: USER_KEY,
        AWS_SECRET_ACCESS_KEY: USER_SECRET,
        AWS_REGION: 'eu-west-1',
      }),
      () => runDoctor({ timeoutMs: 2000 }),
    );
    assert.equal(outcome(report.results, 'fromEnv'), 'chosen');
    assert.equal(outcome(report.results, 'fromIni'), 'not reached');
    const id = find(report.results, 'caller-identity');
    assert.equal(id.status, 'pass');
    assert.match(id.message, /account 123456789012, ARN arn:aws:iam::123456789012:user\/alice/);
    assert.equal(find(report.results, 'credentials').properties?.accessKey, 'AKIA…WXYZ');
    const all = renderResults(report.results, 'json') + renderDoctorTable(report, { verbose: true });
    assert.ok(!all.includes(USER_SECRET), 'secret printed');
    assert.ok(!all.includes(USER_KEY), 'full access key printed');
    assert.match(all, /AKIA…WXYZ/);
    assert.equal(find(report.results, 'region').message, 'eu-west-1 from AWS_REGION');
  });

  test('AWS_PROFILE makes the SDK skip environment keys and use the profile', async () => {
    const env = await awsHome(await home(), {
      credentials: `[dev]\naws_access_key_id = ${USER_KEY}\naws_secret_access_key = ${USER_SECRET}\n`,
      config: '[profile dev]\nregion = eu-central-1\n',
    });
    const report = await withAwsEnv(
      base({
        ...env,
        AWS_PROFILE: 'dev',
        AWS_ACCESS_KEY_ID: 'AKIAOTHER000000000000',
        AWS_SECRET_ACCESS_KEY: 'x'.repeat(40),
      }),
      () => runDoctor({ timeoutMs: 2000 }),
    );
    assert.equal(outcome(report.results, 'fromEnv'), 'skipped');
    assert.match(
      find(report.results, 'credentials/fromEnv').message,
      /AWS_PROFILE=dev.*although AWS_ACCESS_KEY_ID is set/,
    );
    assert.equal(outcome(report.results, 'fromIni'), 'chosen');
    assert.equal(find(report.results, 'region').message, 'eu-central-1 from profile "dev" region');
    assert.equal(report.region.jsSdk.value, 'eu-central-1');
    assert.equal(find(report.results, 'caller-identity').status, 'pass');
  });

  test('role_arn + source_profile: the SDK assumes the role through fake STS with the base keys', async () => {
    const env = await awsHome(await home(), {
      credentials: `[base]\naws_access_key_id = ${USER_KEY}\naws_secret_access_key = ${USER_SECRET}\n`,
      config:
        '[profile deploy]\nrole_arn = arn:aws:iam::210987654321:role/Deployer\nsource_profile = base\nregion = us-west-2\n',
    });
    const report = await withAwsEnv(base(env), () => runDoctor({ profile: 'deploy', timeoutMs: 2000 }));
    assert.equal(outcome(report.results, 'fromIni'), 'chosen');
    const creds = find(report.results, 'credentials');
    assert.equal(creds.properties?.keyKind, 'temporary');
    assert.ok(creds.properties?.expiration, 'expiry shown');
    assert.match(find(report.results, 'caller-identity').message, /assumed-role\/Deployer/);
    assert.ok(sts.requests.some((r) => r.body.includes('Action=AssumeRole&')));
  });

  test('a source_profile loop is a lint finding and a failed fromIni link, never a stack trace', async () => {
    const env = await awsHome(await home(), {
      config:
        '[profile a]\nrole_arn = arn:aws:iam::1:role/A\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::1:role/B\nsource_profile = a\n',
    });
    const report = await withAwsEnv(base(env), () => runDoctor({ profile: 'a', timeoutMs: 2000 }));
    const loop = find(report.results, 'config/source-profile-cycle');
    assert.equal(loop.status, 'fail');
    assert.match(loop.message, /a → b → a|b → a → b/);
    assert.equal(loop.origin?.line, 3);
    assert.equal(outcome(report.results, 'fromIni'), 'failed');
    assert.match(find(report.results, 'credentials/fromIni').message, /cycle/i);
    assert.equal(find(report.results, 'credentials').status, 'fail');
  });

  test('credential_process output is used; its profile goes through fromIni', async () => {
    const dir = await home();
    const script = join(dir, 'creds.sh');
    await writeFile(
      script,
      `#!/bin/sh\necho '{"Version":1,"AccessKeyId":"${USER_KEY}","SecretAccessKey":"${USER_SECRET}"}'\n`,
      { mode: 0o755 },
    );
    const env = await awsHome(dir, { config: `[default]\ncredential_process = ${script}\n` });
    const report = await withAwsEnv(base(env), () => runDoctor({ timeoutMs: 5000 }));
    assert.equal(outcome(report.results, 'fromIni'), 'chosen');
    assert.equal(find(report.results, 'caller-identity').status, 'pass');
  });

  test('credential_process printing garbage fails with the SDK message', async () => {
    const env = await awsHome(await home(), { config: '[default]\ncredential_process = echo not-json\n' });
    const report = await withAwsEnv(base(env), () => runDoctor({ timeoutMs: 5000 }));
    assert.equal(outcome(report.results, 'fromIni'), 'failed');
    assert.match(
      find(report.results, 'credentials/fromIni').message,
      /credential_process returned invalid JSON/,
    );
  });

  test('web identity (IRSA): token file + role ARN through fake STS AssumeRoleWithWebIdentity', async () => {
    const dir = await home();
    const token = join(dir, 'token');
    await writeFile(token, 'eyJhbGciOiJSUzI1NiJ9.e30.sig');
    const env = await awsHome(dir, {});
    const report = await withAwsEnv(
      base({
        ...env,
        AWS_WEB_IDENTITY_TOKEN_FILE: token,
        AWS_ROLE_ARN: 'arn:aws:iam::333344445555:role/app',
        AWS_ROLE_SESSION_NAME: 'pod',
      }),
      () => runDoctor({ timeoutMs: 2000 }),
    );
    assert.equal(outcome(report.results, 'fromIni'), 'skipped');
    assert.equal(outcome(report.results, 'fromTokenFile'), 'chosen');
    assert.match(find(report.results, 'caller-identity').message, /333344445555:assumed-role\/app\/pod/);
  });

  test('EKS Pod Identity / ECS: container endpoint with the token file, via fake endpoint', async () => {
    const dir = await home();
    const tokenFile = join(dir, 'eks-pod-identity-token');
    await writeFile(tokenFile, 'pod-identity-token-123');
    const creds = temporaryCredentials(7);
    const container = await startFakeContainerEndpoint({
      token: 'pod-identity-token-123',
      credentials: creds,
    });
    const env = await awsHome(dir, {});
    try {
      const report = await withAwsEnv(
        base({
          ...env,
          AWS_CONTAINER_CREDENTIALS_FULL_URI: `${container.url}/v1/credentials`,
          AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: tokenFile,
        }),
        () => runDoctor({ timeoutMs: 2000, skipIdentity: true }),
      );
      assert.equal(outcome(report.results, 'fromHttp'), 'chosen');
      assert.equal(find(report.results, 'credentials').properties?.accessKey, 'ASIA…0007');
      assert.ok(
        !report.results.some((r) => r.rule === 'credentials/fromInstanceMetadata'),
        'IMDS replaced by the container link',
      );
      assert.equal(container.requests[0].headers.authorization, 'pod-identity-token-123');
    } finally {
      await container.close();
    }
  });

  test('IMDSv2 against a fake IMDS: token, role, expiry, and the region from placement', async () => {
    const creds = temporaryCredentials(9, 30);
    const imds = await startFakeImds({ role: 'web-node', credentials: creds, region: 'ap-southeast-2' });
    const env = await awsHome(await home(), {});
    try {
      const report = await withAwsEnv(
        { ...env, AWS_ENDPOINT_URL_STS: sts.url, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url },
        () => runDoctor({ timeoutMs: 2000, skipIdentity: true }),
      );
      assert.equal(outcome(report.results, 'fromInstanceMetadata'), 'chosen');
      assert.equal(find(report.results, 'credentials').properties?.expiration, creds.Expiration);
      assert.equal(find(report.results, 'region').message, 'ap-southeast-2 from IMDS placement/region');
      assert.equal(imds.requests[0].method, 'PUT', 'IMDSv2 session token first');
    } finally {
      await imds.close();
    }
  });

  test('an IMDS credentials answer that is not JSON is a failed link with a clear reason', async () => {
    const imds = await startFakeImds({
      role: 'r',
      credentials: temporaryCredentials(1),
      rawCredentialsBody: '<html>proxy error</html>',
    });
    const env = await awsHome(await home(), {});
    try {
      const report = await withAwsEnv({ ...env, AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url }, () =>
        runDoctor({ timeoutMs: 2000, skipIdentity: true }),
      );
      assert.equal(outcome(report.results, 'fromInstanceMetadata'), 'failed');
      assert.match(
        find(report.results, 'credentials/fromInstanceMetadata').message,
        /JSON|Unexpected token|invalid/i,
      );
      assert.equal(find(report.results, 'credentials').status, 'fail');
    } finally {
      await imds.close();
    }
  });

  test('sso_session profile: the cached token is exchanged at a fake SSO portal', async () => {
    const dir = await home();
    const creds = temporaryCredentials(11);
    const portal = await startFakeSsoPortal({
      accessToken: 'cached-sso-token',
      accountId: '444455556666',
      roleName: 'ReadOnly',
      credentials: creds,
    });
    const env = await awsHome(dir, {
      config:
        '[profile sso]\nsso_session = corp\nsso_account_id = 444455556666\nsso_role_name = ReadOnly\nregion = eu-west-1\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n',
    });
    const { createHash } = await import('node:crypto');
    const cache = join(dir, '.aws', 'sso', 'cache');
    await mkdir(cache, { recursive: true });
    await writeFile(
      join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`),
      JSON.stringify({
        accessToken: 'cached-sso-token',
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        region: 'eu-west-1',
        startUrl: 'https://corp.awsapps.com/start',
      }),
    );
    try {
      const report = await withAwsEnv(base({ ...env, AWS_ENDPOINT_URL_SSO: portal.url }), () =>
        runDoctor({ profile: 'sso', timeoutMs: 2000, skipIdentity: true }),
      );
      assert.equal(outcome(report.results, 'fromSSO'), 'skipped');
      assert.equal(
        outcome(report.results, 'fromIni'),
        'chosen',
        find(report.results, 'credentials/fromIni').message,
      );
      assert.equal(find(report.results, 'credentials').properties?.accessKey, 'ASIA…0011');
    } finally {
      await portal.close();
    }
  });

  test('legacy SSO profile (sso_start_url in the profile): token cache keyed by the start URL, fake portal', async () => {
    const dir = await home();
    const creds = temporaryCredentials(13);
    const portal = await startFakeSsoPortal({
      accessToken: 'legacy-token',
      accountId: '777788889999',
      roleName: 'Admin',
      credentials: creds,
    });
    const startUrl = 'https://legacy.awsapps.com/start';
    const env = await awsHome(dir, {
      config: `[profile old]\nsso_start_url = ${startUrl}\nsso_region = us-east-2\nsso_account_id = 777788889999\nsso_role_name = Admin\n`,
    });
    const { createHash } = await import('node:crypto');
    const cache = join(dir, '.aws', 'sso', 'cache');
    await mkdir(cache, { recursive: true });
    await writeFile(
      join(cache, `${createHash('sha1').update(startUrl).digest('hex')}.json`),
      JSON.stringify({
        accessToken: 'legacy-token',
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
        region: 'us-east-2',
        startUrl,
      }),
    );
    try {
      const report = await withAwsEnv(base({ ...env, AWS_ENDPOINT_URL_SSO: portal.url }), () =>
        runDoctor({ profile: 'old', timeoutMs: 2000, skipIdentity: true }),
      );
      assert.equal(
        outcome(report.results, 'fromIni'),
        'chosen',
        find(report.results, 'credentials/fromIni').message,
      );
      assert.equal(find(report.results, 'credentials').properties?.accessKey, 'ASIA…0013');
      assert.equal(portal.requests.length, 1);
    } finally {
      await portal.close();
    }
  });

  test('an expired SSO token in the cache fails the fromIni link with the SDK message (fake portal not called)', async () => {
    const dir = await home();
    const portal = await startFakeSsoPortal({
      accessToken: 't',
      accountId: '1',
      roleName: 'r',
      credentials: temporaryCredentials(12),
    });
    const env = await awsHome(dir, {
      config:
        '[default]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n',
    });
    const { createHash } = await import('node:crypto');
    const cache = join(dir, '.aws', 'sso', 'cache');
    await mkdir(cache, { recursive: true });
    await writeFile(
      join(cache, `${createHash('sha1').update('corp').digest('hex')}.json`),
      JSON.stringify({
        accessToken: 't',
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
        region: 'eu-west-1',
        startUrl: 'https://corp.awsapps.com/start',
      }),
    );
    try {
      const report = await withAwsEnv(
        base({ ...env, AWS_ENDPOINT_URL_SSO: portal.url, AWS_ENDPOINT_URL_SSO_OIDC: portal.url }),
        () => runDoctor({ timeoutMs: 2000, skipIdentity: true }),
      );
      assert.equal(outcome(report.results, 'fromIni'), 'failed');
      assert.match(find(report.results, 'credentials/fromIni').message, /expired|sso login|refresh/i);
      assert.ok(!portal.requests.some((r) => r.path.startsWith('/federation/credentials')));
    } finally {
      await portal.close();
    }
  });

  test('a malformed config file and an unknown --profile are findings with positions, not exceptions', async () => {
    const env = await awsHome(await home(), {
      config: '[profile dev\nregion eu-west-1\n\u0000\u0001garbage\n[profile ok]\nregion = eu-west-1\n',
    });
    const report = await withAwsEnv(base(env), () => runDoctor({ profile: 'missing', timeoutMs: 2000 }));
    const malformed = report.results.filter((r) => r.rule === 'config/malformed-ini');
    assert.deepEqual(
      malformed.map((r) => r.origin?.line),
      [1, 2, 3],
    );
    assert.equal(malformed[0].origin?.file, env.AWS_CONFIG_FILE);
    const missing = find(report.results, 'profile-exists');
    assert.equal(missing.status, 'fail');
    assert.match(missing.fix ?? '', /select one of: ok/);
    assert.equal(outcome(report.results, 'fromIni'), 'skipped');
  });

  test('nothing configured: every link skipped, "no credentials" with the fix', async () => {
    const env = await awsHome(await home(), {});
    const report = await withAwsEnv(base(env), () => runDoctor({ timeoutMs: 2000 }));
    for (const p of ['fromEnv', 'fromSSO', 'fromIni', 'fromProcess', 'fromTokenFile', 'fromInstanceMetadata'])
      assert.equal(outcome(report.results, p), 'skipped', p);
    const c = find(report.results, 'credentials');
    assert.equal(c.status, 'fail');
    assert.equal(c.properties?.class, 'no-credentials');
    assert.ok(!report.results.some((r) => r.rule === 'caller-identity'));
    assert.equal(find(report.results, 'region').status, 'warn');
  });
});
