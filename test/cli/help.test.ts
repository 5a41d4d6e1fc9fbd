import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { listPackNames } from '../../src/packs/index.js';
import { TERRAFORM_PACKS } from '../../src/terraform/model.js';
import { REPO_ROOT, runRampart } from '../helpers/index.js';

describe('help (real CLI)', () => {
  test('"rampart help scan" prints scan\'s help; an unknown topic is a usage error', async () => {
    const help = await runRampart(['help', 'scan']);
    assert.equal(help.code, 0);
    assert.equal(help.stdout, (await runRampart(['scan', '--help'])).stdout);
    assert.match(help.stdout, /^Usage: rampart scan/);
    const unknown = await runRampart(['help', 'nope']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "nope"/);
  });

  test('-V prints the version and the top-level help lists it', async () => {
    const v = await runRampart(['-V']);
    assert.equal(v.code, 0);
    assert.match(v.stdout, /^rampart \d+\.\d+\.\d+/);
    const help = await runRampart(['--help']);
    assert.match(help.stdout, /-V, --version/);
    assert.match(help.stdout, /rampart help <command>/);
  });

  test('scan --help lists every pack, the Terraform ones included', async () => {
    const help = await runRampart(['scan', '--help']);
    for (const pack of [...listPackNames(), ...TERRAFORM_PACKS])
      assert.match(help.stdout, new RegExp(`\\b${pack}\\b`));
  });

  test('apk verify --help shows the real --keys-dir default', async () => {
    const help = await runRampart(['apk', 'verify', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--keys-dir DIR .*default \/etc\/apk\/keys/);
  });

  test("disk <sub> --help prints that sub-command's options only", async () => {
    for (const [sub, own, other] of [
      ['audit', /--no-tools/, /--to 4kn/],
      ['plan', /--to 4kn/, /--no-tools/],
      ['check-alignment', /--type physical/, /--to 4kn/],
    ] as const) {
      const r = await runRampart(['disk', sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.stdout, own, sub);
      assert.doesNotMatch(r.stdout, other, sub);
    }
  });

  test("the README's command table lists every command and sub-command", async () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const rows = readme.split('\n').filter((l) => l.startsWith('| `rampart '));
    const listed = (words: string) => rows.some((r) => r.startsWith(`| \`rampart ${words}`));
    const top = (await runRampart(['--help'])).stdout;
    const commands = [...top.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!);
    assert.ok(commands.length >= 8, top);
    for (const command of commands) {
      // Sub-commands are the indented first words of the "Subcommands:"/"Commands:" block of its help.
      const help = (await runRampart([command, '--help'])).stdout;
      const block = /^(?:Sub)?[Cc]ommands:\n((?: {2}\S.*\n)+)/m.exec(help)?.[1];
      const subs = block ? [...block.matchAll(/^ {2}([a-z-]+)/gm)].map((m) => m[1]!) : [];
      if (command === 'disk') subs.push('audit', 'plan', 'check-alignment');
      if (subs.length === 0) assert.ok(listed(command), `README lacks rampart ${command}`);
      for (const sub of subs)
        assert.ok(listed(`${command} ${sub}`), `README lacks rampart ${command} ${sub}`);
    }
  });
});
