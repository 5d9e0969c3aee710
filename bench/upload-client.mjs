/**
 * The uploading client of bench/upload.ts, run on a worker thread: tus-js-client streams the file from disk as it
 * sends it (a ReadStream source; one read stream per slice for parallel uploads), as a creator's machine would,
 * while the platform on the main thread receives it (one process, two threads, so the client and the server each
 * have a core, as they would on separate machines).
 *
 * Input (workerData): { path, endpoint, token, parallel }. Output: one message, { seconds } or { error }.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import * as tus from 'tus-js-client';

// plain JavaScript: a worker thread does not get tsx's loader

const { path, endpoint, token, parallel } = workerData;
const t = performance.now();
const up = new tus.Upload(createReadStream(path), {
  endpoint,
  ...(parallel > 1 ? { parallelUploads: parallel } : {}),
  headers: { Authorization: `Bearer ${token}` },
  metadata: { title: `bench ${parallel}`, filename: 'bench.bin' },
  retryDelays: [],
  onError: (err) => parentPort.postMessage({ error: String(err) }),
  onSuccess: () => parentPort.postMessage({ seconds: (performance.now() - t) / 1000 }),
});
up.start();
