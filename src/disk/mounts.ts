import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface MountEntry {
  majorMinor: string;
  mountpoint: string;
  fstype: string;
  source: string;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescapeOctal(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
}

/** /proc/self/mountinfo: "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue". */
export function parseMountinfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-');
    if (fields.length < 10 || dash < 6) continue;
    out.push({
      majorMinor: fields[2]!,
      mountpoint: unescapeOctal(fields[4]!),
      fstype: fields[dash + 1]!,
      source: unescapeOctal(fields[dash + 2] ?? ''),
    });
  }
  return out;
}

/** /proc/swaps: the header line, then "Filename Type Size Used Priority". */
export function parseSwaps(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => unescapeOctal(l.split(/\s+/)[0] ?? ''))
    .filter(Boolean);
}

export async function readMounts(procRoot: string): Promise<MountEntry[]> {
  try {
    return parseMountinfo(await readFile(join(procRoot, 'self', 'mountinfo'), 'utf8'));
  } catch {
    return [];
  }
}

export async function readSwaps(procRoot: string): Promise<string[]> {
  try {
    return parseSwaps(await readFile(join(procRoot, 'swaps'), 'utf8'));
  } catch {
    return [];
  }
}
