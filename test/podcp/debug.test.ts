import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runRampart, tempDir } from '../helpers/index.js';
import { FakeApiServer } from '../kube/fake-apiserver.js';

/**
 * A distroless-like container: the fake answers every exec in `app` as the runtime does when the image has
 * no shell. Only the ephemeral debug container can run commands. The debug container shares the target's
 * process namespace in a real cluster; here its processes run on this machine, so `--debug-target-pid self`
 * points /proc/PID/root at this machine's root, the same filesystem the fake pod's scratch root lives in.
 */
const NO_SHELL = {
  status: {
    status: 'Failure',
    reason: 'InternalError',
    message:
      'OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in $PATH: unknown',
  },
};

interface PodView {
  spec: {
    ephemeralContainers?: {
      name: string;
      image: string;
      targetContainerName?: string;
      command?: string[];
      securityContext?: unknown;
    }[];
  };
}

describe('rampart cp --debug-image against the fake API server (distroless container)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let kubeconfig: string;
  let root: string;
  const markers: string[] = [];
  before(async () => {
    tmp = await tempDir('rampart-cp-debug-');
    fake = await FakeApiServer.start({
      onExec: (ctx) => (ctx.container === 'app' ? NO_SHELL : undefined),
    });
    root = fake.addPod('api', { namespace: 'prod', containers: ['app'] });
    kubeconfig = fake.writeKubeconfig(tmp.path);
    await writeFile(join(root, 'settings.json'), '{"debug":false}\n');
  });
  after(async () => {
    for (const marker of markers) rmSync(marker, { force: true });
    await fake.close();
    await tmp.cleanup();
  });

  const ephemeral = async () => {
    const res = await fetch(`${fake.url}/api/v1/namespaces/prod/pods/api`);
    return ((await res.json()) as PodView).spec.ephemeralContainers ?? [];
  };

  test('without --debug-image a shell-less container is exit 8 and the message names the flag', async () => {
    const r = await runRampart([
      'cp',
      'prod/api:settings.json',
      join(tmp.path, 'x'),
      '--kubeconfig',
      kubeconfig,
    ]);
    assert.equal(r.code, 8, r.stderr);
    assert.match(r.stderr, /no shell.*--debug-image/);
  });

  test('an absolute path is read through /proc/PID/root of the debug container, then the container is ended', async () => {
    const before = fake.execs.length;
    const r = await runRampart([
      'cp',
      `prod/api:${join(root, 'settings.json')}`,
      join(tmp.path, 'settings.json'),
      '--debug-image',
      'busybox:1.36',
      '--debug-target-pid',
      'self',
      '--kubeconfig',
      kubeconfig,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /through debug container rampart-cp-[0-9a-f]{6}/);
    assert.equal(await readFile(join(tmp.path, 'settings.json'), 'utf8'), '{"debug":false}\n');
    const [debug] = await ephemeral();
    assert.ok(debug);
    assert.equal(debug.image, 'busybox:1.36');
    assert.equal(debug.targetContainerName, 'app');
    assert.equal(debug.securityContext, undefined);
    const used = fake.execs.slice(before);
    assert.ok(used.length > 0);
    assert.ok(used.every((e) => e.container === debug.name));
    assert.ok(used.some((e) => e.command.join(' ').includes(`/proc/self/root${root}`)));
    // The last exec ends the idle loop by creating the marker the container's command waits for.
    const marker = debug.command?.at(-2) as string;
    markers.push(marker);
    assert.ok(existsSync(marker), `release marker ${marker} was not created`);
  });

  test('a relative path is relative to the target working directory; uploads work the same way', async () => {
    const local = join(tmp.path, 'upload.txt');
    await writeFile(local, 'hello from outside\n');
    const up = await runRampart([
      'cp',
      local,
      'api:incoming.txt',
      '-n',
      'prod',
      '--debug-image',
      'busybox:1.36',
      '--debug-target-pid',
      'self',
      '--debug-ptrace',
      '--kubeconfig',
      kubeconfig,
    ]);
    assert.equal(up.code, 0, up.stderr);
    assert.equal(await readFile(join(root, 'incoming.txt'), 'utf8'), 'hello from outside\n');
    const all = await ephemeral();
    assert.equal(all.length, 2, 'each copy adds its own ephemeral container and keeps the earlier ones');
    const latest = all.at(-1);
    assert.deepEqual(latest?.securityContext, { capabilities: { add: ['SYS_PTRACE'] } });
    markers.push(latest?.command?.at(-2) as string);
  });

  test('debug flags without --debug-image, or a bad PID, are usage errors', async () => {
    const noImage = await runRampart(['cp', 'prod/api:x', tmp.path, '--debug-ptrace']);
    assert.equal(noImage.code, 2);
    assert.match(noImage.stderr, /need --debug-image/);
    const badPid = await runRampart([
      'cp',
      'prod/api:x',
      tmp.path,
      '--debug-image',
      'b',
      '--debug-target-pid',
      '1;rm',
    ]);
    assert.equal(badPid.code, 2);
    assert.match(badPid.stderr, /must be a process id/);
  });
});
