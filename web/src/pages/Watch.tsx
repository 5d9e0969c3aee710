// The watch page: player, title, channel + subscribe, views, likes, description, comments, up next.
// #state says why nothing plays (missing/private, processing, failed) and is empty when all is well.
// When the video ends, autoplay (a persisted toggle) counts down over the player and goes to the first up-next video.
import { useCallback, useEffect, useState } from 'react';
import type { Video } from '../lib/api';
import { timeAgo } from '../lib/format';
import { Link, useLocation } from '../lib/router';
import { preloadHls } from '../player/engine';
import { Player } from '../player/Player';
import { SubscribeButton } from '../components/SubscribeButton';
import { Comments } from '../watch/Comments';
import { Ratings, SaveMenu, ShareButton, useStats, ViewCount } from '../watch/Engagement';
import { UpNext } from '../watch/UpNext';
import { AutoplayOverlay, useAutoplayCountdown, useAutoplayPreference } from '../watch/Autoplay';
import { useWatchable } from '../watch/use-watchable';

export function Watch({ id }: { id: string }) {
  useEffect(() => { void preloadHls(); }, []);
  const { query } = useLocation();
  const { video, playback, state, setState } = useWatchable(id);
  const [stats, setStats] = useStats(id, !!playback);
  const [theater, setTheater] = useState(() => localStorage.getItem('reel_theater') === '1');
  const [expanded, setExpanded] = useState(false);
  const toggleTheater = useCallback(() => setTheater((t) => { localStorage.setItem('reel_theater', t ? '0' : '1'); return !t; }), []);
  const onState = useCallback((s: string | null) => setState(s ?? ''), [setState]);
  const [next, setNext] = useState<Video[]>([]);
  const [autoplay, setAutoplay] = useAutoplayPreference();
  const countdown = useAutoplayCountdown(autoplay, next[0]);

  return (
    <main className={`watch${theater ? ' watch-theater' : ''}`}>
      <div className="watch-primary">
        <div id="state" className={`state${state ? ' state-visible' : ''}`} role="status">{state}</div>
        {playback ? (
          <div className="player-wrap">
            <Player playback={playback} processing={(video?.status ?? playback.status) !== 'ready'} dash={query.get('player') === 'dash'} theater={theater} onTheater={toggleTheater} onState={onState} onEnded={countdown.start} />
            {countdown.left !== null && next[0] && <AutoplayOverlay next={next[0]} left={countdown.left} onCancel={countdown.cancel} />}
          </div>
        ) : (
          // no thumbnail here: unlisted and private videos' files need the signed URLs of the playback descriptor
          <div className="player placeholder" aria-hidden="true" />
        )}
        {video && (
          <div className="watch-info">
            <h1 id="title">{video.title}</h1>
            <div className="watch-bar">
              <div className="channel-line">
                <Link to={`/channel/${video.channel.handle}`} className="avatar" aria-hidden="true" tabIndex={-1}>{video.channel.name.slice(0, 1).toUpperCase()}</Link>
                <div>
                  <Link to={`/channel/${video.channel.handle}`} id="channel-name" className="channel-name">{video.channel.name}</Link>
                </div>
                <SubscribeButton channelId={video.channel.id} channelName={video.channel.name} />
              </div>
              <div className="actions">
                <Ratings videoId={id} stats={stats} setStats={setStats} />
                <SaveMenu videoId={id} />
                <ShareButton />
              </div>
            </div>
            <div className={`description${expanded ? ' expanded' : ''}`}>
              <div className="description-meta" id="meta">
                <ViewCount stats={stats} /> · {video.publishedAt ? timeAgo(video.publishedAt) : 'processing'}
                {video.tags.length > 0 && <span className="tags"> {video.tags.map((t) => <Link key={t} to={`/search?q=${encodeURIComponent(t)}`}>#{t}</Link>)}</span>}
              </div>
              <p id="description">{video.description}</p>
              {video.description.length > 200 && (
                <button className="link-button" aria-expanded={expanded} onClick={() => setExpanded(!expanded)}>{expanded ? 'Show less' : '…more'}</button>
              )}
            </div>
            <Comments videoId={id} />
          </div>
        )}
      </div>
      <div className="watch-secondary">
        <UpNext videoId={id} onList={setNext} autoplay={autoplay} onAutoplay={setAutoplay} />
      </div>
    </main>
  );
}
