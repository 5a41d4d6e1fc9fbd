import { basename } from 'node:path';
import { discoverFiles } from '../../load/discover.js';

/** Test files are found by exact base name, recursively, hidden folders (`.kyverno-test/`) included. */
export function discoverTestFiles(
  paths: readonly string[],
  fileName = 'kyverno-test.yaml',
): Promise<string[]> {
  return discoverFiles(paths, { accept: (name) => name === fileName, hidden: true }).then((files) =>
    files.filter((f) => basename(f) === fileName),
  );
}
