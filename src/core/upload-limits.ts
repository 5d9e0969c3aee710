/**
 * Upload admission: size limit, daily and total byte quotas per account, uploads per hour per channel. Pure.
 * A limit of 0 means "no limit".
 */
export interface UploadLimits {
  maxBytes: number;
  dailyBytes: number;
  totalBytes: number;
  perHour: number;
}

export interface UploadUsage {
  bytesToday: number;
  bytesTotal: number;
  uploadsLastHour: number;
}

export interface Refusal {
  status: 413 | 429;
  code: 'too_large' | 'daily_quota_exceeded' | 'quota_exceeded' | 'rate_limited';
  message: string;
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(n % 2 ** 30 === 0 ? 0 : 2)} GiB`;

/** Decide on a new upload of `size` bytes (null when the length is deferred: only the rate limit applies). */
export function admitUpload(size: number | null, usage: UploadUsage, limits: UploadLimits): Refusal | null {
  if (limits.perHour > 0 && usage.uploadsLastHour >= limits.perHour) {
    return { status: 429, code: 'rate_limited', message: `This channel started ${usage.uploadsLastHour} uploads in the last hour; the limit is ${limits.perHour}. Try again later.` };
  }
  if (size === null) return null;
  if (limits.maxBytes > 0 && size > limits.maxBytes) return { status: 413, code: 'too_large', message: `The file is ${gib(size)}; the maximum is ${gib(limits.maxBytes)}.` };
  if (limits.dailyBytes > 0 && usage.bytesToday + size > limits.dailyBytes) {
    return { status: 413, code: 'daily_quota_exceeded', message: `This upload would bring today's total to ${gib(usage.bytesToday + size)}; the daily quota is ${gib(limits.dailyBytes)}.` };
  }
  if (limits.totalBytes > 0 && usage.bytesTotal + size > limits.totalBytes) {
    return { status: 413, code: 'quota_exceeded', message: `This upload would bring your storage to ${gib(usage.bytesTotal + size)}; your quota is ${gib(limits.totalBytes)}.` };
  }
  return null;
}
