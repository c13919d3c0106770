/**
 * Runs `task` for every item with at most `limit` running at once, in the items' order of start.
 * Bulk actions use it: one at a time is too slow for a thousand dossiers, all at once would flood
 * Temporal and the database.
 */
export async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
