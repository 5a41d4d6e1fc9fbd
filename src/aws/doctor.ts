import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Result, ResultStatus } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { type ChainReport, walkCredentialChain } from './chain.js';
import { callerIdentity, classifyError, type IdentityReport } from './identity.js';
import { lintSharedFiles } from './lint.js';
import { maskAccessKey, scrubSecrets } from './redact.js';
import { partitionOfRegion, type RegionReport, regionOfEndpoint, resolveRegion } from './region.js';

export interface DoctorOptions {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  /** The region a program would fall back to when nothing is configured. */
  fallbackRegion?: string;
  timeoutMs?: number;
  /** Skip sts:GetCallerIdentity (no network beyond the credential providers). */
  skipIdentity?: boolean;
  /** For reading only; the SDK's providers always read process.env, so pass process.env or leave it out. */
  env?: NodeJS.ProcessEnv;
}

export interface DoctorReport {
  configFile: string;
  credentialsFile: string;
  chain: ChainReport;
  region: RegionReport;
  identity?: IdentityReport;
  results: Result[];
}

const POLICY = 'aws-doctor';
const CATEGORY = 'AWS configuration';

function result(
  rule: string,
  kind: string,
  name: string,
  status: ResultStatus,
  severity: Severity,
  message: string,
  extra: Partial<Result> = {},
): Result {
  return {
    policy: POLICY,
    rule,
    resource: { apiVersion: '', kind, namespace: '', name },
    status,
    severity,
    category: CATEGORY,
    message,
    origin: null,
    ...extra,
  };
}

/** Where the SDKs look for the shared files: the two variables, else ~/.aws (HOME first, as they do). */
export function sharedFilePaths(env: NodeJS.ProcessEnv): { config: string; credentials: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
  };
}

function secretsOf(
  env: NodeJS.ProcessEnv,
  values: Iterable<{ keys: Map<string, { value: string }> }>,
): string[] {
  const out = [
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
    env.AWS_CONTAINER_AUTHORIZATION_TOKEN,
  ].filter((s): s is string => Boolean(s));
  for (const p of values) {
    for (const k of ['aws_secret_access_key', 'aws_session_token']) {
      const v = p.keys.get(k)?.value;
      if (v) out.push(v);
    }
  }
  return out;
}

