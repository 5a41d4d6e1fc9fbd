import { existsSync, type FSWatcher, watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadPolicySources, type PolicySources } from '../packs/policy-sources.js';
import type { PolicyException } from '../policy/exceptions/index.js';
import type { LoadedPolicy } from '../policy/model/types.js';

export type { PolicySources } from '../packs/policy-sources.js';

/** What the webhook evaluates: swapped as a whole, so a request never sees half a reload. */
export interface PolicySet {
  policies: readonly LoadedPolicy[];
  exceptions: readonly PolicyException[];
  loadedAt: Date;
}

/**
 * A ConfigMap or Secret volume holds the files twice for a moment during an update (the old and the new
 * timestamped directory, before the kubelet removes the old one): read only what `..data` points at.
 */
function kubeletView(path: string): string {
  const current = join(path, '..data');
  return existsSync(current) ? current : path;
}

/** Loads policy files and built-in packs; any invalid policy fails the whole load (the old set stays). */
export async function loadPolicySet(sources: PolicySources): Promise<PolicySet> {
  return { ...(await loadPolicySources(sources, kubeletView)), loadedAt: new Date() };
}

export interface ReloadEvents {
  onReload?(set: PolicySet): void;
  onReloadError?(error: Error): void;
}

/**
 * Holds the current policy set and reloads it when a watched path changes: the new set is loaded and
 * validated off the request path (requests keep using `current`) and swapped in one assignment; an
 * invalid set leaves the old one serving.
 */
export class PolicyStore {
  private set: PolicySet | undefined;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> = Promise.resolve();

  constructor(
    readonly sources: PolicySources,
    private readonly events: ReloadEvents = {},
  ) {}

  get current(): PolicySet | undefined {
    return this.set;
  }

  async load(): Promise<PolicySet> {
    this.set = await loadPolicySet(this.sources);
    return this.set;
  }

  /** Reloads now; resolves once the new set is in place or rejected. Reloads never overlap. */
  reload(): Promise<void> {
    this.reloading = this.reloading.then(async () => {
      try {
        const next = await loadPolicySet(this.sources);
        this.set = next;
        this.events.onReload?.(next);
      } catch (error) {
        this.events.onReloadError?.(error as Error);
      }
    });
    return this.reloading;
  }

  /** Watches the policy paths (recursively); bursts of changes (an editor, a ConfigMap swap) reload once. */
  async watch(debounceMs = 200): Promise<void> {
    for (const path of this.sources.paths) {
      const info = await stat(path).catch(() => undefined);
      if (!info) continue;
      const watcher = watch(path, { recursive: info.isDirectory() }, () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => void this.reload(), debounceMs);
      });
      watcher.on('error', (error) => this.events.onReloadError?.(error));
      this.watchers.push(watcher);
    }
  }

  close(): void {
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
