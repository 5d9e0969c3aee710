// Shared page chrome: header with sign-in state. Plain ES module, no build step.
export async function api(path, opts = {}) {
  const res = await fetch(path, { credentials: 'same-origin', headers: opts.body ? { 'content-type': 'application/json' } : {}, ...opts });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) throw Object.assign(new Error(body?.error?.message ?? res.statusText), { status: res.status, code: body?.error?.code });
  return body;
}

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export async function renderHeader() {
  const me = await api('/api/me').catch(() => null);
  const header = document.createElement('header');
  header.className = 'top';
  header.innerHTML = `<a class="logo" href="/">▶ Reel</a><nav>${
    me
      ? `<a href="/upload">Upload</a><a href="/studio">Studio</a><span class="muted">@${esc(me.channel.handle)}</span><button class="secondary" id="logout">Sign out</button>`
      : `<a href="/login">Sign in</a>`
  }</nav>`;
  document.body.prepend(header);
  header.querySelector('#logout')?.addEventListener('click', async () => {
    await api('/api/auth/logout', { method: 'POST' });
    location.href = '/';
  });
  return me;
}

export function fmtDuration(sec) {
  if (sec == null) return '';
  const s = Math.round(sec);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
