import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runDoctor } from '../../src/aws/doctor.js';
import { partitionOfRegion, regionOfEndpoint } from '../../src/aws/region.js';
import { tempDir } from '../helpers/index.js';
import { awsHome, find, withAwsEnv } from './env.js';

describe('aws doctor region chain', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let files: Record<string, string>;
  before(async () => {
    tmp = await tempDir('rampart-aws-region-');
    files = await awsHome(tmp.path, { config: '[default]\nregion = eu-west-3\n' });
  });
  after(() => tmp.cleanup());
  const doctor = (vars: Record<string, string>, options: Parameters<typeof runDoctor>[0] = {}) =>
    withAwsEnv({ ...files, AWS_EC2_METADATA_DISABLED: 'true', ...vars }, () =>
      runDoctor({ skipIdentity: true, timeoutMs: 1000, ...options }),
    );

  test('--region beats AWS_REGION beats the profile; the SDK itself is asked what it resolves', async () => {
    const flag = await doctor({ AWS_REGION: 'us-west-1' }, { region: 'ap-south-1' });
    assert.equal(find(flag.results, 'region').message, 'ap-south-1 from --region');
    assert.equal(flag.region.jsSdk.value, 'us-west-1');
    const env = await doctor({ AWS_REGION: 'us-west-1' });
    assert.equal(find(env.results, 'region').message, 'us-west-1 from AWS_REGION');
    const profile = await doctor({});
    assert.equal(find(profile.results, 'region').message, 'eu-west-3 from profile "default" region');
  });

  test('AWS_DEFAULT_REGION alone: the CLI and the JavaScript SDK disagree, and doctor says so', async () => {
    const r = await doctor({ AWS_DEFAULT_REGION: 'sa-east-1' });
    const w = find(r.results, 'region-default-env');
    assert.equal(w.status, 'warn');
    assert.match(w.message, /the AWS CLI uses sa-east-1, the JavaScript v3 SDK uses eu-west-3/);
    assert.equal(w.fix, 'export AWS_REGION=sa-east-1');
  });

  test('an endpoint override in another region than the chosen one is flagged (no request is made)', async () => {
    const r = await doctor(
      { AWS_ACCESS_KEY_ID: 'AKIAFAKE000000000000', AWS_SECRET_ACCESS_KEY: 'x'.repeat(40) },
      { region: 'us-east-1', endpointUrl: 'https://sts.eu-central-1.amazonaws.com' },
    );
    assert.match(find(r.results, 'region-endpoint').message, /is in eu-central-1, the region is us-east-1/);
  });

  test('partitions and endpoint regions', () => {
    assert.equal(partitionOfRegion('cn-north-1'), 'aws-cn');
    assert.equal(partitionOfRegion('us-gov-west-1'), 'aws-us-gov');
    assert.equal(partitionOfRegion('eu-west-1'), 'aws');
    assert.equal(regionOfEndpoint('https://s3.cn-northwest-1.amazonaws.com.cn'), 'cn-northwest-1');
    assert.equal(regionOfEndpoint('http://127.0.0.1:9000'), undefined);
  });
});
