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
]
