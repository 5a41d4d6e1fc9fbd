import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Result } from '../../src/core/result.js';
import type { TerraformScanConfig } from '../../src/terraform/model.js';
import type { TerraformRuleCases } from '../../src/terraform/rules/index.js';
import { scanTerraform, type TerraformScanOutput } from '../../src/terraform/scan.js';
import { tempDir } from '../helpers/index.js';

/** Writes `files` (relative path → text) into a fresh directory and scans it. */
export async function scanFiles(
  files: Record<string, string>,
  config: TerraformScanConfig = {},
): Promise<TerraformScanOutput & { dir: string }> {
  const tmp = await tempDir('rampart-tf-');
  try {
    for (const [name, text] of Object.entries(files)) {
      const path = join(tmp.path, name);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, text);
    }
    const out = await scanTerraform([tmp.path], { config });
    return { ...out, dir: tmp.path };
  } finally {
    await tmp.cleanup();
  }
}

/** Scans one main.tf and returns the failing results of one rule. */
export async function failures(
  hcl: string,
  rule: string,
  config: TerraformScanConfig = {},
  extra: Record<string, string> = {},
): Promise<Result[]> {
  const out = await scanFiles({ 'main.tf': hcl, ...extra }, config);
  if (out.errors.length > 0)
    throw new Error(`fixture does not parse: ${out.errors.map((e) => e.message).join('; ')}`);
  return out.results.filter((r) => r.rule === rule && r.status === 'fail');
}

/** A rule's cases (kept beside the rule in src/terraform/rules/) with its id. */
export interface RuleCases extends TerraformRuleCases {
  rule: string;
}
