/** One page of a newest-first list, and the cursor for the next (`null` on the last page). */
export interface Page<Item> {
  items: Item[];
  nextCursor: string | null;
}

export interface PageRequest {
  limit: number;
  /** The last id of the previous page: keyset pagination over time-ordered ids. */
  cursor?: string;
}

/**
 * Keyset pagination: `rows` were selected newest first, `id < cursor`, with
 * `limit + 1` rows, so one extra row says whether another page follows.
 */
export function pageOf<Row, Item extends { id: string }>(rows: readonly Row[], limit: number, toItem: (row: Row) => Item): Page<Item> {
  const items = rows.slice(0, limit).map(toItem);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}
