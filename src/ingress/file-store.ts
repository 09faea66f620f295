import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HookflowError } from '../shared/errors.js';
import { newId } from '../shared/ids.js';
import type { UploadedFile } from './body.js';

/**
 * Where multipart uploads go: one file per upload, `<dir>/<id>`. The sender's
 * file name is metadata only (it travels in `$context.files`) and never part
 * of a path, so `../../etc/passwd` as a file name is harmless.
 */
export interface FileStore {
  save(file: UploadedFile): Promise<string>;
  /** The file's path; throws `not_found` for anything that is not an id this store could have made. */
  path(id: string): string;
  /** A stream of the file; a missing file surfaces as the stream's `ENOENT` error. */
  open(id: string): ReadStream;
  read(id: string): Promise<Buffer>;
  /** Deleting a missing file is not an error. */
  remove(id: string): Promise<void>;
}

// newId() makes UUIDv7s; accepting only that shape keeps ids out of path tricks.
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function createFileStore(dir: string): FileStore {
  let ready: Promise<unknown> | undefined;
  const ensureDir = () => {
    // Created on first upload, not at start: most installations never receive one.
    ready ??= mkdir(dir, { recursive: true }).catch((err: unknown) => {
      ready = undefined; // let the next upload try again
      throw err;
    });
    return ready;
  };
  const path = (id: string) => {
    if (!ID.test(id)) throw new HookflowError('not_found', `no stored file "${id}"`);
    return join(dir, id);
  };

  return {
    async save(file) {
      await ensureDir();
      const id = newId();
      await writeFile(join(dir, id), file.data, { flag: 'wx' });
      return id;
    },
    path,
    open: (id) => createReadStream(path(id)),
    read: (id) => readFile(path(id)),
    remove: (id) => rm(path(id), { force: true }),
  };
}
