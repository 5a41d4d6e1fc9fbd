import { readFile, stat } from 'node:fs/promises';
import type { Result } from '../core/result.js';
import type { Severity } from '../core/severity.js';
import { type IniScan, type IniSection, position, scanIni } from './ini.js';

/** Keys the AWS CLI and SDKs read from a profile (shared config and credentials files reference). */
const PROFILE_KEYS = new Set([
  'region',
  'output',
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_account_id',
  'role_arn',
  'source_profile',
  'credential_source',
  'external_id',
  'mfa_serial',
  'role_session_name',
  'duration_seconds',
  'web_identity_token_file',
  'credential_process',
  'sso_session',
  'sso_start_url',
  'sso_region',
  'sso_account_id',
  'sso_role_name',
  'sso_registration_scopes',
  'login_session',
  'ca_bundle',
  'cli_pager',
  'cli_timestamp_format',
  'cli_binary_format',
  'cli_auto_prompt',
  'cli_history',
  'cli_follow_urlparam',
  'parameter_validation',
  'tcp_keepalive',
  'max_attempts',
  'retry_mode',
  'endpoint_url',
  'ignore_configured_endpoint_urls',
  'services',
  'use_dualstack_endpoint',
  'use_fips_endpoint',
  'defaults_mode',
  'ec2_metadata_service_endpoint',
  'ec2_metadata_service_endpoint_mode',
  'ec2_metadata_v1_disabled',
  'metadata_service_timeout',
  'metadata_service_num_attempts',
  'sts_regional_endpoints',
  's3_use_arn_region',
  'sdk_ua_app_id',
  'request_min_compression_size_bytes',
  'disable_request_compression',
  'account_id_endpoint_mode',
  'auth_scheme_preference',
  'sigv4a_signing_region_set',
  'request_checksum_calculation',
  'response_checksum_validation',
  'api_versions',
  's3',
  'dynamodb',
]);
const SSO_SESSION_KEYS = new Set(['sso_start_url', 'sso_region', 'sso_registration_scopes']);
const CREDENTIAL_KEYS = new Set([
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_account_id',
]);
const CREDENTIAL_SOURCES = new Set(['Environment', 'Ec2InstanceMetadata', 'EcsContainer']);

export interface ProfileDefinition {
  name: string;
  file: string;
  line: number;
  keys: Map<string, { value: string; line: number; file: string }>;
}

export interface SharedFiles {
  configFile: string;
  credentialsFile: string;
  configScan?: IniScan;
  credentialsScan?: IniScan;
  /** Profiles merged as the SDKs merge them: credentials-file keys win over config-file keys. */
  profiles: Map<string, ProfileDefinition>;
  ssoSessions: Map<string, ProfileDefinition>;
}

type Finding = Pick<Result, 'rule' | 'status' | 'message' | 'severity'> &
  Partial<Pick<Result, 'fix' | 'origin'>> & { name: string };

function profileName(
  file: 'config' | 'credentials',
  header: string,
): { kind: string; name: string } | undefined {
  if (file === 'credentials') return { kind: 'profile', name: header };
  if (header === 'default') return { kind: 'profile', name: 'default' };
  const m = /^(profile|sso-session|services)\s+(.+)$/.exec(header);
  if (!m) return undefined;
  return { kind: m[1], name: m[2] };
}

function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

