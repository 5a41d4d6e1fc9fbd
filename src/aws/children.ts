import { readdirSync, readFileSync } from 'node:fs';

/**
 * The process ids below ours (children first, then theirs). Used to end a `credential_process`
 * that hung: the SDK runs it with `exec` and no time limit, and exposes no handle to stop it.
 * Linux only (reads /proc); elsewhere it finds nothing.
 */
export function descendantPids(root = process.pid): number[] {
  const parentOf = new Map<number, number>();
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Field 4 is the parent pid; the command name (field 2) may contain spaces, so read after ')'.
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(name), Number(after[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const out: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, ppid] of parentOf) if (frontier.includes(ppid)) next.push(pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

export function endDescendants(): number {
  const pids = descendantPids();
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  }
  return pids.length;
}
