/**
 * The playback token secret: PLAYBACK_SECRET when set (required when several API processes or an edge share
 * it), else a random secret generated on first start and kept in $DATA_DIR/playback-secret (mode 0600), so
 * tokens survive a restart. Called at entry points only.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function loadPlaybackSecrets(configured: string[] | null, file: string): Promise<string[]> {
  if (configured?.length) return configured;
  const existing = await readFile(file, 'utf8').then((s) => s.trim(), () => '');
  if (existing) return [existing];
  await mkdir(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    await writeFile(file, secret + '\n', { mode: 0o600, flag: 'wx' });
    return [secret];
  } catch (err) {
    // another process created it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return [(await readFile(file, 'utf8')).trim()];
    throw err;
  }
}
