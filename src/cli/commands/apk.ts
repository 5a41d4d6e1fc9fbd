import { userInfo } from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { loadCredentials } from '../../apk/auth.js';
import { buildPackage, packageFileName } from '../../apk/build.js';
import { clientSetup } from '../../apk/client.js';
import { indexDirectory } from '../../apk/indexer.js';
import { generateKeys } from '../../apk/keygen.js';
import { nginxConfig } from '../../apk/nginx.js';
import { publish } from '../../apk/publish.js';
import { createS3Client } from '../../apk/s3-client.js';
import { publishToS3 } from '../../apk/s3-publish.js';
import { parseS3Url } from '../../apk/s3-target.js';
import { startRepoServer } from '../../apk/serve.js';
import { loadSigningKey, SIGNATURE_TYPES, type SignatureType, type SigningKey } from '../../apk/sign.js';
import { signFile } from '../../apk/sign-file.js';
import { verifyFile } from '../../apk/verify.js';
import { isValidVersion, versionRelation } from '../../apk/version.js';
import { isUserError, UserError } from '../../core/errors.js';
import { renderJsonDocument } from '../../report/json.js';
import { type FlagSpec, intFlag, oneOf, parseFlags } from '../flags.js';
import { checkOutputFile } from '../output-path.js';

type Values = Record<string, string | boolean | string[] | undefined>;

const USAGE = `Usage: rampart apk <subcommand> [options]

Private Alpine Linux (apk v2) repositories.

Subcommands:
  keygen          create an RSA signing key pair named like abuild-keygen's
  build DIR       build a .apk from a staging directory
  index DIR       write DIR/APKINDEX.tar.gz for the .apk files in DIR
  sign FILE       sign an index or a package
  verify FILE     verify an index or a package against trusted public keys
  publish DIR     place packages into ROOT/<branch>/<repo>/<arch>/ and refresh the indexes (--to s3://)
  serve ROOT      serve a repository tree over HTTP(S)
  nginx-config    print the equivalent nginx configuration
  client-setup    print the client steps and a Dockerfile snippet
  version-compare compare two versions in apk's order

Run "rampart apk <subcommand> --help" for its options.`;

