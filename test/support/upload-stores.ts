/** Where tus uploads in progress live (UPLOAD_STORE): every upload test runs against both. */
import { readdirSync } from 'node:fs';
import type { TestPlatform } from './platform.js';

export const UPLOAD_STORES = ['local', 'blob'] as const;

/** what an upload store holds right now: files in UPLOAD_DIR, or blobs under uploads/ (plus chunks being spooled) */
export async function storedUploadFiles(tp: TestPlatform): Promise<string[]> {
  if (tp.config.uploadStore === 'local') return readdirSync(tp.config.uploadDir);
  let spooled: string[] = [];
  try {
    spooled = readdirSync(`${tp.config.uploadDir}/spool`);
  } catch {
    // nothing spooled yet
  }
  return [...(await tp.platform.blobs.list('uploads/')), ...spooled];
}
