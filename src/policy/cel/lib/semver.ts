/** Kubernetes' semver library (version 1): semver(), isSemver(), accessors and comparisons. */
import type { Environment } from '@marcbachmann/cel-js';
import { compareVersions, parseVersion } from '../../vars/semver.js';
import { evalError } from './util.js';

type Version = NonNullable<ReturnType<typeof parseVersion>>;

export class CelSemver {
  constructor(
    readonly v: Version,
    readonly text: string,
  ) {}
  toString(): string {
    return this.text;
  }
}

/** semver.Parse, or with normalize: "v" prefix dropped and missing minor/patch filled with 0. */
function normalise(s: string): string {
  let t = s.startsWith('v') ? s.slice(1) : s;
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(.*)$/.exec(t);
  if (m && (m[2] === undefined || m[3] === undefined)) t = `${m[1]}.${m[2] ?? '0'}.${m[3] ?? '0'}${m[4]}`;
  return t;
}

function parse(s: string, normalize = false): CelSemver {
  const text = normalize ? normalise(s) : s;
  const v = parseVersion(text);
  if (!v) throw evalError(`could not parse ${JSON.stringify(s)} as semver`);
  return new CelSemver(v, text);
}

export function registerSemver(env: Environment): void {
  env.registerType('Semver', CelSemver);
  env.registerFunction('semver(string): Semver', (s: string) => parse(s));
  env.registerFunction('semver(string, bool): Semver', (s: string, n: boolean) => parse(s, n));
  env.registerFunction('isSemver(string): bool', (s: string) => parseVersion(s) !== undefined);
  env.registerFunction(
    'isSemver(string, bool): bool',
    (s: string, n: boolean) => parseVersion(n ? normalise(s) : s) !== undefined,
  );
  env.registerFunction('Semver.major(): int', (a: CelSemver) => a.v.major);
  env.registerFunction('Semver.minor(): int', (a: CelSemver) => a.v.minor);
  env.registerFunction('Semver.patch(): int', (a: CelSemver) => a.v.patch);
  env.registerFunction(
    'Semver.isLessThan(Semver): bool',
    (a: CelSemver, b: CelSemver) => compareVersions(a.v, b.v) < 0,
  );
  env.registerFunction(
    'Semver.isGreaterThan(Semver): bool',
    (a: CelSemver, b: CelSemver) => compareVersions(a.v, b.v) > 0,
  );
  env.registerFunction('Semver.compareTo(Semver): int', (a: CelSemver, b: CelSemver) =>
    BigInt(compareVersions(a.v, b.v)),
  );
  env.registerOperator('Semver == Semver', (a: CelSemver, b: CelSemver) => compareVersions(a.v, b.v) === 0);
  env.registerFunction('string(Semver): string', (a: CelSemver) => a.text);
}
