import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileStore } from '../../src/ingress/file-store.js';

describe('file store', () => {
  let base: string;
  beforeEach(async () => {
    base = await mkdtemp(join(tmpdir(), 'hookflow-files-'));
  });
  afterEach(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it('creates its folder on first save and names files by id only', async () => {
    const dir = join(base, 'uploads', 'nested');
    const store = createFileStore(dir);
    const id = await store.save({ field: 'f', name: '../../etc/passwd', type: 'text/plain', data: Buffer.from('hello') });

    expect(await readdir(dir)).toEqual([id]);
    expect(store.path(id)).toBe(join(dir, id));
    expect((await store.read(id)).toString()).toBe('hello');
    expect(await text(store.open(id))).toBe('hello');
  });

  it('refuses ids it could not have made and ignores removing missing files', async () => {
    const store = createFileStore(base);
    expect(() => store.path('../secret')).toThrow(expect.objectContaining({ code: 'not_found' }));
    const id = await store.save({ field: 'f', name: 'a', type: 'x/y', data: Buffer.from('1') });
    await store.remove(id);
    await store.remove(id);
    expect(await readdir(base)).toEqual([]);
  });
});