/**
 * Everything `rampart aws doctor` checks, as Results: one per credential-chain link, the region,
 * the caller identity, and the shared-file findings.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 5000;
  const paths = sharedFilePaths(env);
  const { files, findings } = await lintSharedFiles(paths.config, paths.credentials);
  const results: Result[] = [];
  const profileName = options.profile ?? env.AWS_PROFILE;
  if (profileName && !files.profiles.has(profileName)) {
    results.push(
      result(
        'profile-exists',
        'AwsProfile',
        profileName,
        'fail',
        'high',
        `profile "${profileName}" (${options.profile ? '--profile' : 'AWS_PROFILE'}) is not defined in ${paths.config} or ${paths.credentials}`,
        {
          fix: `define it, or select one of: ${[...files.profiles.keys()].join(', ') || '(none defined)'}`,
        },
      ),
    );
  }

  const region = await resolveRegion({
    flag: options.region,
    fallback: options.fallbackRegion ?? 'us-east-1',
    profile: options.profile,
    profiles: files.profiles,
    env,
    timeoutMs,
  });
  const chain = await walkCredentialChain({
    profile: options.profile,
    timeoutMs,
    stsClientConfig: {
      region: region.chosen.value,
      ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    },
    profiles: files.profiles,
    env,
  });
  const secrets = secretsOf(env, files.profiles.values());
  if (chain.chosen)
    secrets.push(chain.chosen.credentials.secretAccessKey, chain.chosen.credentials.sessionToken ?? '');
  const scrub = (text: string) => scrubSecrets(text, secrets);

  for (const link of chain.links) {
    const status: ResultStatus =
      link.outcome === 'chosen'
        ? 'pass'
        : link.outcome === 'failed'
          ? chain.chosen && !link.stopsChain
            ? 'warn'
            : 'fail'
          : 'skip';
    results.push(
      result(
        `credentials/${link.provider}`,
        'CredentialProvider',
        link.provider,
        status,
        status === 'fail' ? 'high' : status === 'warn' ? 'medium' : 'info',
        `${link.outcome}: ${scrub(link.reason)}`,
        {
          title: link.source,
          properties: {
            outcome: link.outcome,
            source: link.source,
            ms: link.ms,
            trace: link.trace.map(scrub),
            ...(link.stopsChain ? { stopsChain: true } : {}),
          },
          ...(status === 'warn'
            ? {
                fix: `this link failed and the chain moved on to ${chain.chosen?.provider}; fix or remove its configuration if it was meant to be used`,
              }
            : {}),
        },
      ),
    );
  }
  if (!chain.chosen) {
    const c = classifyError(
      Object.assign(new Error(chain.error ?? ''), { name: 'CredentialsProviderError' }),
      undefined,
    );
    results.push(
      result(
        'credentials',
        'Credentials',
        profileName ?? 'default chain',
        'fail',
        'high',
        `no credentials: ${scrub(chain.error ?? '')}`,
        { fix: c.fix, properties: { class: c.class, side: c.side } },
      ),
    );
  } else {
    const c = chain.chosen.credentials;
    const minutesLeft = c.expiration ? (c.expiration.getTime() - Date.now()) / 60_000 : undefined;
    const expiring = minutesLeft !== undefined && minutesLeft < 15;
    results.push(
      result(
        'credentials',
        'Credentials',
        chain.chosen.provider,
        expiring ? 'warn' : 'pass',
        expiring ? 'medium' : 'info',
        `${chain.chosen.provider} (${chain.chosen.source}): access key ${maskAccessKey(c.accessKeyId)} (${chain.chosen.keyKind})${c.sessionToken ? ', session token set' : ''}${c.expiration ? `, expires ${c.expiration.toISOString()}` : ', no expiry'}`,
        {
          ...(expiring
            ? {
                fix: `the credentials expire in ${Math.max(0, Math.round(minutesLeft))} min: refresh them before long jobs`,
              }
            : {}),
          properties: {
            provider: chain.chosen.provider,
            accessKey: chain.chosen.maskedAccessKey,
            keyKind: chain.chosen.keyKind,
            expiration: c.expiration?.toISOString() ?? null,
          },
        },
      ),
    );
  }

  results.push(
    ...regionResults(region, options.endpointUrl ?? env.AWS_ENDPOINT_URL_STS ?? env.AWS_ENDPOINT_URL),
  );

  let identity: IdentityReport | undefined;
  if (chain.chosen && !options.skipIdentity) {
    identity = await callerIdentity({
      credentials: chain.chosen.credentials,
      region: region.chosen.value,
      endpoint: options.endpointUrl,
      timeoutMs,
    });
    if (identity.ok) {
      results.push(
        result(
          'caller-identity',
          'CallerIdentity',
          identity.arn ?? '',
          'pass',
          'info',
          `account ${identity.account}, ARN ${identity.arn}, user ID ${identity.userId}`,
          {
            properties: {
              account: identity.account,
              arn: identity.arn,
              userId: identity.userId,
              endpoint: identity.endpoint,
            },
          },
        ),
      );
      const credPartition = identity.partition;
      const regionPartition = partitionOfRegion(region.chosen.value);
      if (credPartition && credPartition !== regionPartition) {
        results.push(
          result(
            'region-partition',
            'Region',
            region.chosen.value,
            'warn',
            'high',
            `region ${region.chosen.value} is in partition ${regionPartition}, the credentials belong to ${credPartition}`,
            { fix: `use a ${credPartition} region` },
          ),
        );
      }
    } else {
      const f = identity.failure!;
      results.push(
        result(
          'caller-identity',
          'CallerIdentity',
          identity.endpoint ?? 'sts',
          'fail',
          'high',
          `${f.side === 'client' ? 'client-side' : 'service'} error, ${f.class}: ${f.code}${f.httpStatus ? ` (HTTP ${f.httpStatus})` : ''}: ${scrub(f.message)}`,
          {
            fix: f.fix,
            properties: {
              class: f.class,
              side: f.side,
              code: f.code,
              httpStatus: f.httpStatus,
              endpoint: identity.endpoint,
              clockOffsetSeconds: identity.clockOffsetSeconds,
            },
          },
        ),
      );
    }
  }

  for (const f of findings) {
    results.push(
      result(`config/${f.rule}`, 'AwsSharedFile', f.name, f.status, f.severity, f.message, {
        origin: f.origin ?? null,
        ...(f.fix ? { fix: f.fix } : {}),
      }),
    );
  }
  return { configFile: paths.config, credentialsFile: paths.credentials, chain, region, identity, results };
}

function regionResults(region: RegionReport, endpoint: string | undefined): Result[] {
  const out: Result[] = [];
  const chosen = region.chosen;
  const props = { sources: region.sources, chosen, jsSdk: region.jsSdk };
  if (chosen.source === 'fallback') {
    out.push(
      result(
        'region',
        'Region',
        chosen.value,
        'warn',
        'medium',
        `no region configured; only the fallback ${chosen.value} applies`,
        {
          fix: 'set AWS_REGION or region in the profile; a program without a fallback fails with "Region is missing"',
          properties: props,
        },
      ),
    );
  } else {
    out.push(
      result('region', 'Region', chosen.value, 'pass', 'info', `${chosen.value} from ${chosen.source}`, {
        properties: props,
      }),
    );
  }
  const defaultRegion = region.sources.find((s) => s.source === 'AWS_DEFAULT_REGION')?.value;
  if (
    defaultRegion &&
    region.jsSdk.value !== defaultRegion &&
    !region.sources.find((s) => s.source === 'AWS_REGION')?.value
  ) {
    out.push(
      result(
        'region-default-env',
        'Region',
        defaultRegion,
        'warn',
        'medium',
        `AWS_DEFAULT_REGION=${defaultRegion} is set but AWS_REGION is not: the AWS CLI uses ${defaultRegion}, the JavaScript v3 SDK ${region.jsSdk.value ? `uses ${region.jsSdk.value}` : 'finds no region'}`,
        { fix: `export AWS_REGION=${defaultRegion}` },
      ),
    );
  }
  const endpointRegion = endpoint ? regionOfEndpoint(endpoint) : undefined;
  if (endpointRegion && endpointRegion !== chosen.value) {
    out.push(
      result(
        'region-endpoint',
        'Region',
        chosen.value,
        'warn',
        'medium',
        `the endpoint override ${endpoint} is in ${endpointRegion}, the region is ${chosen.value}: requests are signed for ${chosen.value} and the endpoint rejects them`,
        { fix: `use --region ${endpointRegion}, or an endpoint in ${chosen.value}` },
      ),
    );
  }
  return out;
}
