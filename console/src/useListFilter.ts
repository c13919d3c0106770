import { useSearchParams } from 'react-router-dom';

/**
 * A list's filter lives in the URL: a filtered list can be bookmarked, shared with a colleague, or
 * saved as a named view, and Back returns to it.
 */
export function useListFilter<K extends string>(keys: readonly K[]) {
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(keys.map((k) => [k, params.get(k) ?? undefined])) as Record<K, string | undefined>;
  const page = Number(params.get('page') ?? '1') || 1;
  // From the URL as it is now, not as it was when a component rendered: a widget calling back late
  // (an input's blur, a number box settling) must not undo a filter set in between.
  const set = (changes: Partial<Record<K | 'page', string | undefined>>) => {
    const current = new URLSearchParams(window.location.search);
    const next = new URLSearchParams(current);
    for (const [k, v] of Object.entries(changes) as [string, string | undefined][]) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (next.toString() === current.toString()) return;
    if (!('page' in changes)) next.delete('page');
    setParams(next);
  };
  /** A table's pager on the URL's page, counting in the list's own word ("hồ sơ", "nhiệm vụ"). */
  const pagination = (pageSize: number, total: number | undefined, unit: string) => ({
    current: page,
    pageSize,
    total,
    showSizeChanger: false,
    showTotal: (t: number) => `${t} ${unit}`,
    onChange: (p: number) => set({ page: String(p) } as Partial<Record<K | 'page', string>>),
  });
  return { filter, page, set, pagination, query: params.toString() };
}
