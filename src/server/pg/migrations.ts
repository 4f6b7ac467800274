/**
 * The PostgreSQL schema, as ordered migrations. A migration is never edited once released: a
 * change is a new entry with the next version.
 */
export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'snapshot store',
    sql: `
      -- One row per published snapshot. metadata_text is the exact metadata JSON whose sha256
      -- the manifest records (manifest.metadataSha256), as in the file layout.
      CREATE TABLE snapshots (
        as_of date PRIMARY KEY,
        manifest jsonb NOT NULL,
        metadata_text text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      -- District files and all-districts.json: the exact bytes the manifest hashes.
      CREATE TABLE snapshot_files (
        as_of date NOT NULL REFERENCES snapshots (as_of) ON DELETE CASCADE,
        name text NOT NULL,
        body bytea NOT NULL,
        sha256 char(64) NOT NULL,
        size_bytes integer NOT NULL,
        PRIMARY KEY (as_of, name)
      );
      CREATE TABLE current_snapshot (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        pointer jsonb NOT NULL
      );
      -- Upstream bodies exactly as received; district_id '' stands for "no district".
      CREATE TABLE raw_csv_bodies (
        as_of date NOT NULL,
        report text NOT NULL,
        district_id text NOT NULL,
        body bytea NOT NULL,
        meta jsonb NOT NULL,
        size_bytes integer NOT NULL,
        PRIMARY KEY (as_of, report, district_id)
      );
      CREATE TABLE district_config (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        districts text[] NOT NULL,
        updated_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'backfill jobs and their events',
    sql: `
      -- One row per job: what list filters on, and the job reducer's fold of its events
      -- (docs/architecture.md#the-job-model). Events are the record; state is their fold.
      CREATE TABLE backfill_jobs (
        backfill_id text PRIMARY KEY,
        -- Ties of created_at list in the order jobs were queued.
        ord bigserial NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        status text NOT NULL,
        kind text NOT NULL,
        district_id text,
        target_districts text[] NOT NULL,
        ended_at timestamptz,
        state jsonb NOT NULL,
        -- Facts learned at planning (newest published as-of): not part of the record.
        hints jsonb NOT NULL,
        event_count integer NOT NULL
      );
      CREATE INDEX backfill_jobs_status ON backfill_jobs (status, created_at);
      CREATE TABLE backfill_job_events (
        backfill_id text NOT NULL REFERENCES backfill_jobs (backfill_id) ON DELETE CASCADE,
        seq integer NOT NULL,
        event jsonb NOT NULL,
        PRIMARY KEY (backfill_id, seq)
      );
      -- A date's summary, stored by the date slice for the cell slices of that date, so
      -- they need no second request for it. Removed with the job.
      CREATE TABLE backfill_date_summaries (
        backfill_id text NOT NULL REFERENCES backfill_jobs (backfill_id) ON DELETE CASCADE,
        date date NOT NULL,
        summary jsonb NOT NULL,
        PRIMARY KEY (backfill_id, date)
      );
      -- Periodic work that must run once across every process (the automatic refresh).
      CREATE TABLE scheduled_runs (
        name text PRIMARY KEY,
        last_run_at timestamptz NOT NULL
      );
    `,
  },
]
