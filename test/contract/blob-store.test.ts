import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../src/adapters/blob/fs-blob-store.js';
import { blobStoreContract } from './blob-store.contract.js';

blobStoreContract('filesystem', async () => new FsBlobStore(mkdtempSync(join(tmpdir(), 'reel-blobs-'))));
