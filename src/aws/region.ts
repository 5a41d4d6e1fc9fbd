import { STSClient } from '@aws-sdk/client-sts';
import type { ProfileDefinition } from './lint.js';

export interface RegionSource {
  source: string;
  value?: string;
  /** Which SDKs read this source; shown so a difference between tools is explained. */
  readBy: string;
  note?: string;
}

export interface RegionReport {
  sources: RegionSource[];
  /** The first source with a value, in the order of the chain: flag, env, profile, IMDS, fallback. */
  chosen: { source: string; value: string };
  /** What the JavaScript v3 SDK resolves by itself (observed from a client), or its error. */
  jsSdk: { value?: string; error?: string };
}

export interface RegionOptions {
  flag?: string;
  fallback: string;
  profile?: string;
  profiles: Map<string, ProfileDefinition>;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** IMDSv2: a session token first, then placement/region with it, as the SDKs do. */
async function imdsRegion(
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ value?: string; note: string }> {
  const disabled = env.AWS_EC2_METADATA_DISABLED;
  if (disabled && disabled !== 'false') return { note: `AWS_EC2_METADATA_DISABLED=${disabled}` };
  const base = (env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? 'http://169.254.169.254').replace(/\/+$/, '');
  const limit = Math.min(timeoutMs, 1000);
  try {
    const tokenResponse = await fetch(`${base}/latest/api/token`, {
      method: 'PUT',
      headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
      signal: AbortSignal.timeout(limit),
    });
    if (!tokenResponse.ok) return { note: `IMDS token request answered HTTP ${tokenResponse.status}` };
    const token = await tokenResponse.text();
    const r = await fetch(`${base}/latest/meta-data/placement/region`, {
      headers: { 'x-aws-ec2-metadata-token': token },
      signal: AbortSignal.timeout(limit),
    });
    if (!r.ok) return { note: `IMDS placement/region answered HTTP ${r.status}` };
    const text = (await r.text()).trim();
    if (!REGION.test(text))
      return { note: `IMDS answered something that is not a region: "${text.slice(0, 40)}"` };
    return { value: text, note: `from ${base}` };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${limit} ms` : (e.cause?.code ?? e.message);
    return { note: `not reachable at ${base} (${why}): not on EC2, or IMDS is blocked` };
  }
}

export async function resolveRegion(options: RegionOptions): Promise<RegionReport> {
  const { env } = options;
  const profileName = options.profile ?? env.AWS_PROFILE ?? 'default';
  const profileRegion = options.profiles.get(profileName)?.keys.get('region');
  const imds = await imdsRegion(env, options.timeoutMs);
  const sources: RegionSource[] = [
    { source: '--region', value: options.flag, readBy: 'this command' },
    { source: 'AWS_REGION', value: env.AWS_REGION || undefined, readBy: 'all SDKs and the CLI' },
    {
      source: 'AWS_DEFAULT_REGION',
      value: env.AWS_DEFAULT_REGION || undefined,
      readBy: 'the AWS CLI, boto3 and Go v2; ignored by the JavaScript v3 and Java v2 SDKs',
    },
    {
      source: `profile "${profileName}" region`,
      value: profileRegion?.value || undefined,
      readBy: 'all SDKs and the CLI',
      note: profileRegion ? `${profileRegion.file}:${profileRegion.line}` : undefined,
    },
    {
      source: 'IMDS placement/region',
      value: imds.value,
      readBy: 'Java v2, boto3 and the CLI on EC2; not the JavaScript v3 default region provider',
      note: imds.note,
    },
    {
      source: 'fallback',
      value: options.fallback,
      readBy: 'programs that configure one, e.g. .or_else("us-east-1")',
    },
  ];
  const first = sources.find((s) => s.value)!;
  const jsSdk: RegionReport['jsSdk'] = {};
  try {
    // The client's own region provider chain, so the answer is the SDK's, not our reading of it.
    const client = new STSClient({ profile: options.profile });
    jsSdk.value = await client.config.region();
    client.destroy();
  } catch (error) {
    jsSdk.error = (error as Error).message;
  }
  return { sources, chosen: { source: first.source, value: first.value! }, jsSdk };
}

export function partitionOfRegion(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  return 'aws';
}

/** The region named in an AWS endpoint host (`sts.eu-west-1.amazonaws.com`), if any. */
export function regionOfEndpoint(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const m = /(?:^|\.)([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return m?.[1];
}
