import {
  fromContainerMetadata,
  fromEnv,
  fromHttp,
  fromIni,
  fromInstanceMetadata,
  fromProcess,
  fromTokenFile,
} from '@aws-sdk/credential-providers';

type AwsCredentialIdentity = Awaited<ReturnType<ReturnType<typeof fromEnv>>>;

import type { ProfileDefinition } from './lint.js';
import { maskAccessKey } from './redact.js';

/** What happened to one link of the default chain, in the words `doctor` prints. */
export type LinkOutcome = 'chosen' | 'skipped' | 'failed' | 'not reached';

export interface ChainLink {
  /** The SDK provider function that was run (`fromEnv`, `fromIni`, ...). */
  provider: string;
  /** What the link stands for, e.g. "environment variables". */
  source: string;
  outcome: LinkOutcome;
  /** Why, in one line: the SDK's own error message, or what the link found. */
  reason: string;
  /** True when the SDK's error stops the chain (CredentialsProviderError with tryNextLink = false). */
  stopsChain?: boolean;
  /** The SDK's debug lines while the provider ran. */
  trace: string[];
  ms: number;
}

export interface ChosenCredentials {
  provider: string;
  source: string;
  credentials: AwsCredentialIdentity;
  /** `AKIA…WXYZ`: never the key itself. */
  maskedAccessKey: string;
  /** AKIA: long-term user key, ASIA: temporary (session) key. */
  keyKind: 'long-term' | 'temporary' | 'unknown';
}

export interface ChainReport {
  links: ChainLink[];
  chosen?: ChosenCredentials;
  /** The error a program would see from the default chain when nothing was chosen. */
  error?: string;
}

export interface ChainOptions {
  profile?: string;
  /** Per-provider limit: credential_process and remote endpoints can hang. */
  timeoutMs: number;
  /** Client settings for the STS calls providers make (AssumeRole, AssumeRoleWithWebIdentity). */
  stsClientConfig: { region?: string; endpoint?: string };
  profiles: Map<string, ProfileDefinition>;
  env: NodeJS.ProcessEnv;
}

type Provider = () => Promise<AwsCredentialIdentity>;

interface Link {
  provider: string;
  source: string;
  /** A reason to skip without running the provider, exactly where the SDK's default chain skips it. */
  skip?: () => string | undefined;
  /** Absent for links the default chain never runs on its own. */
  make?: (logger: TraceLogger) => Provider;
  /** Names the input the provider looked for, when the SDK's own message does not. */
  absent?: () => string | undefined;
}

