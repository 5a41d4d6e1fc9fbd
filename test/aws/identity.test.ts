import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runDoctor } from '../../src/aws/doctor.js';
import { classifyError } from '../../src/aws/identity.js';
import { tempDir } from '../helpers/index.js';
import { awsHome, find, withAwsEnv } from './env.js';
import { type FakeServer, type FakeStsOptions, startFakeSts } from './fakes.js';

const KEY = 'AKIAFAKEUSER0000WXYZ';
const SECRET = 'fake-user-secret-ABCDEFGHIJKLMNOP';
const SESSION_KEY = 'ASIAFAKESESSION0ABCD';

const identities = (): FakeStsOptions['identities'] => ({
  [KEY]: {
    secret: SECRET,
    arn: 'arn:aws:iam::123456789012:user/alice',
    account: '123456789012',
    userId: 'AIDAX',
  },
  [SESSION_KEY]: {
    secret: SECRET,
    arn: 'arn:aws:sts::123456789012:assumed-role/r/s',
    account: '123456789012',
    userId: 'AROAX:s',
    sessionToken: 'the-session-token',
    expired: true,
  },
});

describe('aws doctor sorts GetCallerIdentity failures like the SDKs (fake STS)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let files: Record<string, string>;
  before(async () => {
    tmp = await tempDir('rampart-aws-identity-');
    files = await awsHome(tmp.path, {});
  });
  after(() => tmp.cleanup());

  async function doctorAgainst(
    endpoint: string,
    keys: Record<string, string> = { AWS_ACCESS_KEY_ID: KEY, AWS_SECRET_ACCESS_KEY: SECRET },
    timeoutMs = 2000,
  ) {
    const report = await withAwsEnv(
      { ...files, ...keys, AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' },
      () => runDoctor({ endpointUrl: endpoint, timeoutMs }),
    );
    return find(report.results, 'caller-identity');
  }
  async function withSts(options: Partial<FakeStsOptions>, fn: (sts: FakeServer) => Promise<void>) {
    const sts = await startFakeSts({ identities: identities(), ...options });
    try {
      await fn(sts);
    } finally {
      await sts.close();
    }
  }

  test('an expired session token is a service error of class expired-token', () =>
    withSts({}, async (sts) => {
      const r = await doctorAgainst(sts.url, {
        AWS_ACCESS_KEY_ID: SESSION_KEY,
        AWS_SECRET_ACCESS_KEY: SECRET,
        AWS_SESSION_TOKEN: 'the-session-token',
      });
      assert.equal(r.status, 'fail');
      assert.deepEqual(
        [r.properties?.class, r.properties?.side, r.properties?.code],
        ['expired-token', 'service', 'ExpiredToken'],
      );
      assert.match(r.fix ?? '', /refresh/);
      assert.ok(!r.message.includes('the-session-token'));
    }));

  test('an unknown access key is invalid-credentials (InvalidClientTokenId)', () =>
    withSts({}, async (sts) => {
      const r = await doctorAgainst(sts.url, {
        AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN000000000',
        AWS_SECRET_ACCESS_KEY: SECRET,
      });
      assert.deepEqual(
        [r.properties?.class, r.properties?.code],
        ['invalid-credentials', 'InvalidClientTokenId'],
      );
    }));

  test('a wrong secret is invalid-credentials (SignatureDoesNotMatch, checked by SigV4 verification)', () =>
    withSts({}, async (sts) => {
      const r = await doctorAgainst(sts.url, {
        AWS_ACCESS_KEY_ID: KEY,
        AWS_SECRET_ACCESS_KEY: 'wrong-secret-0123456789',
      });
      assert.deepEqual(
        [r.properties?.class, r.properties?.code],
        ['invalid-credentials', 'SignatureDoesNotMatch'],
      );
      assert.match(r.fix ?? '', /secret key does not match/);
    }));

  test('a server clock an hour ahead is clock-skew, with the measured offset', () =>
    withSts({ clockOffsetMs: 3600_000 }, async (sts) => {
      const r = await doctorAgainst(sts.url);
      assert.equal(r.properties?.class, 'clock-skew');
      const offset = r.properties?.clockOffsetSeconds as number;
      assert.ok(Math.abs(offset - 3600) < 5, String(offset));
      assert.match(r.fix ?? '', /clock is off by 3[56]\d\d s/);
    }));

  test('AccessDenied is access-denied', () =>
    withSts({ force: { status: 403, code: 'AccessDenied', message: 'denied by SCP' } }, async (sts) => {
      const r = await doctorAgainst(sts.url);
      assert.deepEqual([r.properties?.class, r.properties?.side], ['access-denied', 'service']);
    }));

  test('a 500 is a service error, not a local problem', () =>
    withSts({ force: { status: 500, code: 'InternalFailure', message: 'boom' } }, async (sts) => {
      const r = await doctorAgainst(sts.url);
      assert.deepEqual(
        [r.properties?.class, r.properties?.side, r.properties?.httpStatus],
        ['service-error', 'service', 500],
      );
    }));

  test('a refused connection is a client-side connection error', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const r = await doctorAgainst(`http://127.0.0.1:${port}`);
    assert.deepEqual(
      [r.properties?.class, r.properties?.side, r.properties?.code],
      ['connection', 'client', 'ECONNREFUSED'],
    );
  });

  test('an endpoint that never answers is a client-side timeout', () =>
    withSts({ hang: true }, async (sts) => {
      const r = await doctorAgainst(sts.url, undefined, 500);
      assert.deepEqual([r.properties?.class, r.properties?.side], ['timeout', 'client']);
    }));

  // No real lookup: a DNS query would leave the machine (tests stay on loopback), so the test classifies
  // the error Node's getaddrinfo raises for an unknown name, exactly as the SDK passes it on.
  test('a name that does not resolve is a client-side DNS error', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND sts.rampart-test.invalid'), {
      code: 'ENOTFOUND',
      errno: -3008,
      syscall: 'getaddrinfo',
      hostname: 'sts.rampart-test.invalid',
    });
    const c = classifyError(error, 'http://sts.rampart-test.invalid');
    assert.deepEqual([c.class, c.side, c.code], ['dns', 'client', 'ENOTFOUND']);
    assert.match(c.fix, /does not resolve \(http:\/\/sts\.rampart-test\.invalid\)/);
  });

  test('a region in another partition than the credentials is flagged', () =>
    withSts({}, async (sts) => {
      const ids = identities();
      ids[KEY].arn = 'arn:aws-cn:iam::123456789012:user/alice';
      const cn = await startFakeSts({ identities: ids });
      try {
        const report = await withAwsEnv(
          {
            ...files,
            AWS_ACCESS_KEY_ID: KEY,
            AWS_SECRET_ACCESS_KEY: SECRET,
            AWS_EC2_METADATA_DISABLED: 'true',
            AWS_REGION: 'eu-west-1',
          },
          () => runDoctor({ endpointUrl: cn.url, timeoutMs: 2000 }),
        );
        assert.match(
          find(report.results, 'region-partition').message,
          /partition aws, the credentials belong to aws-cn/,
        );
      } finally {
        await cn.close();
      }
      assert.equal(sts.requests.length, 0);
    }));
});
