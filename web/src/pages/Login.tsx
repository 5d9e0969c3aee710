// Sign in / create account (one page, two forms; /signup opens on the second).
import { useState, type FormEvent } from 'react';
import { api } from '../lib/api';
import { navigate, useLocation } from '../lib/router';
import { useSession } from '../lib/session';

export function Login() {
  const { path, query } = useLocation();
  const { refresh } = useSession();
  const [mode, setMode] = useState<'login' | 'register'>(path === '/signup' ? 'register' : 'login');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  document.title = `${mode === 'login' ? 'Sign in' : 'Create account'} · Reel`;
  const submit = async (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await api(`/api/auth/${mode}`, { method: 'POST', body: Object.fromEntries([...new FormData(e.currentTarget)].filter(([, v]) => v !== '')) });
      await refresh();
      const next = query.get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="page auth">
      <div className="auth-card card-panel">
        <div className="tabs" role="tablist" aria-label="Account">
          <button role="tab" id="tab-login" aria-selected={mode === 'login'} aria-controls="auth-form" onClick={() => { setMode('login'); setError(''); }}>Sign in</button>
          <button role="tab" id="tab-register" aria-selected={mode === 'register'} aria-controls="auth-form" onClick={() => { setMode('register'); setError(''); }}>Create account</button>
        </div>
        <h1>{mode === 'login' ? 'Sign in' : 'Create your channel'}</h1>
        <form className="stack" id="auth-form" key={mode} onSubmit={submit} aria-labelledby={mode === 'login' ? 'tab-login' : 'tab-register'}>
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" required autoComplete="email" autoFocus />
          {mode === 'register' && (
            <>
              <label htmlFor="handle">Channel handle</label>
              <input id="handle" name="handle" required pattern="[A-Za-z0-9_][A-Za-z0-9_.\-]{2,29}" aria-describedby="handle-help" />
              <span id="handle-help" className="muted">3–30 letters, digits, “_”, “.” or “-”.</span>
              <label htmlFor="displayName">Channel name (optional)</label>
              <input id="displayName" name="displayName" maxLength={60} />
            </>
          )}
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" required minLength={8} autoComplete={mode === 'login' ? 'current-password' : 'new-password'} />
          <button id="auth-submit" disabled={busy}>{mode === 'login' ? 'Sign in' : 'Create account'}</button>
          <p className="error" role="alert">{error}</p>
        </form>
      </div>
    </main>
  );
}
