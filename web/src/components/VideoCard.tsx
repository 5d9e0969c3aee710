import type { Video } from '../lib/api';
import { fmtCompact, fmtDuration, timeAgo } from '../lib/format';
import { Link } from '../lib/router';
import { Icon } from './Icon';

export function Thumb({ video }: { video: Video }) {
  return (
    <div className="thumb">
      {video.thumbnailUrl ? <img src={video.thumbnailUrl} alt="" loading="lazy" /> : <div className="thumb-empty"><Icon name="play" size={40} /></div>}
      {video.durationSec ? <span className="duration">{fmtDuration(video.durationSec)}</span> : null}
    </div>
  );
}

export function VideoCard({ video, layout = 'grid' }: { video: Video; layout?: 'grid' | 'row' }) {
  return (
    <article className={`card card-${layout}`}>
      <Link to={`/watch/${video.id}`} className="card-link" aria-label={`${video.title}, ${video.channel.name}${video.durationSec ? `, ${fmtDuration(video.durationSec)}` : ''}`}>
        <Thumb video={video} />
      </Link>
      <div className="card-text">
        <h3><Link to={`/watch/${video.id}`} tabIndex={-1}>{video.title}</Link></h3>
        <div className="muted">
          <Link to={`/channel/${video.channel.handle}`} className="channel-link" tabIndex={-1}>{video.channel.name}</Link>
        </div>
        <div className="muted">{fmtCompact(video.viewCount ?? 0)} {video.viewCount === 1 ? 'view' : 'views'} · {timeAgo(video.publishedAt ?? video.createdAt)}</div>
      </div>
    </article>
  );
}

export function VideoGrid({ videos, empty, label }: { videos: Video[]; empty?: React.ReactNode; label?: string }) {
  if (!videos.length) return <p className="muted">{empty ?? 'Nothing here yet.'}</p>;
  return (
    <div className="grid" role="list" aria-label={label}>
      {videos.map((v) => (
        <div role="listitem" key={v.id}>
          <VideoCard video={v} />
        </div>
      ))}
    </div>
  );
}