const HELP: Record<string, string> = {
  keygen: `Usage: rampart apk keygen [--name NAME] [--out DIR] [--bits N]

Writes NAME-<8 hex>.rsa (mode 0600) and NAME-<8 hex>.rsa.pub (PEM) into DIR (default: .).
NAME defaults to $PACKAGER_EMAIL or the user name. Existing files are never overwritten.`,
  build: `Usage: rampart apk build DIR --name N --version V --arch A [options] -o OUT.apk

  --description D, --url U, --license L, --origin O, --maintainer M, --commit SHA
  --depends 'a b>=1.2'   dependencies (repeatable, space separated)
  --provides 'cmd:x=1'   provides (repeatable)
  --replaces 'old'       replaces (repeatable)
  --install-if 'a b'     install_if condition
  --key PRIVATE.rsa      sign the package (repeatable); --sign-type RSA|RSA256|RSA512 (default RSA256)
  -o, --out OUT.apk      output file (default: N-V.apk in the current directory)
Mtimes and builddate come from SOURCE_DATE_EPOCH (else the newest mtime in DIR).`,
  index: `Usage: rampart apk index DIR [--key PRIVATE.rsa] [--description TEXT] [--arch A] [--old-index FILE]
                          [--keys-dir DIR] [-o FILE]

Indexes every .apk in DIR. The arch is --arch, else DIR's name when it is an Alpine arch, else the
packages' own; a package of another arch is rejected, noarch packages get the directory's arch.
--old-index reuses records whose size and checksum are unchanged (default output: DIR/APKINDEX.tar.gz).
--keys-dir requires every package to carry a signature trusted there, as apk index does.`,
  sign: `Usage: rampart apk sign FILE --key PRIVATE.rsa [--key OTHER.rsa] [--sign-type RSA|RSA256|RSA512]

Signs an APKINDEX.tar.gz or a .apk in place, replacing existing signatures. With several keys every
signature covers the unsigned content, so clients trusting any one of the keys accept it.`,
  verify: `Usage: rampart apk verify FILE... [--keys-dir DIR] [--json]

Checks signatures as apk does (the first signature whose key name exists in DIR decides) and, for
packages, the datahash and every file's checksum. Exit 1 when anything fails (a truncated or
unparseable file included), 2 when a file cannot be opened.

Options:
      --keys-dir DIR      trusted public keys (default /etc/apk/keys, as apk)
      --json              print the results as JSON`,
  publish: `Usage: rampart apk publish DIR --repo ROOT --branch BRANCH --name REPO [--key PRIVATE.rsa] [--arch A] [--description TEXT]
       rampart apk publish [DIR] --to s3://BUCKET/PREFIX --branch BRANCH --name REPO [--repo ROOT]
                           [--endpoint-url URL] [--region R] [--profile P] [--dry-run] [--delete]

Copies packages into ROOT/BRANCH/REPO/<arch>/ (noarch ones into every --arch, or every existing arch
directory) and rewrites each touched index atomically.

With --to, the repository is then mirrored to s3://BUCKET/PREFIX/BRANCH/REPO/<arch>/: packages first,
indexes last, sha256-checked, unchanged objects skipped, Cache-Control and Content-Type as apk serve
sends them. --repo ROOT is the local mirror; without it the remote repository is pulled first.
--delete removes remote packages the new indexes no longer list; --dry-run only prints the plan.
Credentials and region come from the AWS SDK's default chains (see rampart aws doctor).`,
  serve: `Usage: rampart apk serve ROOT [--host 127.0.0.1] [--port 8080] [--basic-auth-file F]
                          [--tls-cert CERT --tls-key KEY] [--listing] [--quiet]

.apk: Cache-Control public, 30 days, immutable; APKINDEX.tar.gz: no-store. ETag, Last-Modified,
Range. Never serves *.rsa/*.key files or dot files. Access log on stdout unless --quiet.`,
  'nginx-config': `Usage: rampart apk nginx-config ROOT --server-name NAME [--listen L] [--tls-cert C --tls-key K]
                                  [--basic-auth-file F] [--listing]`,
  'client-setup': `Usage: rampart apk client-setup URL --key KEY.rsa.pub [--package P]... [--tag TAG]

URL is the repository line: <base>/<branch>/<repo>.`,
  'version-compare': `Usage: rampart apk version-compare A B

Prints "A < B", "A = B" or "A > B" in apk's version order.`,
};

function parse(sub: string, argv: string[], options: FlagSpec) {
  return parseFlags<Values>(argv, { help: { type: 'boolean', short: 'h' }, ...options }, `apk ${sub}`);
}

const str = (v: Values[string]): string | undefined => (typeof v === 'string' ? v : undefined);
const list = (v: Values[string]): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);

function required(values: Values, name: string, sub: string): string {
  const v = str(values[name]);
  if (v === undefined || v === '') throw new UserError(`apk ${sub}: --${name} is required`);
  return v;
}

function one(positionals: string[], what: string, sub: string): string {
  if (positionals.length !== 1) throw new UserError(`apk ${sub}: expected one ${what}`);
  return positionals[0];
}

function keys(values: Values): SigningKey[] {
  const type = oneOf(str(values['sign-type']), 'sign-type', SIGNATURE_TYPES, 'RSA256') as SignatureType;
  return list(values.key).map((k) => loadSigningKey(k, type));
}

