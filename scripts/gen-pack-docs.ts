import { writeFile } from 'node:fs/promises';
import { renderPackDocs } from '../src/rules/docs.js';

// Regenerates docs/packs.md; test/rules/docs.test.ts fails until the committed page matches.
await writeFile(new URL('../docs/packs.md', import.meta.url), await renderPackDocs());
