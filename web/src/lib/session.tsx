// Who is signed in, shared by every page.
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, type Me } from './api';
import { navigate } from './router';

interface Session { me: Me | null; loading: boolean; refresh(): Promise<void>; signOut(): Promise<void> }
const Ctx = createContext<Session>({ me: null, loading: true, refresh: async () => {}, signOut: async () => {} });

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const refresh = useCallback(async () => {
    setMe(await api<Me>('/api/me').catch(() => null));
    setLoading(false);
  }, []);
  const signOut = useCallback(async () => {
    await api('/api/auth/logout', { method: 'POST' }).catch(() => {});
    setMe(null);
    navigate('/');
  }, []);
  useEffect(() => { void refresh(); }, [refresh]);
  return <Ctx.Provider value={{ me, loading, refresh, signOut }}>{children}</Ctx.Provider>;
}

export const useSession = () => useContext(Ctx);

/** Send a signed-out visitor to the sign-in page, coming back here afterwards. */
export function toLogin(): void {
  navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
}

/** For pages that need an account: redirects once the session is known. */
export function useRequireSession(): Me | null {
  const { me, loading } = useSession();
  useEffect(() => { if (!loading && !me) toLogin(); }, [loading, me]);
  return me;
}