class TraceLogger {
  readonly lines: string[] = [];
  debug = (...args: unknown[]) => this.lines.push(args.map(String).join(' '));
  info = this.debug;
  warn = this.debug;
  error = this.debug;
  trace = () => {};
}

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Timeout(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const isDisabled = (v: string | undefined) => v !== undefined && v !== '' && v !== 'false';

/**
 * The links of `@aws-sdk/credential-provider-node`'s defaultProvider, in its order and with its
 * gates (AWS_PROFILE turns the environment link off; the container link replaces IMDS when its
 * variables are set; AWS_EC2_METADATA_DISABLED turns IMDS off). Each link runs the SDK's own
 * provider function, so what it accepts or rejects is exactly what a program would see.
 */
function links(options: ChainOptions): Link[] {
  const { env, profile } = options;
  const common = { timeout: Math.min(options.timeoutMs, 2000), maxRetries: 0 };
  const profileName = profile ?? env.AWS_PROFILE ?? 'default';
  const profileDef = () => options.profiles.get(profileName);
  const containerSet = Boolean(
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI,
  );
  const list: Link[] = [
    {
      provider: 'fromEnv',
      source: 'environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN)',
      skip: () =>
        (profile ?? env.AWS_PROFILE)
          ? `a profile is selected (${profile ? '--profile' : 'AWS_PROFILE'}=${profileName}): the Node.js default chain then skips environment keys${env.AWS_ACCESS_KEY_ID ? ', although AWS_ACCESS_KEY_ID is set' : ''}`
          : undefined,
      absent: () =>
        !env.AWS_ACCESS_KEY_ID && !env.AWS_SECRET_ACCESS_KEY
          ? 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set'
          : undefined,
      make: (logger) => fromEnv({ logger }),
    },
    {
      provider: 'fromSSO',
      source: 'SSO parameters passed in code',
      skip: () =>
        'the Node.js default chain runs fromSSO only with SSO parameters given in code; SSO profiles are resolved by the shared-files link (fromIni)',
    },
    {
      provider: 'fromIni',
      source: `shared files, profile "${profileName}"`,
      absent: () =>
        profileDef()
          ? undefined
          : `profile "${profileName}" is in neither ${env.AWS_CONFIG_FILE ?? '~/.aws/config'} nor ${env.AWS_SHARED_CREDENTIALS_FILE ?? '~/.aws/credentials'}`,
      make: (logger) =>
        fromIni({ profile, logger, ignoreCache: true, clientConfig: options.stsClientConfig }),
    },
    {
      provider: 'fromProcess',
      source: `credential_process of profile "${profileName}"`,
      absent: () =>
        profileDef()?.keys.has('credential_process')
          ? undefined
          : `profile "${profileName}" has no credential_process`,
      make: (logger) => fromProcess({ profile, logger, ignoreCache: true }),
    },
    {
      provider: 'fromTokenFile',
      source: 'web identity (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN: IRSA)',
      absent: () => (env.AWS_WEB_IDENTITY_TOKEN_FILE ? undefined : 'AWS_WEB_IDENTITY_TOKEN_FILE is not set'),
      make: (logger) => fromTokenFile({ logger, clientConfig: options.stsClientConfig }),
    },
  ];
  if (containerSet) {
    list.push(
      {
        provider: 'fromHttp',
        source: `container credentials endpoint (ECS task role / EKS Pod Identity): ${env.AWS_CONTAINER_CREDENTIALS_FULL_URI ?? `169.254.170.2${env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}`}`,
        make: (logger) => fromHttp({ logger, ...common }),
      },
      {
        provider: 'fromContainerMetadata',
        source: 'container metadata (legacy ECS client)',
        make: (logger) => fromContainerMetadata({ logger, ...common }),
      },
    );
  } else {
    list.push({
      provider: 'fromInstanceMetadata',
      source: `EC2 instance metadata (IMDSv2) at ${env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? 'http://169.254.169.254'}`,
      skip: () =>
        isDisabled(env.AWS_EC2_METADATA_DISABLED)
          ? `AWS_EC2_METADATA_DISABLED=${env.AWS_EC2_METADATA_DISABLED}`
          : undefined,
      make: (logger) => fromInstanceMetadata({ logger, ...common }),
    });
  }
  return list;
}

export function keyKind(accessKeyId: string): ChosenCredentials['keyKind'] {
  if (accessKeyId.startsWith('AKIA')) return 'long-term';
  if (accessKeyId.startsWith('ASIA')) return 'temporary';
  return 'unknown';
}

/** Runs the default chain link by link and says what each one did. */
export async function walkCredentialChain(options: ChainOptions): Promise<ChainReport> {
  const report: ChainReport = { links: [] };
  let stopped = false;
  for (const link of links(options)) {
    const base = { provider: link.provider, source: link.source, trace: [] as string[], ms: 0 };
    if (report.chosen || stopped) {
      report.links.push({
        ...base,
        outcome: 'not reached',
        reason: report.chosen
          ? `${report.chosen.provider} was chosen first`
          : 'the chain stopped at an earlier error',
      });
      continue;
    }
    const skip = link.skip?.();
    if (skip || !link.make) {
      report.links.push({ ...base, outcome: 'skipped', reason: skip ?? 'not part of the default chain' });
      continue;
    }
    const logger = new TraceLogger();
    const started = performance.now();
    try {
      const credentials = await withTimeout(link.make(logger)(), options.timeoutMs, link.provider);
      report.links.push({
        ...base,
        trace: logger.lines,
        ms: Math.round(performance.now() - started),
        outcome: 'chosen',
        reason: describeChosen(credentials),
      });
      report.chosen = {
        provider: link.provider,
        source: link.source,
        credentials,
        maskedAccessKey: maskAccessKey(credentials.accessKeyId),
        keyKind: keyKind(credentials.accessKeyId),
      };
    } catch (error) {
      const err = error as Error & { tryNextLink?: boolean };
      const absent = link.absent?.();
      const stopsChain = err.tryNextLink === false;
      const timedOut = error instanceof Timeout;
      report.links.push({
        ...base,
        trace: logger.lines,
        ms: Math.round(performance.now() - started),
        outcome: absent && !stopsChain ? 'skipped' : 'failed',
        reason:
          absent && !stopsChain
            ? absent
            : timedOut
              ? `${err.message}; it may hang on every call a program makes`
              : oneLine(err.message),
        ...(stopsChain ? { stopsChain } : {}),
      });
      if (stopsChain) {
        stopped = true;
        report.error = oneLine(err.message);
      }
    }
  }
  if (!report.chosen && !report.error) report.error = 'Could not load credentials from any providers';
  return report;
}

function describeChosen(c: AwsCredentialIdentity): string {
  const parts = [`access key ${maskAccessKey(c.accessKeyId)} (${keyKind(c.accessKeyId)})`];
  if (c.sessionToken) parts.push('with a session token');
  if (c.expiration) parts.push(`expires ${c.expiration.toISOString()}`);
  return parts.join(', ');
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
