// The header search field with autocomplete (ARIA combobox: arrows pick, Enter searches, Escape closes).
import { useEffect, useId, useRef, useState } from 'react';
import { autocomplete } from '../lib/discovery';
import { navigate, useLocation } from '../lib/router';
import { Icon } from './Icon';

export function SearchBox() {
  const { path, query } = useLocation();
  const [q, setQ] = useState(path === '/search' ? query.get('q') ?? '' : '');
  const [items, setItems] = useState<string[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const listId = useId();
  const typed = useRef(false);

  useEffect(() => {
    if (!typed.current) return;
    const ac = new AbortController();
    const t = setTimeout(() => {
      autocomplete(q, ac.signal).then((s) => { if (!ac.signal.aborted) { setItems(s); setActive(-1); setOpen(s.length > 0); } }, () => {});
    }, 150);
    return () => { clearTimeout(t); ac.abort(); };
  }, [q]);

  const go = (text: string) => {
    setOpen(false);
    if (!text.trim()) return;
    setQ(text);
    navigate(`/search?q=${encodeURIComponent(text.trim())}`);
  };

  return (
    <form className="search" role="search" onSubmit={(e) => { e.preventDefault(); go(active >= 0 ? items[active] : q); }}>
      <input
        id="search-input"
        type="search"
        placeholder="Search"
        aria-label="Search videos"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${listId}-${active}` : undefined}
        autoComplete="off"
        value={q}
        onChange={(e) => { typed.current = true; setQ(e.target.value); }}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && items.length) { e.preventDefault(); setOpen(true); setActive((a) => (a + 1) % items.length); }
          else if (e.key === 'ArrowUp' && items.length) { e.preventDefault(); setActive((a) => (a <= 0 ? items.length - 1 : a - 1)); }
          else if (e.key === 'Escape') setOpen(false);
        }}
      />
      <button type="submit" className="icon-button" aria-label="Search"><Icon name="search" /></button>
      {open && (
        <ul id={listId} role="listbox" className="suggestions" aria-label="Suggestions">
          {items.map((s, i) => (
            <li key={s} id={`${listId}-${i}`} role="option" aria-selected={i === active} onMouseDown={(e) => { e.preventDefault(); go(s); }}>
              {s}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
