/**
 * The tus checksum extension (Upload-Checksum: <algorithm> <base64 digest>), pure parts: which algorithms we
 * accept and whether a body matches its declared digest.
 */
import { createHash } from 'node:crypto';

export const CHECKSUM_ALGORITHMS = ['sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];
/** tus: 460 Checksum Mismatch */
export const CHECKSUM_MISMATCH = 460;

export type ParsedChecksum = { ok: true; algorithm: ChecksumAlgorithm; digest: Buffer } | { ok: false; message: string };

export function parseChecksumHeader(value: string): ParsedChecksum {
  const m = /^\s*([A-Za-z0-9-]+)\s+([A-Za-z0-9+/]+={0,2})\s*$/.exec(value);
  if (!m) return { ok: false, message: 'Upload-Checksum must be "<algorithm> <base64 digest>"' };
  const algorithm = m[1].toLowerCase();
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm)) return { ok: false, message: `Unsupported checksum algorithm ${m[1]}; use ${CHECKSUM_ALGORITHMS.join(' or ')}` };
  const digest = Buffer.from(m[2], 'base64');
  const expected = algorithm === 'sha1' ? 20 : 32;
  if (digest.length !== expected) return { ok: false, message: `A ${algorithm} digest is ${expected} bytes, this one is ${digest.length}` };
  return { ok: true, algorithm: algorithm as ChecksumAlgorithm, digest };
}

export function checksumMatches(body: Buffer, c: { algorithm: ChecksumAlgorithm; digest: Buffer }): boolean {
  return createHash(c.algorithm).update(body).digest().equals(c.digest);
}
