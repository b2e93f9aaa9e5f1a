/** 'dark' or 'light' as the system says now; charts redraw in the new colours when it changes. */
import { useEffect, useState } from 'preact/hooks';

export function useScheme(): string {
  const q = matchMedia('(prefers-color-scheme: dark)');
  const [dark, setDark] = useState(q.matches);
  useEffect(() => {
    const on = () => setDark(q.matches);
    q.addEventListener('change', on);
    return () => q.removeEventListener('change', on);
  }, [q]);
  return dark ? 'dark' : 'light';
}
