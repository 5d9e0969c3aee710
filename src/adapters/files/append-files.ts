/**
 * Append whole files to another file as fast as the machine allows. coreutils `cat` copies regular files with
 * copy_file_range(2), inside the kernel, which Node has no call for: on a 2-core VM it appends 384 MiB in ~0.7 s
 * where Node streams took ~5 s. Without `cat` (or if it fails), a read/write loop over one reused buffer does it.
 */
import { spawn } from 'node:child_process';
import { open, truncate } from 'node:fs/promises';

export async function appendFiles(target: string, sources: string[]): Promise<void> {
  if (!sources.length) return;
  const handle = await open(target, 'r');
  const { size } = await handle.stat();
  await handle.close();
  try {
    await appendWithCat(target, sources);
  } catch {
    await truncate(target, size); // a failed `cat` may have written part of it
    await appendWithLoop(target, sources);
  }
}

async function appendWithCat(target: string, sources: string[]): Promise<void> {
  const out = await open(target, 'a');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('cat', ['--', ...sources], { stdio: ['ignore', out.fd, 'pipe'] });
      let err = '';
      child.stderr?.on('data', (d) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cat exited with ${code}: ${err.trim()}`))));
    });
  } finally {
    await out.close();
  }
}

async function appendWithLoop(target: string, sources: string[]): Promise<void> {
  const out = await open(target, 'a');
  const buf = Buffer.allocUnsafe(8 << 20);
  try {
    for (const source of sources) {
      const input = await open(source, 'r');
      try {
        for (let n = (await input.read(buf, 0, buf.length, null)).bytesRead; n > 0; n = (await input.read(buf, 0, buf.length, null)).bytesRead) {
          for (let w = 0; w < n; ) w += (await out.write(buf, w, n - w)).bytesWritten;
        }
      } finally {
        await input.close();
      }
    }
  } finally {
    await out.close();
  }
}

/** exported for its test: the fallback on its own */
export const appendFilesWithoutCat = appendWithLoop;
