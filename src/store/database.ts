import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { startCheckpointer, type CheckpointerOptions } from './sqlite-checkpointer.js';

const require = createRequire(import.meta.url);

export type Dialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: Dialect;
  /** SQLite only: the driver itself, for the group commit's synchronous transactions (write-batcher.ts). */
  readonly sqlite?: SqliteHandle;
  /** Where the SQLite file lives, or a redacted PostgreSQL URL, for logs. */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * better-sqlite3 runs statements synchronously: a group commit through it is
 * one call with no awaits between its statements, where Kysely's async path
 * cost ~10 µs per webhook call (docs/benchmarks.md).
 */
export interface SqliteHandle {
  /** A prepared statement, cached by its text. */
  prepare(sql: string): BetterSqlite3.Statement;
  /** Runs `work` in a transaction: committed when it returns, rolled back if it throws. */
  transaction(work: () => void): void;
}

export type StoreOptions =
  | { kind: 'sqlite'; file: string; checkpoints?: Pick<CheckpointerOptions, 'intervalMs' | 'rewindFrames'> }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };

/** Picks the store from configuration: `DATABASE_URL` means PostgreSQL, else SQLite in the data folder. */
export function storeOptionsFromConfig(config: { databaseUrl: string | undefined; dataDir: string }): StoreOptions {
  if (config.databaseUrl) return { kind: 'postgres', url: config.databaseUrl };
  return { kind: 'sqlite', file: path.join(config.dataDir, 'hookflow.db') };
}

export function openStore(options: StoreOptions): Store {
  return options.kind === 'sqlite' ? openSqlite(options) : openPostgres(options);
}

function openSqlite({ file, checkpoints }: Extract<StoreOptions, { kind: 'sqlite' }>): Store {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL lets readers run beside the writer; NORMAL syncs at checkpoints, not at
  // every commit: a power cut may lose the last commits, a process crash loses none.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Checkpoints run on their own thread (sqlite-checkpointer.ts), not inside commits.
  sqlite.pragma('wal_autocheckpoint = 0');
  // A rewound WAL keeps its file for reuse, up to this size.
  sqlite.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
  const cached = withStatementCache(sqlite);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cached }) });
  const checkpointer = startCheckpointer({
    file,
    driverPath: require.resolve('better-sqlite3'),
    // Every write on this connection goes through Kysely's connection, the group commit's too (write-batcher.ts).
    pauseWrites: (checkpoint) => db.connection().execute(checkpoint),
    ...checkpoints,
  });
  const inTransaction = sqlite.transaction((work: () => void) => work());
  return {
    db,
    dialect: 'sqlite',
    sqlite: { prepare: (text) => cached.prepare(text), transaction: (work) => inTransaction(work) },
    location: file,
    close: async () => {
      await checkpointer.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every statement anew; better-sqlite3 statements are
 * reusable, and the hot path repeats the same few SQL texts, so keep them.
 */
function withStatementCache(sqlite: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const MAX_CACHED = 500;
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let statement = cache.get(sql);
      if (!statement) {
        if (cache.size >= MAX_CACHED) cache.clear();
        statement = sqlite.prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function openPostgres(options: { url: string; schema?: string; poolSize?: number }): Store {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', location: redactUrl(options.url), close: () => db.destroy() };
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres';
  }
}
