// A polite live region for the result of an admin action (screen readers hear it; errors in red).
export function Notice({ msg }: { msg: { text: string; error?: boolean } | null }) {
  return <p role="status" aria-live="polite" className={`admin-notice${msg?.error ? ' error' : ''}`}>{msg?.text ?? ''}</p>;
}

export type NoticeMsg = { text: string; error?: boolean } | null;

/** Run an action and report its outcome through setMsg; returns whether it worked. */
export async function act(setMsg: (m: NoticeMsg) => void, run: () => Promise<unknown>, done: string): Promise<boolean> {
  try {
    await run();
    setMsg({ text: done });
    return true;
  } catch (err) {
    setMsg({ text: (err as Error).message, error: true });
    return false;
  }
}
