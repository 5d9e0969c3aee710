/**
 * The in-memory side of view de-dup (pure): the viewers this process already counted (or saw refused by the
 * database) per video for the current clock hour, so their next heartbeats are answered without a database
 * round trip. It is bounded: a video-hour holds at most `perVideoHour` viewers and all of them together at most
 * `maxKeys`; past that whole video-hours are forgotten (oldest first) and their viewers go back to the database,
 * whose unique key (video, viewer, hour) stays the truth. Hours before the newest one are dropped as soon as
 * a report of a new hour is remembered.
 */
export interface RecentViewersLimits {
  maxKeys: number;
  perVideoHour: number;
}

export class RecentViewers {
  private hour = -Infinity;
  /** video -> viewers, for `hour` only; Map order = oldest video-hour first */
  private readonly byVideo = new Map<string, Set<string>>();
  private keys = 0;

  constructor(private readonly limits: RecentViewersLimits) {}

  /** Whether this viewer of this video is known to have been counted in this hour. */
  has(videoId: string, hour: number, viewerKey: string): boolean {
    return hour === this.hour && (this.byVideo.get(videoId)?.has(viewerKey) ?? false);
  }

  remember(videoId: string, hour: number, viewerKey: string): void {
    if (hour < this.hour) return; // a report of the previous hour that finished late: its bucket is closed
    if (hour > this.hour) {
      this.byVideo.clear();
      this.keys = 0;
      this.hour = hour;
    }
    let viewers = this.byVideo.get(videoId);
    if (!viewers) this.byVideo.set(videoId, (viewers = new Set()));
    if (viewers.has(viewerKey)) return;
    if (viewers.size >= this.limits.perVideoHour) {
      this.keys -= viewers.size;
      viewers.clear();
    }
    viewers.add(viewerKey);
    this.keys++;
    while (this.keys > this.limits.maxKeys) {
      const [oldest, set] = this.byVideo.entries().next().value as [string, Set<string>];
      this.keys -= set.size;
      this.byVideo.delete(oldest);
    }
  }

  /** viewers remembered (all videos) */
  get size(): number {
    return this.keys;
  }
}
