import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type InformerEvent, NamespaceInformer } from '../../src/kube/namespace-informer.js';
import { KubeRest } from '../../src/kube/rest.js';
import { tempDir } from '../helpers/index.js';
import { FakeApiServer } from './fake-apiserver.js';
import { CORE_TYPES } from './fake-objects.js';

async function waitFor(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ns = (name: string, labels: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});

describe('NamespaceInformer against the fake API server (list, watch, bookmarks, 410 re-list)', () => {
  let tmp: { path: string; cleanup: () => Promise<void> };
  let fake: FakeApiServer;
  let informer: NamespaceInformer;
  const events: InformerEvent[] = [];
  const requests = (query: string) =>
    fake.requests.filter((r) => r.path === '/api/v1/namespaces' && r.query.includes(query));

  before(async () => {
    tmp = await tempDir('rampart-informer-');
    fake = await FakeApiServer.start({ types: CORE_TYPES, token: 'tok' });
    for (const name of ['alpha', 'beta', 'gamma', 'delta', 'epsilon'])
      fake.objects.put(ns(name, { team: name }));
    const rest = KubeRest.fromOptions({ kubeconfig: fake.writeKubeconfig(tmp.path), env: {} });
    informer = new NamespaceInformer(rest, {
      pageSize: 2,
      backoff: { initialMs: 150, maxMs: 300 },
      onEvent: (e) => events.push(e),
    });
    await informer.start();
  });
  after(async () => {
    await informer.stop();
    await fake.close();
    await tmp.cleanup();
  });

  test('the first list is paged with limit and continue, and fills the labels', () => {
    const lists = fake.requests.filter((r) => r.path === '/api/v1/namespaces' && !r.query.includes('watch'));
    assert.equal(lists.length, 3, 'five namespaces in pages of two');
    assert.ok(lists.every((r) => r.query.includes('limit=2')));
    assert.equal(lists.filter((r) => r.query.includes('continue=')).length, 2);
    assert.equal(informer.size, 5);
    assert.deepEqual(informer.lookup('gamma'), { team: 'gamma', 'kubernetes.io/metadata.name': 'gamma' });
    assert.deepEqual(informer.lookup('unknown'), { 'kubernetes.io/metadata.name': 'unknown' });
  });

  test('the watch starts at the list resourceVersion with bookmarks, and applies changes', async () => {
    await waitFor('the watch', () => fake.objects.openWatches === 1);
    const watch = requests('watch=true')[0]!;
    const query = new URLSearchParams(watch.query);
    assert.equal(query.get('resourceVersion'), events.find((e) => e.type === 'listed')!.resourceVersion);
    assert.equal(query.get('allowWatchBookmarks'), 'true');
    fake.objects.put(ns('beta', { team: 'beta', env: 'prod' }));
    fake.objects.put(ns('zeta'));
    fake.objects.remove('Namespace', 'alpha');
    await waitFor('the events', () => informer.lookup('beta')?.env === 'prod' && informer.size === 5);
    assert.deepEqual(informer.lookup('alpha'), { 'kubernetes.io/metadata.name': 'alpha' });
    assert.equal(informer.resourceVersion, fake.objects.resourceVersion);
  });

  test('a BOOKMARK moves the resourceVersion; a reconnect resumes from it without a re-list', async () => {
    const listsBefore = fake.requests.filter(
      (r) => r.path === '/api/v1/namespaces' && !r.query.includes('watch'),
    ).length;
    // Other kinds change: the namespace watch sees nothing but the bookmark.
    fake.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'beta' } });
    fake.objects.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd', namespace: 'beta' } });
    const bookmarked = fake.objects.resourceVersion;
    assert.notEqual(informer.resourceVersion, bookmarked);
    fake.objects.bookmark();
    await waitFor('the bookmark', () => informer.resourceVersion === bookmarked);
    const watchesBefore = requests('watch=true').length;
    fake.objects.endWatches(); // a server-side watch timeout
    await waitFor('the re-watch', () => requests('watch=true').length === watchesBefore + 1);
    const rewatch = new URLSearchParams(requests('watch=true').at(-1)!.query);
    assert.equal(rewatch.get('resourceVersion'), bookmarked);
    const listsAfter = fake.requests.filter(
      (r) => r.path === '/api/v1/namespaces' && !r.query.includes('watch'),
    ).length;
    assert.equal(listsAfter, listsBefore, 'no re-list after a clean reconnect');
  });

  test('a dropped connection reconnects; 410 Gone (history compacted) re-lists and catches up', async () => {
    await waitFor('the watch', () => fake.objects.openWatches === 1);
    const listsBefore = fake.requests.filter(
      (r) => r.path === '/api/v1/namespaces' && !r.query.includes('watch'),
    ).length;
    fake.objects.endWatches(true); // connection dropped: the informer backs off before reconnecting
    // While it is away: a namespace goes, another changes, and the server forgets the events.
    fake.objects.remove('Namespace', 'gamma');
    fake.objects.put(ns('delta', { team: 'delta', tier: 'gold' }));
    fake.objects.compact();
    await waitFor(
      'the re-list',
      () => events.some((e) => e.type === 'expired') && informer.lookup('delta')?.tier === 'gold',
    );
    assert.ok(
      events.some((e) => e.type === 'error'),
      'the broken stream was reported',
    );
    assert.deepEqual(informer.lookup('gamma'), { 'kubernetes.io/metadata.name': 'gamma' });
    const listsAfter = fake.requests.filter(
      (r) => r.path === '/api/v1/namespaces' && !r.query.includes('watch'),
    ).length;
    assert.ok(listsAfter > listsBefore, 'listed again after 410');
    await waitFor('watching again', () => fake.objects.openWatches === 1);
    fake.objects.put(ns('eta', { new: 'yes' }));
    await waitFor('events after the re-list', () => informer.lookup('eta')?.new === 'yes');
  });

  test('a refused first list rejects start with a message naming the verb and resource', async () => {
    const denied = await FakeApiServer.start({ types: CORE_TYPES });
    denied.objects.faults.forbid = (verb, type) => verb === 'list' && type.plural === 'namespaces';
    const dir = await tempDir('rampart-informer-denied-');
    try {
      const rest = KubeRest.fromOptions({ kubeconfig: denied.writeKubeconfig(dir.path), env: {} });
      await assert.rejects(new NamespaceInformer(rest).start(), (error: Error) => {
        assert.match(error.message, /^list namespaces: .*cannot list resource "namespaces"/);
        assert.match(error.message, /RBAC/);
        return true;
      });
    } finally {
      await denied.close();
      await dir.cleanup();
    }
  });
});
