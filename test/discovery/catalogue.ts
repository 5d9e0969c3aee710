/** Building hand-made catalogues through the API and the same service calls the pipeline's publish step makes. */
import { sql } from 'kysely';
import type { TestPlatform } from '../support/platform.js';

export const DAY = 86_400_000;
export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

export interface VideoSpec {
  title: string;
  description?: string;
  tags?: string[];
  visibility?: 'public' | 'unlisted' | 'private';
  durationSec?: number;
  /** published this many days ago (default: now) */
  ageDays?: number;
  /** leave it processing (never published) */
  unpublished?: boolean;
}

/** Create a video through the API and publish it as the publish step does (markReady). */
export async function publish(tp: TestPlatform, token: string, spec: VideoSpec): Promise<string> {
  const { app, videos } = tp.platform;
  const res = await app.inject({
    method: 'POST',
    url: '/api/videos',
    headers: auth(token),
    payload: { title: spec.title, description: spec.description ?? '', tags: spec.tags ?? [], visibility: spec.visibility ?? 'public' },
  });
  if (res.statusCode !== 201) throw new Error(`create failed: ${res.statusCode} ${res.body}`);
  const id = res.json().video.id as string;
  await videos.setMediaInfo(id, { durationSec: spec.durationSec ?? 120, width: 1280, height: 720 });
  if (spec.unpublished) {
    await videos.markProcessing(id, `sources/${id}`);
    return id;
  }
  await videos.markReady(id, null);
  if (spec.ageDays) {
    const at = Date.now() - spec.ageDays * DAY;
    await sql`update videos set published_at = ${at}, created_at = ${at} where id = ${id}`.execute(tp.platform.database.db);
    await tp.platform.indexer.sync(id);
  }
  return id;
}

/** An anonymous playback long enough to count, reported by the player API. */
export async function watch(tp: TestPlatform, videoId: string, viewerId: string, token?: string): Promise<void> {
  const res = await tp.platform.app.inject({
    method: 'POST',
    url: `/api/videos/${videoId}/views`,
    headers: token ? auth(token) : {},
    payload: { viewerId, event: 'heartbeat', watchSeconds: 60, positionSec: 60 },
  });
  if (res.statusCode !== 200 || !res.json().counted) throw new Error(`view not counted: ${res.statusCode} ${res.body}`);
}
