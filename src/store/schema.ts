
/**
 * The tables as Kysely sees them. JSON travels as text and timestamps as
 * ISO-8601 UTC text (fixed width, so they sort as text), booleans as 0/1:
 * the same column types on SQLite and PostgreSQL keep one code path.
 */
export interface Database {
  workflows: WorkflowTable;
  workflow_versions: WorkflowVersionTable;
  executions: ExecutionTable;
  jobs: JobTable;
  requests: RequestTable;
  api_tokens: ApiTokenTable;
  collections: CollectionTable;
  secrets: SecretTable;
  dedup_keys: DedupKeyTable;
}

export interface DedupKeyTable {
  workflow_id: string;
  key: string;
  execution_id: string;
  claimed_at: string;
  expires_at: string;
}

export interface WorkflowTable {
  id: string;
  key: string;
  title: string;
  enabled: number;
  version: number;
  path: string | null;
  definition: string;
  created_at: string;
  updated_at: string;
}

export interface WorkflowVersionTable {
  workflow_id: string;
  version: number;
  definition: string;
  created_at: string;
}

export interface ExecutionTable {
  id: string;
  workflow_id: string;
  workflow_version: number;
  status: string;
  mode: string;
  trigger: string;
  response: string | null;
  error: string | null;
  attempt: number;
  lease_owner: string | null;
  lease_until: string | null;
  request_id: string | null;
  retry_of: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** JSON array of the run's jobs when it finished before its first commit, else NULL and the jobs are rows of `jobs`. */
  jobs: string | null;
}

export interface JobTable {
  id: string;
  execution_id: string;
  seq: number;
  path: string;
  node_key: string;
  type: string;
  status: string;
  branch: string | null;
  input: string | null;
  output: string | null;
  error: string | null;
  attempts: number;
  started_at: string;
  finished_at: string;
  /** JSON array of text lines, or NULL. */
  logs: string | null;
}

export interface RequestTable {
  id: string;
  received_at: string;
  ip: string;
  method: string;
  path: string;
  workflow_id: string | null;
  execution_id: string | null;
  outcome: string;
  status: number;
  latency_ms: number;
  headers: string;
  reason: string | null;
  body_bytes: number;
}

export interface ApiTokenTable {
  id: string;
  name: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

/** A user collection's definition; its records live in the table `rec_<name>`. */
export interface CollectionTable {
  name: string;
  /** JSON: `[{ name, type, required, unique }]`. */
  fields: string;
  created_at: string;
  updated_at: string;
}

/** A stored secret: only its AES-256-GCM ciphertext (`secrets/cipher.ts`), never the value. */
export interface SecretTable {
  name: string;
  ciphertext: string;
  created_at: string;
  updated_at: string;
}
