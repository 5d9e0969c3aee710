import { useEffect, useState, type DependencyList } from 'react';

/** Run an async loader when deps change; { data, error, loading, reload }. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<{ data: T | null; error: Error | null; loading: boolean }>({ data: null, error: null, loading: true });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    load(ac.signal).then(
      (data) => { if (!ac.signal.aborted) setState({ data, error: null, loading: false }); },
      (error) => { if (!ac.signal.aborted) setState({ data: null, error, loading: false }); },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, nonce]);
  return { ...state, reload: () => setNonce((n) => n + 1) };
}
