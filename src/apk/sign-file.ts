import { createReadStream, createWriteStream } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../core/errors.js';
import { signUnsigned } from './apkindex.js';
import { tempPathFor, writeFileAtomic } from './atomic.js';
import { parseIndexBuffer, readPackageHead } from './read.js';
import { type SigningKey, signatureMember, signBytes } from './sign.js';
import { isIndexFile } from './verify.js';

/**
 * (Re)signs an index or a package in place, replacing any existing signatures. Every signature is
 * computed over the unsigned content, never over another signature (the abuild-sign-twice trap).
 */
export async function signFile(
  file: string,
  keys: SigningKey[],
  mtime: number,
): Promise<'index' | 'package'> {
  if (keys.length === 0) throw new UserError('no signing key given');
  if (isIndexFile(file)) {
    const buf = await readFile(file).catch((error: Error) => {
      throw new UserError(`cannot read ${file}: ${error.message}`);
    });
    const index = await parseIndexBuffer(buf, file);
    await writeFileAtomic(file, await signUnsigned(buf.subarray(index.unsignedStart), keys, mtime));
    return 'index';
  }
  const head = await readPackageHead(file);
  if (!head.pkginfo.datahash) {
    throw new UserError(`${file}: legacy package without datahash; rebuild it with "rampart apk build"`);
  }
  const sig = await signatureMember(
    keys.map((k) => signBytes(head.control, k)),
    mtime,
  );
  const tmp = tempPathFor(file);
  try {
    const fh = await open(tmp, 'wx', 0o644);
    try {
      await fh.write(sig);
      await fh.write(head.control);
    } finally {
      await fh.close();
    }
    await pipeline(
      createReadStream(file, { start: head.dataOffset }),
      createWriteStream(tmp, { flags: 'a' }),
    );
    const sync = await open(tmp, 'r+');
    await sync.sync();
    await sync.close();
    await rename(tmp, file);
  } finally {
    await rm(tmp, { force: true });
  }
  return 'package';
}
