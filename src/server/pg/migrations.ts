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
  {
    version: 3,
    name: 'shared politeness budget, circuit state and alerts',
    sql: `
      -- One row per upstream host: the last start any process was granted, on the database's
      -- clock, and where the cadence puts the next one (docs/decisions/shared-budget.md).
      CREATE TABLE upstream_budget (
        host text PRIMARY KEY,
        last_start timestamptz,
        next_on_cadence timestamptz,
        -- A priority lane (the refresh) waits for the next start: no other lane gets it.
        priority_until timestamptz,
        granted bigint NOT NULL DEFAULT 0
      );
      -- Every start granted, for audit and tests; pruned to the last hour.
      CREATE TABLE upstream_grants (
        host text NOT NULL,
        at timestamptz NOT NULL,
        lane text NOT NULL,
        priority boolean NOT NULL,
        process text NOT NULL
      );
      CREATE INDEX upstream_grants_host_at ON upstream_grants (host, at);

      -- Grants one start now, or answers how many ms to wait, deciding under the host's row lock
      -- with clock_timestamp(): processes on machines with skewed clocks still agree.
      CREATE FUNCTION tm_budget_acquire(
        p_host text, p_spacing_ms double precision, p_headroom double precision,
        p_priority boolean, p_lane text, p_process text
      ) RETURNS TABLE (granted boolean, wait_ms double precision, granted_at timestamptz)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        b upstream_budget%ROWTYPE;
        t timestamptz;
        ready timestamptz;
        spacing interval := make_interval(secs => p_spacing_ms / 1000.0);
      BEGIN
        INSERT INTO upstream_budget (host) VALUES (p_host) ON CONFLICT (host) DO NOTHING;
        SELECT * INTO b FROM upstream_budget WHERE host = p_host FOR UPDATE;
        t := clock_timestamp();
        ready := greatest(t, b.last_start + spacing, b.next_on_cadence - spacing * p_headroom);
        IF NOT p_priority AND b.priority_until > t THEN
          ready := greatest(ready, b.priority_until);
        END IF;
        IF ready > t THEN
          IF p_priority THEN
            -- Hold the next start for this lane: others wait one spacing past it.
            UPDATE upstream_budget SET priority_until = ready + spacing WHERE host = p_host;
          END IF;
          RETURN QUERY SELECT false, (extract(epoch FROM ready - t) * 1000)::double precision,
            NULL::timestamptz;
          RETURN;
        END IF;
        UPDATE upstream_budget SET
          last_start = t,
          next_on_cadence = greatest(coalesce(b.next_on_cadence, t), t) + spacing * (1 + p_headroom),
          priority_until = CASE WHEN p_priority THEN NULL ELSE b.priority_until END,
          granted = b.granted + 1
        WHERE host = p_host;
        INSERT INTO upstream_grants (host, at, lane, priority, process)
          VALUES (p_host, t, p_lane, p_priority, p_process);
        IF b.granted % 1000 = 999 THEN
          DELETE FROM upstream_grants WHERE host = p_host AND at < t - interval '1 hour';
        END IF;
        RETURN QUERY SELECT true, 0.0::double precision, t;
      END
      $fn$;

      -- The circuit per upstream host, shared: a transition is one row update, made by one process.
      CREATE TABLE upstream_circuit (
        host text PRIMARY KEY,
        state text NOT NULL DEFAULT 'closed' CHECK (state IN ('closed', 'open', 'half-open')),
        failures integer NOT NULL DEFAULT 0,
        reason text,
        opened_at timestamptz,
        outage_since timestamptz,
        -- The half-open probe in flight, claimed by one process until then.
        probe_until timestamptz
      );

      -- May this process send? 'go' (closed, or the probe it just claimed) or 'wait' until when.
      CREATE FUNCTION tm_circuit_check(p_host text, p_open_ms double precision, p_probe_ms double precision)
      RETURNS TABLE (decision text, probe boolean, wait_ms double precision, state text,
                     failures integer, reason text, opened_at timestamptz, outage_since timestamptz)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        c upstream_circuit%ROWTYPE;
        t timestamptz := clock_timestamp();
        probe_at timestamptz;
      BEGIN
        SELECT * INTO c FROM upstream_circuit WHERE host = p_host;
        IF NOT FOUND OR c.state = 'closed' THEN
          RETURN QUERY SELECT 'go', false, 0.0::double precision, 'closed'::text,
            coalesce(c.failures, 0), NULL::text, NULL::timestamptz, NULL::timestamptz;
          RETURN;
        END IF;
        SELECT * INTO c FROM upstream_circuit WHERE host = p_host FOR UPDATE;
        probe_at := c.opened_at + make_interval(secs => p_open_ms / 1000.0);
        IF t >= probe_at AND (c.probe_until IS NULL OR c.probe_until < t) THEN
          -- One probe at a time, for every process: this one claims it.
          UPDATE upstream_circuit SET state = 'half-open',
            probe_until = t + make_interval(secs => p_probe_ms / 1000.0)
          WHERE host = p_host RETURNING * INTO c;
          RETURN QUERY SELECT 'go', true, 0.0::double precision, c.state, c.failures, c.reason,
            c.opened_at, c.outage_since;
          RETURN;
        END IF;
        RETURN QUERY SELECT 'wait', false,
          (extract(epoch FROM greatest(coalesce(c.probe_until, probe_at), probe_at) - t) * 1000)::double precision,
          c.state, c.failures, c.reason, c.opened_at, c.outage_since;
      END
      $fn$;

      -- A failed request: counts it; opens the circuit (once, whoever's failure it was) at the
      -- threshold or when the probe failed. opened = this call made the transition.
      CREATE FUNCTION tm_circuit_failure(p_host text, p_threshold integer, p_reason text, p_probe boolean)
      RETURNS TABLE (opened boolean, state text, failures integer, reason text,
                     opened_at timestamptz, outage_since timestamptz)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        c upstream_circuit%ROWTYPE;
        t timestamptz := clock_timestamp();
      BEGIN
        INSERT INTO upstream_circuit (host) VALUES (p_host) ON CONFLICT (host) DO NOTHING;
        SELECT * INTO c FROM upstream_circuit WHERE host = p_host FOR UPDATE;
        IF (c.state = 'half-open' AND p_probe)
           OR (c.state = 'closed' AND c.failures + 1 >= p_threshold) THEN
          UPDATE upstream_circuit SET state = 'open', failures = c.failures + 1, reason = p_reason,
            opened_at = t, outage_since = coalesce(c.outage_since, t), probe_until = NULL
          WHERE host = p_host RETURNING * INTO c;
          RETURN QUERY SELECT true, c.state, c.failures, c.reason, c.opened_at, c.outage_since;
          RETURN;
        END IF;
        UPDATE upstream_circuit SET failures = c.failures + 1,
          reason = CASE WHEN c.state = 'closed' THEN c.reason ELSE p_reason END
        WHERE host = p_host RETURNING * INTO c;
        RETURN QUERY SELECT false, c.state, c.failures, c.reason, c.opened_at, c.outage_since;
      END
      $fn$;

      CREATE TABLE alerts (
        seq bigserial PRIMARY KEY,
        id text NOT NULL UNIQUE,
        -- The same event raised by several processes is one alert (and one webhook delivery).
        dedupe_key text UNIQUE,
        kind text NOT NULL,
        severity text NOT NULL,
        message text NOT NULL,
        at timestamptz NOT NULL,
        details jsonb NOT NULL,
        delivery jsonb
      );
    `,
  },
  {
    version: 7,
    name: 'one as-of, two data months',
    sql: `
      -- An intraday rollover leaves two data months under one as-of
      -- (docs/architecture.md#one-as-of-two-data-months): the first stored keeps month '',
      -- the other is keyed by its month (YYYY-MM), as snapshots/<asOf>_<YYYY-MM>/ on disk.
      ALTER TABLE snapshot_files DROP CONSTRAINT snapshot_files_as_of_fkey;
      ALTER TABLE snapshot_files DROP CONSTRAINT snapshot_files_pkey;
      ALTER TABLE snapshots DROP CONSTRAINT snapshots_pkey;
      ALTER TABLE snapshots ADD COLUMN other_month text NOT NULL DEFAULT '';
      ALTER TABLE snapshot_files ADD COLUMN other_month text NOT NULL DEFAULT '';
      ALTER TABLE snapshots ADD PRIMARY KEY (as_of, other_month);
      ALTER TABLE snapshot_files ADD PRIMARY KEY (as_of, other_month, name);
      ALTER TABLE snapshot_files ADD FOREIGN KEY (as_of, other_month)
        REFERENCES snapshots (as_of, other_month) ON DELETE CASCADE;
    `,
  },
]