const KEY_FLAGS: FlagSpec = { key: { type: 'string', multiple: true }, 'sign-type': { type: 'string' } };

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  async keygen(argv) {
    const { values } = parse('keygen', argv, {
      name: { type: 'string' },
      out: { type: 'string' },
      bits: { type: 'string' },
    });
    if (values.help) return help('keygen');
    const r = await generateKeys({
      name: str(values.name) ?? process.env.PACKAGER_EMAIL ?? userInfo().username,
      outDir: str(values.out) ?? '.',
      bits: intFlag(str(values.bits), 'bits', 4096),
    });
    out(
      `private key: ${r.privateKey}\npublic key:  ${r.publicKey}\nclients install it as /etc/apk/keys/${r.keyName}`,
    );
    return 0;
  },

  async build(argv) {
    const { values, positionals } = parse('build', argv, {
      name: { type: 'string' },
      version: { type: 'string' },
      arch: { type: 'string' },
      description: { type: 'string' },
      url: { type: 'string' },
      license: { type: 'string' },
      depends: { type: 'string', multiple: true },
      provides: { type: 'string', multiple: true },
      replaces: { type: 'string', multiple: true },
      'install-if': { type: 'string', multiple: true },
      origin: { type: 'string' },
      maintainer: { type: 'string' },
      commit: { type: 'string' },
      out: { type: 'string', short: 'o' },
      ...KEY_FLAGS,
    });
    if (values.help) return help('build');
    const dir = one(positionals, 'staging directory', 'build');
    checkOutputFile(str(values.out), '--out', 'apk build');
    const name = required(values, 'name', 'build');
    const version = required(values, 'version', 'build');
    const split = (v: Values[string]) => list(v).flatMap((s) => s.split(/\s+/).filter(Boolean));
    const r = await buildPackage({
      dir,
      out: str(values.out) ?? packageFileName(name, version),
      name,
      version,
      arch: required(values, 'arch', 'build'),
      description: str(values.description),
      url: str(values.url),
      license: str(values.license),
      depends: split(values.depends),
      provides: split(values.provides),
      replaces: split(values.replaces),
      installIf: split(values['install-if']),
      origin: str(values.origin),
      maintainer: str(values.maintainer),
      commit: str(values.commit),
      keys: keys(values),
    });
    out(
      `${r.file}: ${r.pkginfo.pkgname}-${r.pkginfo.pkgver} ${r.pkginfo.arch}, ${r.files} files, ${r.size} bytes, ${r.identity}`,
    );
    return 0;
  },

  async index(argv) {
    const { values, positionals } = parse('index', argv, {
      description: { type: 'string', short: 'd' },
      arch: { type: 'string' },
      'old-index': { type: 'string' },
      'keys-dir': { type: 'string' },
      out: { type: 'string', short: 'o' },
      ...KEY_FLAGS,
    });
    if (values.help) return help('index');
    const dir = one(positionals, 'directory', 'index');
    checkOutputFile(str(values.out), '--out', 'apk index');
    const r = await indexDirectory({
      dir,
      arch: str(values.arch),
      description: str(values.description),
      oldIndex: str(values['old-index']),
      trustedKeysDir: str(values['keys-dir']),
      out: str(values.out),
      keys: keys(values),
    });
    out(`${r.out}: ${r.records.length} packages (${r.reused} reused), ${r.bytes} bytes`);
    return 0;
  },

  async sign(argv) {
    const { values, positionals } = parse('sign', argv, KEY_FLAGS);
    if (values.help) return help('sign');
    const file = one(positionals, 'file', 'sign');
    const k = keys(values);
    if (k.length === 0) throw new UserError('apk sign: --key is required');
    const kind = await signFile(file, k, Math.floor(Date.now() / 1000));
    out(`${file}: ${kind} signed with ${k.map((x) => `${x.type}/${x.keyName}`).join(', ')}`);
    return 0;
  },

  async verify(argv) {
    const { values, positionals } = parse('verify', argv, {
      'keys-dir': { type: 'string' },
      json: { type: 'boolean' },
    });
    if (values.help) return help('verify');
    if (positionals.length === 0) throw new UserError('apk verify: expected at least one file');
    const keysDir = str(values['keys-dir']) ?? '/etc/apk/keys';
    const results = [];
    // A package or index that cannot be parsed (truncated, not a gzip/tar stream) fails verification
    // (exit 1), as a modified one does; a file that cannot be opened stays an input error.
    const broken: { file: string; ok: false; error: string }[] = [];
    for (const file of positionals) {
      try {
        results.push(await verifyFile(file, keysDir));
      } catch (error) {
        if (!isUserError(error) || /^cannot (open|read) /.test(error.message)) throw error;
        broken.push({ file, ok: false, error: error.message });
      }
    }
    if (values.json) {
      out(renderJsonDocument([...results, ...broken]));
    } else {
      for (const b of broken) out(`${b.file}: FAILED\n  ${b.error}`);
      for (const r of results) {
        const lines = [`${r.file}: ${r.ok ? 'OK' : 'FAILED'}`, `  ${r.signature.message}`];
        if (r.kind === 'package') {
          lines.push(`  package ${r.name}-${r.version} ${r.identity}`);
          lines.push(
            `  datahash: ${r.datahash === 'ok' ? 'OK' : r.datahash === 'missing' ? 'missing (legacy package)' : 'MISMATCH: the data part was modified'}`,
          );
          lines.push(`  files: ${r.files} checked`);
          for (const f of r.badChecksums) lines.push(`  checksum mismatch: ${f}`);
          for (const f of r.missingChecksums) lines.push(`  no embedded checksum: ${f}`);
        } else {
          lines.push(`  ${r.packages} packages${r.description ? `, "${r.description}"` : ''}`);
        }
        out(lines.join('\n'));
      }
    }
    return broken.length === 0 && results.every((r) => r.ok) ? 0 : 1;
  },

  async publish(argv) {
    const { values, positionals } = parse('publish', argv, {
      repo: { type: 'string' },
      branch: { type: 'string' },
      name: { type: 'string' },
      arch: { type: 'string', multiple: true },
      description: { type: 'string' },
      to: { type: 'string' },
      'endpoint-url': { type: 'string' },
      region: { type: 'string' },
      profile: { type: 'string' },
      'dry-run': { type: 'boolean' },
      delete: { type: 'boolean' },
      ...KEY_FLAGS,
    });
    if (values.help) return help('publish');
    if (str(values.to) !== undefined) return publishS3(values, positionals);
    if (values['dry-run'] || values.delete)
      throw new UserError('apk publish: --dry-run and --delete go with --to s3://...');
    const r = await publish({
      source: one(positionals, 'package directory', 'publish'),
      root: required(values, 'repo', 'publish'),
      branch: required(values, 'branch', 'publish'),
      repo: required(values, 'name', 'publish'),
      arches: list(values.arch),
      description: str(values.description),
      keys: keys(values),
    });
    for (const f of r.copied) out(`added ${f}`);
    for (const f of r.unchanged) out(`unchanged ${f}`);
    for (const i of r.indexes) out(`${i.out}: ${i.records.length} packages`);
    return 0;
  },

  async serve(argv) {
    const { values, positionals } = parse('serve', argv, {
      host: { type: 'string' },
      port: { type: 'string' },
      'basic-auth-file': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      listing: { type: 'boolean' },
      quiet: { type: 'boolean' },
    });
    if (values.help) return help('serve');
    const cert = str(values['tls-cert']);
    const key = str(values['tls-key']);
    if ((cert === undefined) !== (key === undefined))
      throw new UserError('apk serve: --tls-cert and --tls-key go together');
    const authFile = str(values['basic-auth-file']);
    const running = await startRepoServer({
      root: one(positionals, 'repository root', 'serve'),
      host: str(values.host) ?? '127.0.0.1',
      port: intFlag(str(values.port), 'port', 8080),
      credentials: authFile ? loadCredentials(authFile) : undefined,
      tls: cert && key ? { cert, key } : undefined,
      listing: values.listing === true,
      accessLog: values.quiet ? undefined : process.stdout,
    });
    process.stderr.write(`serving ${positionals[0]} on ${running.url}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await running.close();
    return 0;
  },

  async 'nginx-config'(argv) {
    const { values, positionals } = parse('nginx-config', argv, {
      'server-name': { type: 'string' },
      listen: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'basic-auth-file': { type: 'string' },
      listing: { type: 'boolean' },
    });
    if (values.help) return help('nginx-config');
    // nginx resolves relative paths against its own prefix, not the directory this runs in.
    const absolute = (p: string | undefined) => (p === undefined ? undefined : resolvePath(p));
    out(
      nginxConfig({
        root: resolvePath(one(positionals, 'repository root', 'nginx-config')),
        serverName: required(values, 'server-name', 'nginx-config'),
        listen: str(values.listen),
        tlsCert: absolute(str(values['tls-cert'])),
        tlsKey: absolute(str(values['tls-key'])),
        basicAuthFile: absolute(str(values['basic-auth-file'])),
        listing: values.listing === true,
      }),
    );
    return 0;
  },

  async 'client-setup'(argv) {
    const { values, positionals } = parse('client-setup', argv, {
      key: { type: 'string' },
      package: { type: 'string', multiple: true },
      tag: { type: 'string' },
    });
    if (values.help) return help('client-setup');
    out(
      clientSetup({
        url: one(positionals, 'repository URL', 'client-setup'),
        keyFile: required(values, 'key', 'client-setup'),
        packages: list(values.package),
        tag: str(values.tag),
      }),
    );
    return 0;
  },

  async 'version-compare'(argv) {
    const { values, positionals } = parse('version-compare', argv, {});
    if (values.help) return help('version-compare');
    if (positionals.length !== 2) throw new UserError('apk version-compare: expected two versions');
    const [a, b] = positionals;
    for (const v of [a, b]) {
      if (!isValidVersion(v))
        process.stderr.write(`warning: "${v}" is not a valid apk version; the order is not meaningful\n`);
    }
    out(`${a} ${versionRelation(a, b)} ${b}`);
    return 0;
  },
};

async function publishS3(values: Values, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new UserError('apk publish: expected at most one package directory');
  const target = parseS3Url(str(values.to)!);
  const endpoint = str(values['endpoint-url']);
  if (endpoint !== undefined && !/^https?:\/\/[^/]/.test(endpoint))
    throw new UserError(`apk publish: --endpoint-url must be an http(s) URL; got "${endpoint}"`);
  // The pinned SDK runs on Node 20; its notice is about SDK releases after January 2027, not this one.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const branch = required(values, 'branch', 'publish');
  const name = required(values, 'name', 'publish');
  const source = positionals[0];
  const signing = keys(values);
  const client = createS3Client({ endpoint, region: str(values.region), profile: str(values.profile) });
  try {
    const r = await publishToS3({
      client,
      target,
      branch,
      repo: name,
      root: str(values.repo),
      dryRun: values['dry-run'] === true,
      delete: values.delete === true,
      log: out,
      publishLocal: source
        ? async (root) => {
            const p = await publish({
              source,
              root,
              branch,
              repo: name,
              arches: list(values.arch),
              description: str(values.description),
              keys: signing,
            });
            for (const f of p.copied) out(`added ${f}`);
          }
        : undefined,
    });
    out(
      r.dryRun
        ? `dry run: would upload ${r.uploaded.length}, ${r.unchanged.length} unchanged, would delete ${r.deleted.length}`
        : `${r.uploaded.length} uploaded, ${r.unchanged.length} unchanged, ${r.deleted.length} deleted${r.pulled ? ` (${r.pulled} objects pulled first)` : ''}`,
    );
    return 0;
  } finally {
    client.destroy();
  }
}

function help(sub: string): number {
  out(HELP[sub]);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out(USAGE);
    return sub === undefined ? 2 : 0;
  }
  const fn = SUBCOMMANDS[sub];
  if (!fn) throw new UserError(`apk: unknown subcommand "${sub}"\n${USAGE}`);
  return fn(rest);
}
