/**
 * The `records` port: how record nodes reach collections. The server's
 * implementation is the record service (`src/collections/records.ts`) over
 * the store; tests may hand in a fake. Errors it throws as `HookflowError`
 * with a client fault (bad values, unknown fields, a broken unique field)
 * are the workflow's to fix, not to retry.
 */
export type RecordValues = Record<string, unknown>;

/** Every call takes the node's `signal`: an aborted run starts no new statement. */
export interface RecordsPort {
  /** Records matching `filter`, in `sort` order (default: creation order). */
  query(request: { collection: string; filter?: unknown; sort?: string | readonly string[]; limit?: number; offset?: number; signal?: AbortSignal }): Promise<RecordValues[]>;
  create(request: { collection: string; values: unknown; signal?: AbortSignal }): Promise<RecordValues>;
  /** Changes the one record `filter` matches: `not_found` when none does, `conflict` when several do. */
  updateOne(request: { collection: string; filter: unknown; values: unknown; signal?: AbortSignal }): Promise<RecordValues>;
  /** Changes the record `filter` matches, or creates it from the filter's `field: value` pairs plus `values`. */
  upsert(request: { collection: string; filter: unknown; values: unknown; signal?: AbortSignal }): Promise<RecordValues>;
  /** Deletes every record `filter` matches; resolves to the count. */
  deleteMany(request: { collection: string; filter: unknown; signal?: AbortSignal }): Promise<number>;
}

declare module '../../engine/ports.js' {
  interface EnginePorts {
    records: RecordsPort;
  }
}
