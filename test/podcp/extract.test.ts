import assert from 'node:assert/strict';
import { chmod, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pack } from 'tar-stream';
import { KubeClient } from '../../src/kube/client.js';
import { copy } from '../../src/podcp/copy.js';
import { CopyError, EXIT_UNSAFE, UnsafeArchiveError } from '../../src/podcp/errors.js';
import { SafeWriter, safeEntryName } from '../../src/podcp/extract.js';
import { LocalSide } from '../../src/podcp/local.js';
import { RemoteSide } from '../../src/podcp/remote.js';
import { tempDir } from '../helpers/index.js';
import { FakeApiServer } from '../kube/fake-apiserver.js';

type Entry = {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  linkname?: string;
  body?: string;
};

/** A tar archive as a hostile container's `tar cf -` would send it. */
async function maliciousTar(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const ended = (async () => {
    for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header = { name: e.name, type, linkname: e.linkname, mode: type === 'directory' ? 0o755 : 0o644 };
    if (type === 'file') p.entry(header, e.body ?? 'x');
    else p.entry(header);
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/** Each kubectl cp traversal CVE, as the archive that exploited it. The copy asks for `data`. */
const CVES: { id: string; what: string; entries: Entry[] }[] = [
  {
    id: 'CVE-2018-1002100',
    what: 'a file name with ../ components',
    entries: [
      { name: 'data/', type: 'directory' },
      { name: 'data/../../../escaped-1', body: 'pwned' },
    ],
  },
  {
    id: 'CVE-2019-1002101',
    what: 'a symlink to an absolute directory, then a file written through it',
    entries: [
      { name: 'data/', type: 'directory' },
      { name: 'data/evil', type: 'symlink', linkname: '__OUTSIDE__' },
      { name: 'data/evil/escaped-2', body: 'pwned' },
    ],
  },
  {
    id: 'CVE-2019-11246',
    what: 'a relative symlink out of the destination, then a file through it',
    entries: [
      { name: 'data/', type: 'directory' },
      { name: 'data/up', type: 'symlink', linkname: '../../..' },
      { name: 'data/up/escaped-3', body: 'pwned' },
    ],
  },
  {
    id: 'CVE-2019-11249',
    what: 'a symlink whose target climbs out with ../',
    entries: [
      { name: 'data/', type: 'directory' },
      { name: 'data/link', type: 'symlink', linkname: '../../../../etc/passwd' },
    ],
  },
  {
    id: 'CVE-2019-11251',
    what: 'an absolute entry name and a hard link to a file outside',
    entries: [
      { name: 'data/', type: 'directory' },
      { name: 'data/hard', type: 'link', linkname: '../../outside-file' },
      { name: '/escaped-4', body: 'pwned' },
    ],
  },
];

describe('defensive extraction replays the kubectl cp CVEs', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let client: KubeClient;
  let outside: string;
  before(async () => {
    tmp = await tempDir('rampart-cp-cve-');
    outside = join(tmp.path, 'outside');
    await mkdir(outside);
    await writeFile(join(tmp.path, 'outside-file'), 'secret');
    // The hostile container: its `tar` sends the prepared archive whatever it is asked for.
    const bin = join(tmp.path, 'evil-bin');
    await mkdir(bin);
    await writeFile(join(bin, 'tar'), '#!/bin/sh\nexec cat "$EVIL_TAR"\n');
    await chmod(join(bin, 'tar'), 0o755);
    fake = await FakeApiServer.start({ pathDirs: [bin] });
    client = KubeClient.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
  });
  after(async () => {
    await fake.close();
    await tmp.cleanup();
  });

  for (const cve of CVES) {
    test(`${cve.id}: ${cve.what} is refused and nothing lands outside`, async () => {
      const pod = cve.id.toLowerCase();
      const root = fake.addPod(pod);
      await mkdir(join(root, 'data'));
      await writeFile(join(root, 'data', 'real.txt'), 'real');
      const entries = cve.entries.map((e) => ({
        ...e,
        linkname: e.linkname === '__OUTSIDE__' ? outside : e.linkname,
      }));
      const archive = join(tmp.path, `${pod}.tar`);
      await writeFile(archive, await maliciousTar(entries));
      fake.scenario.podEnv = (p) => (p.metadata.name === pod ? { EVIL_TAR: archive } : undefined);
      const dest = join(tmp.path, 'dest', pod, 'deep', 'er');
      await mkdir(dest, { recursive: true });
      const before = await snapshot(tmp.path);
      await assert.rejects(
        copy(
          new RemoteSide({ client, pod, namespace: 'default', compress: false }),
          'data',
          new LocalSide(),
          dest,
          { verify: false },
        ),
        (e: unknown) =>
          e instanceof UnsafeArchiveError &&
          e.exitCode === EXIT_UNSAFE &&
          /refusing archive entry/.test(e.message),
      );
      const afterCopy = (await snapshot(tmp.path)).filter((p) => !p.startsWith(join('dest', pod)));
      assert.deepEqual(
        afterCopy,
        before.filter((p) => !p.startsWith(join('dest', pod))),
        'nothing new outside the destination',
      );
      assert.deepEqual(await readdir(outside), []);
    });
  }

  test('names: absolute, .. and NUL refused; ./ and duplicate slashes normalised', () => {
    assert.equal(safeEntryName('./a//b/./c'), 'a/b/c');
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a/..', 'C:\\x', 'a\0b']) {
      assert.throws(() => safeEntryName(bad), CopyError, bad);
    }
  });

  test('a file whose own path is a pre-existing symlink is replaced, not followed', async () => {
    const root = join(tmp.path, 'replace');
    await mkdir(root);
    const { symlink, readFile } = await import('node:fs/promises');
    await symlink(join(tmp.path, 'outside-file'), join(root, 'f'));
    const { Readable } = await import('node:stream');
    await new SafeWriter(root).write(
      { name: 'f', type: 'file', size: 3, mode: 0o644 },
      Readable.from([Buffer.from('new')]),
    );
    assert.equal(await readFile(join(tmp.path, 'outside-file'), 'utf8'), 'secret');
    assert.equal((await lstat(join(root, 'f'))).isFile(), true);
  });
});

async function snapshot(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(join(dir, prefix)).catch(() => [] as string[])) {
    const rel = join(prefix, name);
    out.push(rel);
    const info = await lstat(join(dir, rel));
    if (info.isDirectory()) out.push(...(await snapshot(dir, rel)));
  }
  return out.sort();
}
