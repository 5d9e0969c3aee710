/** Upload a file with the real tus-js-client (Node), as a script or an app would. */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import * as tus from 'tus-js-client';

export interface TusUploadOptions {
  endpoint: string;
  token: string;
  file: string;
  metadata?: Record<string, string>;
  chunkSize?: number;
  onProgress?: (sent: number, total: number) => void;
  /** resume an earlier upload at this URL */
  uploadUrl?: string;
}

export function tusUpload(opts: TusUploadOptions): Promise<{ url: string; upload: tus.Upload }> {
  return new Promise((resolve, reject) => {
    const size = statSync(opts.file).size;
    const upload = new tus.Upload(createReadStream(opts.file) as any, {
      endpoint: opts.endpoint,
      uploadUrl: opts.uploadUrl,
      uploadSize: size,
      chunkSize: opts.chunkSize ?? 256 * 1024,
      headers: { Authorization: `Bearer ${opts.token}` },
      metadata: { filename: basename(opts.file), ...opts.metadata },
      retryDelays: [],
      onProgress: opts.onProgress,
      onError: reject,
      onSuccess: () => resolve({ url: upload.url!, upload }),
    });
    upload.start();
  });
}
