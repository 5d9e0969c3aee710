/**
 * Parser for ffmpeg's `-progress` key=value stream. Pure and incremental: feed chunks, get snapshots.
 */

export interface ProgressSnapshot {
  outTimeSec: number;
  frame: number;
  speed: number;
  done: boolean;
}

export class ProgressParser {
  private buf = '';
  private current: Record<string, string> = {};

  /** Feed a chunk of stdout; returns the snapshots completed by this chunk (one per `progress=` line). */
  push(chunk: string): ProgressSnapshot[] {
    this.buf += chunk;
    const out: ProgressSnapshot[] = [];
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).trim();
      this.buf = this.buf.slice(nl + 1);
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      const value = line.slice(eq + 1);
      this.current[key] = value;
      if (key === 'progress') {
        out.push(toSnapshot(this.current));
        this.current = {};
      }
    }
    return out;
  }
}

function toSnapshot(kv: Record<string, string>): ProgressSnapshot {
  // out_time_us is the precise one; out_time_ms is (despite its name) also microseconds in ffmpeg
  const us = Number(kv.out_time_us ?? kv.out_time_ms ?? 0);
  return {
    outTimeSec: Number.isFinite(us) && us > 0 ? us / 1e6 : 0,
    frame: Number(kv.frame ?? 0) || 0,
    speed: Number.parseFloat(kv.speed ?? '0') || 0,
    done: kv.progress === 'end',
  };
}