async function readIfPresent(file: string): Promise<{ text: string; mode: number } | undefined> {
  try {
    const [text, st] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    return { text, mode: st.mode };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Reads and lints both shared files. The findings cover what the SDK loaders accept silently and
 * get wrong later: typos in keys, dangling or looping `source_profile`, duplicate sections (the
 * later one's keys win), secrets in `config`, and files other users can read.
 */
export async function lintSharedFiles(
  configFile: string,
  credentialsFile: string,
): Promise<{ files: SharedFiles; findings: Finding[] }> {
  const findings: Finding[] = [];
  const files: SharedFiles = {
    configFile,
    credentialsFile,
    profiles: new Map(),
    ssoSessions: new Map(),
  };
  for (const [which, file] of [
    ['config', configFile],
    ['credentials', credentialsFile],
  ] as const) {
    const read = await readIfPresent(file).catch((error: Error) => {
      findings.push({
        name: file,
        rule: 'file-unreadable',
        status: 'error',
        severity: 'medium',
        message: `cannot read ${file}: ${error.message}`,
      });
      return undefined;
    });
    if (!read) continue;
    const scan = scanIni(file, read.text);
    if (which === 'config') files.configScan = scan;
    else files.credentialsScan = scan;
    for (const p of scan.problems) {
      findings.push({
        name: which,
        rule: 'malformed-ini',
        status: 'fail',
        severity: 'high',
        message: p.message,
        origin: position(file, p.line, p.column),
        fix: 'the SDKs skip lines they cannot parse, so the setting silently has no effect',
      });
    }
    checkMode(file, read.mode, which, scan, findings);
    lintSections(which, scan, files, findings);
  }
  lintReferences(files, findings);
  return { files, findings };
}

function checkMode(file: string, mode: number, which: string, scan: IniScan, findings: Finding[]): void {
  const holdsSecrets = scan.sections.some((s) =>
    s.entries.some((e) => e.key === 'aws_secret_access_key' || e.key === 'aws_session_token'),
  );
  if ((mode & 0o004) !== 0) {
    findings.push({
      name: which,
      rule: 'world-readable',
      status: holdsSecrets ? 'fail' : 'warn',
      severity: holdsSecrets ? 'high' : 'low',
      message: `${file} is readable by every user on this machine (mode ${(mode & 0o777).toString(8)})${holdsSecrets ? ' and holds secret keys' : ''}`,
      fix: `chmod 600 ${file}`,
      origin: position(file, 1),
    });
  } else if (holdsSecrets && which === 'credentials' && (mode & 0o040) !== 0) {
    findings.push({
      name: which,
      rule: 'group-readable',
      status: 'warn',
      severity: 'medium',
      message: `${file} holds secret keys and is readable by its group (mode ${(mode & 0o777).toString(8)})`,
      fix: `chmod 600 ${file}`,
      origin: position(file, 1),
    });
  }
}

function lintSections(
  which: 'config' | 'credentials',
  scan: IniScan,
  files: SharedFiles,
  findings: Finding[],
): void {
  const seen = new Map<string, IniSection>();
  for (const section of scan.sections) {
    const file = scan.file;
    const parsed = profileName(which, section.header);
    if (!parsed) {
      findings.push({
        name: section.header,
        rule: 'section-ignored',
        status: 'fail',
        severity: 'medium',
        message: `[${section.header}] in the config file is ignored: profiles there are written [profile ${section.header}] (only [default] has no prefix)`,
        fix: `rename the section to [profile ${section.header}]`,
        origin: position(file, section.line),
      });
      continue;
    }
    if (which === 'credentials' && /^profile\s/.test(section.header)) {
      findings.push({
        name: section.header,
        rule: 'section-prefix',
        status: 'warn',
        severity: 'medium',
        message: `[${section.header}] in the credentials file defines a profile literally named "${section.header}"; the credentials file takes no "profile " prefix`,
        fix: `rename the section to [${section.header.replace(/^profile\s+/, '')}]`,
        origin: position(file, section.line),
      });
    }
    const id = `${parsed.kind} ${parsed.name}`;
    const earlier = seen.get(id);
    if (earlier) {
      findings.push({
        name: parsed.name,
        rule: 'duplicate-section',
        status: 'warn',
        severity: 'medium',
        message: `[${section.header}] is defined again (first at line ${earlier.line}); the SDKs merge both and the later value of a repeated key wins`,
        fix: 'keep one section per profile',
        origin: position(file, section.line),
      });
    } else {
      seen.set(id, section);
    }
    if (parsed.kind === 'services') continue;
    const target = parsed.kind === 'sso-session' ? files.ssoSessions : files.profiles;
    let def = target.get(parsed.name);
    if (!def) {
      def = { name: parsed.name, file, line: section.line, keys: new Map() };
      target.set(parsed.name, def);
    }
    const allowed = parsed.kind === 'sso-session' ? SSO_SESSION_KEYS : PROFILE_KEYS;
    for (const entry of section.entries) {
      if (entry.nested) continue;
      const key = entry.key;
      if (!allowed.has(key)) {
        const suggestion = closest(key, allowed);
        findings.push({
          name: parsed.name,
          rule: 'unknown-key',
          status: 'warn',
          severity: suggestion ? 'medium' : 'low',
          message: `unknown key "${key}" in [${section.header}]${suggestion ? `: did you mean "${suggestion}"?` : ''}`,
          fix: suggestion ? `rename it to ${suggestion}` : 'remove it; no AWS SDK reads it',
          origin: position(file, entry.line),
        });
      }
      if (which === 'config' && (key === 'aws_secret_access_key' || key === 'aws_session_token')) {
        findings.push({
          name: parsed.name,
          rule: 'secret-in-config',
          status: 'warn',
          severity: 'medium',
          message: `${key} of profile "${parsed.name}" is in the config file; secrets belong in the credentials file (mode 600), config is often shared or committed`,
          fix: `move the keys to [${parsed.name}] in ${files.credentialsFile}`,
          origin: position(file, entry.line),
        });
      }
      if (which === 'credentials' && !CREDENTIAL_KEYS.has(key) && allowed.has(key)) {
        findings.push({
          name: parsed.name,
          rule: 'setting-in-credentials',
          status: 'warn',
          severity: 'low',
          message: `"${key}" of profile "${parsed.name}" is in the credentials file; some tools read only credentials from it`,
          fix: `move it to [profile ${parsed.name}] in ${files.configFile}`,
          origin: position(file, entry.line),
        });
      }
      // Credentials file values win over config values for the same profile, as in the SDKs.
      if (which === 'credentials' || !def.keys.has(key) || def.file === file) {
        def.keys.set(key, { value: entry.value, line: entry.line, file });
      }
    }
  }
}

function lintReferences(files: SharedFiles, findings: Finding[]): void {
  for (const profile of files.profiles.values()) {
    const get = (k: string) => profile.keys.get(k);
    const at = (k: string) => {
      const e = get(k);
      return e ? position(e.file, e.line) : position(profile.file, profile.line);
    };
    const add = (rule: string, severity: Severity, message: string, fix: string, key: string) =>
      findings.push({
        name: profile.name,
        rule,
        status: 'fail',
        severity,
        message,
        fix,
        origin: at(key),
      });
    const source = get('source_profile')?.value;
    const role = get('role_arn')?.value;
    if (source !== undefined && !files.profiles.has(source)) {
      add(
        'missing-source-profile',
        'high',
        `profile "${profile.name}" has source_profile = ${source}, but no profile "${source}" exists`,
        `define [profile ${source}] or fix the name`,
        'source_profile',
      );
    }
    if (source !== undefined && get('credential_source')) {
      add(
        'conflicting-source',
        'high',
        `profile "${profile.name}" sets both source_profile and credential_source; the SDKs reject it`,
        'keep one of them',
        'credential_source',
      );
    }
    const credentialSource = get('credential_source')?.value;
    if (credentialSource !== undefined && !CREDENTIAL_SOURCES.has(credentialSource)) {
      add(
        'bad-credential-source',
        'high',
        `credential_source = ${credentialSource} in profile "${profile.name}"; valid values: ${[...CREDENTIAL_SOURCES].join(', ')}`,
        'use one of the valid values',
        'credential_source',
      );
    }
    if (role && source === undefined && !credentialSource && !get('web_identity_token_file')) {
      add(
        'role-without-source',
        'high',
        `profile "${profile.name}" has role_arn but nothing to assume it with (source_profile, credential_source or web_identity_token_file)`,
        'add source_profile = <profile with credentials>',
        'role_arn',
      );
    }
    if (source !== undefined && !role) {
      add(
        'source-without-role',
        'medium',
        `profile "${profile.name}" has source_profile but no role_arn; the SDKs ignore source_profile then`,
        'add role_arn, or remove source_profile',
        'source_profile',
      );
    }
    const session = get('sso_session')?.value;
    if (session !== undefined && !files.ssoSessions.has(session)) {
      add(
        'missing-sso-session',
        'high',
        `profile "${profile.name}" has sso_session = ${session}, but there is no [sso-session ${session}] section`,
        `add [sso-session ${session}] with sso_start_url and sso_region to ${files.configFile}`,
        'sso_session',
      );
    }
    if (get('aws_access_key_id') && !get('aws_secret_access_key')) {
      add(
        'incomplete-keys',
        'high',
        `profile "${profile.name}" has aws_access_key_id without aws_secret_access_key`,
        'add the secret key, or remove the access key',
        'aws_access_key_id',
      );
    }
  }
  for (const cycle of sourceProfileCycles(files.profiles)) {
    const first = files.profiles.get(cycle[0])!;
    const e = first.keys.get('source_profile')!;
    findings.push({
      name: cycle[0],
      rule: 'source-profile-cycle',
      status: 'fail',
      severity: 'high',
      message: `source_profile loop: ${[...cycle, cycle[0]].join(' → ')}`,
      fix: 'end the chain at a profile with long-term keys or credential_source',
      origin: position(e.file, e.line),
    });
  }
}

/**
 * Loops of `source_profile`. A profile naming itself is allowed when it has its own keys (the
 * SDKs then use those keys to assume its role), as the CLI documents.
 */
export function sourceProfileCycles(profiles: Map<string, ProfileDefinition>): string[][] {
  const cycles: string[][] = [];
  const reported = new Set<string>();
  for (const start of profiles.keys()) {
    const path: string[] = [];
    let name: string | undefined = start;
    while (name !== undefined && profiles.has(name)) {
      const index = path.indexOf(name);
      if (index >= 0) {
        const cycle = path.slice(index);
        const selfWithKeys = cycle.length === 1 && profiles.get(name)!.keys.has('aws_access_key_id');
        const key = [...cycle].sort().join('\0');
        if (!selfWithKeys && !reported.has(key)) {
          reported.add(key);
          cycles.push(cycle);
        }
        break;
      }
      path.push(name);
      const p: ProfileDefinition = profiles.get(name)!;
      if (p.keys.has('aws_access_key_id') && path.length > 1) break;
      name = p.keys.get('source_profile')?.value;
    }
  }
  return cycles;
}
