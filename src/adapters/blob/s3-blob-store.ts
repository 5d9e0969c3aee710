/**
 * S3-compatible blob store (AWS S3, MinIO, GCS interop, R2, s3rver…). Large bodies go up as multipart
 * uploads; reads support byte ranges; `urlFor` hands out presigned GET URLs so tools like ffmpeg can read
 * just the byte ranges they need straight from the store.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertSafeKey, BlobNotFoundError, type BlobStat, type BlobStore, type ByteRange, type LocalFile } from '../../ports/blob-store.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** optional key prefix inside the bucket, e.g. "reel/" */
  prefix?: string;
  client: S3ClientConfig;
  /** multipart part size in bytes (S3 minimum 5 MiB) */
  partSize?: number;
}

const notFound = (err: any) => err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly s3: S3Client;
  private readonly prefix: string;

  constructor(private readonly opts: S3BlobStoreOptions) {
    // checksums only when an operation requires them: many S3-compatible servers reject the newer headers
    this.s3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED', ...opts.client });
    this.prefix = opts.prefix ?? '';
  }

  private k(key: string): string {
    assertSafeKey(key);
    return this.prefix + key;
  }

  async put(key: string, body: Buffer | string | Readable): Promise<void> {
    if (body instanceof Readable) {
      await new Upload({ client: this.s3, params: { Bucket: this.opts.bucket, Key: this.k(key), Body: body }, partSize: this.opts.partSize ?? 8 * 2 ** 20 }).done();
      return;
    }
    await this.s3.send(new PutObjectCommand({ Bucket: this.opts.bucket, Key: this.k(key), Body: body }));
  }

  async putFile(key: string, localPath: string, opts: { move?: boolean; link?: boolean } = {}): Promise<void> {
    await this.put(key, createReadStream(localPath));
    if (opts.move) await unlink(localPath);
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const res = await this.s3.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.k(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }));
      return res.Body as Readable;
    } catch (err) {
      if (notFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async stat(key: string): Promise<BlobStat | null> {
    try {
      const res = await this.s3.send(new HeadObjectCommand({ Bucket: this.opts.bucket, Key: this.k(key) }));
      return { size: Number(res.ContentLength ?? 0), modifiedMs: res.LastModified?.getTime() ?? 0 };
    } catch (err) {
      if (notFound(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.opts.bucket, Key: this.k(key) }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    // one request per object: DeleteObjects needs Content-MD5, which some S3-compatible servers handle poorly
    for (let i = 0; i < keys.length; i += 16) await Promise.all(keys.slice(i, i + 16).map((key) => this.delete(key)));
    return keys.length;
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: this.prefix + prefix, ContinuationToken: token }));
      for (const o of res.Contents ?? []) if (o.Key) out.push(o.Key.slice(this.prefix.length));
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async openLocal(key: string): Promise<LocalFile> {
    const body = await this.get(key);
    const dir = await mkdtemp(join(tmpdir(), 'reel-s3-'));
    const path = join(dir, 'blob');
    await pipeline(body, createWriteStream(path));
    return { path, release: () => rm(dir, { recursive: true, force: true }) };
  }

  /** A presigned URL for reading the blob with HTTP range requests. */
  async urlFor(key: string, ttlSec = 3600): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.opts.bucket, Key: this.k(key) }), { expiresIn: ttlSec });
  }
}
