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
    version: 4,
    name: 'shared budget: sends held to a deadline, a sliding window, pause and slowdown shared',
    sql: `
      -- The pause after a 429 and the slowdown after 5xx, for every process (on the DB clock);
      -- next_slot: where the cadence puts the next grant (docs/decisions/shared-budget.md).
      ALTER TABLE upstream_budget
        ADD COLUMN pause_until timestamptz,
        ADD COLUMN slowdown double precision NOT NULL DEFAULT 1,
        ADD COLUMN next_slot timestamptz;
      -- A grant is sent by its sender (sent_at, the sender's clock) or given back (released_at):
      -- a grant given back was never sent and no longer counts in the window.
      ALTER TABLE upstream_grants
        ADD COLUMN id bigserial,
        ADD COLUMN slack_ms double precision,
        -- The rate the grant was decided at: maxRequests lowered by the shared slowdown.
        ADD COLUMN effective_max integer,
        ADD COLUMN sent_at timestamptz,
        ADD COLUMN released_at timestamptz;
      CREATE UNIQUE INDEX upstream_grants_id ON upstream_grants (id);
      CREATE INDEX upstream_grants_live ON upstream_grants (host, at DESC) WHERE released_at IS NULL;

      -- Grants one start at the next slot when it is at most p_ahead_ms away (wait_ms: how far),
      -- or answers how many ms to wait before asking again. A grant holds for p_slack_ms after
      -- its slot: any max+1 live grants span window + slack, so any max+1 sends span a window.
      CREATE FUNCTION tm_budget_grant(
        p_host text, p_max integer, p_window_ms double precision, p_slack_ms double precision,
        p_ahead_ms double precision, p_priority boolean, p_lane text, p_process text
      ) RETURNS TABLE (granted boolean, wait_ms double precision, grant_id bigint,
                       pause_ms double precision, slowdown double precision, effective_max integer)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        b upstream_budget%ROWTYPE;
        t timestamptz;
        ready timestamptz;
        m integer;
        span interval := make_interval(secs => (p_window_ms + p_slack_ms) / 1000.0);
        step interval := interval '0';
        nth timestamptz;
        gid bigint;
        pause double precision;
        ahead interval := make_interval(secs => p_ahead_ms / 1000.0);
      BEGIN
        INSERT INTO upstream_budget (host) VALUES (p_host) ON CONFLICT (host) DO NOTHING;
        SELECT * INTO b FROM upstream_budget WHERE host = p_host FOR UPDATE;
        t := clock_timestamp();
        ready := t;
        pause := greatest(0, coalesce(extract(epoch FROM b.pause_until - t) * 1000, 0));
        IF p_max > 0 THEN
          m := greatest(1, floor(p_max / b.slowdown))::integer;
          step := span / m;
          -- The cadence (evenly spread), half a step of catch-up after a late grant, the pause.
          ready := greatest(t, b.pause_until, b.next_slot, b.last_start + step / 2);
          -- The hard rule: at most m live grants in any window + slack.
          SELECT g.at INTO nth FROM upstream_grants g
            WHERE g.host = p_host AND g.released_at IS NULL
            ORDER BY g.at DESC OFFSET m - 1 LIMIT 1;
          ready := greatest(ready, nth + span);
          IF NOT p_priority AND b.priority_until > t THEN
            ready := greatest(ready, b.priority_until);
          END IF;
          IF ready > t + ahead THEN
            IF p_priority THEN
              -- Hold the next start for this lane: others wait one step past it.
              UPDATE upstream_budget SET priority_until = ready + step WHERE host = p_host;
            END IF;
            -- Ask again when the slot is within reach.
            RETURN QUERY SELECT false,
              greatest(1, extract(epoch FROM ready - t - ahead / 2) * 1000)::double precision,
              NULL::bigint, pause, b.slowdown, m;
            RETURN;
          END IF;
        END IF;
        UPDATE upstream_budget SET
          last_start = ready,
          next_slot = CASE WHEN p_max > 0
            THEN greatest(coalesce(b.next_slot, ready), ready - step / 2) + step END,
          priority_until = CASE WHEN p_priority THEN NULL ELSE b.priority_until END,
          granted = b.granted + 1
        WHERE host = p_host;
        INSERT INTO upstream_grants (host, at, lane, priority, process, slack_ms, effective_max)
          VALUES (p_host, ready, p_lane, p_priority, p_process, p_slack_ms, m)
          RETURNING id INTO gid;
        IF b.granted % 1000 = 999 THEN
          DELETE FROM upstream_grants WHERE host = p_host AND at < t - interval '1 hour';
        END IF;
        RETURN QUERY SELECT true, (extract(epoch FROM ready - t) * 1000)::double precision, gid,
          pause, b.slowdown, m;
      END
      $fn$;

      -- A grant given back (never sent: it expired before the send, or was not used). It leaves
      -- the window, and the cadence may offer its slot again: the next grant need not wait a
      -- whole step for a start that never happened.
      CREATE FUNCTION tm_budget_release(p_id bigint) RETURNS void
      LANGUAGE plpgsql AS $fn$
      DECLARE
        g upstream_grants%ROWTYPE;
      BEGIN
        SELECT * INTO g FROM upstream_grants WHERE id = p_id;
        IF NOT FOUND OR g.sent_at IS NOT NULL OR g.released_at IS NOT NULL THEN RETURN; END IF;
        PERFORM 1 FROM upstream_budget WHERE host = g.host FOR UPDATE;
        UPDATE upstream_grants SET released_at = clock_timestamp() WHERE id = p_id;
        UPDATE upstream_budget SET next_slot = least(next_slot, greatest(g.at, clock_timestamp()))
          WHERE host = g.host;
      END
      $fn$;

      -- An upstream answer seen by any process: a 429 pauses every process, a 5xx slows all down,
      -- a success speeds them up a little again. Answers the pause left and the slowdown. The
      -- caller names the pause of a 429 without Retry-After (the scheduler's window).
      CREATE FUNCTION tm_budget_report(
        p_host text, p_status integer, p_retry_after_ms double precision
      ) RETURNS TABLE (pause_ms double precision, slowdown double precision)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        b upstream_budget%ROWTYPE;
        t timestamptz;
      BEGIN
        INSERT INTO upstream_budget (host) VALUES (p_host) ON CONFLICT (host) DO NOTHING;
        SELECT * INTO b FROM upstream_budget WHERE host = p_host FOR UPDATE;
        t := clock_timestamp();
        IF p_status = 429 OR coalesce(p_retry_after_ms, 0) > 0 THEN
          UPDATE upstream_budget u SET
            pause_until = greatest(b.pause_until,
              t + make_interval(secs => coalesce(p_retry_after_ms, 0) / 1000.0)),
            slowdown = least(8, b.slowdown * 2)
          WHERE u.host = p_host RETURNING * INTO b;
        ELSIF p_status >= 500 THEN
          UPDATE upstream_budget u SET slowdown = least(8, b.slowdown * 1.5)
          WHERE u.host = p_host RETURNING * INTO b;
        ELSIF p_status < 400 AND b.slowdown > 1 THEN
          UPDATE upstream_budget u SET slowdown = greatest(1, b.slowdown * 0.9)
          WHERE u.host = p_host RETURNING * INTO b;
        END IF;
        RETURN QUERY SELECT
          greatest(0, coalesce(extract(epoch FROM b.pause_until - t) * 1000, 0))::double precision,
          b.slowdown;
      END
      $fn$;
    `,
  },
  {
    version: 5,
    name: 'snapshot generations and the series index',
    sql: `
      -- Each commit of a snapshot takes the next value, so readers in every process reload only
      -- the dates whose generation changed (docs/performance.md#coverage-index).
      CREATE SEQUENCE snapshot_generation;
      ALTER TABLE snapshots
        ADD COLUMN generation bigint NOT NULL DEFAULT nextval('snapshot_generation');
      -- Per date, the figures the series endpoints show, written in the commit's transaction;
      -- each entry names the sha256 of the file it came from (src/server/storage/series-index.ts).
      ALTER TABLE snapshots ADD COLUMN series_index text;
    `,
  },
  {
    version: 6,
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
  {
    version: 7,
    name: 'raw CSV bodies by data month',
    sql: `
      -- Both data months of one as-of keep their bodies (docs/architecture.md#one-as-of-two-data-months):
      -- keyed by the body's footer month (YYYY-MM), '' for a body stored without a footer.
      ALTER TABLE raw_csv_bodies ADD COLUMN data_month text NOT NULL DEFAULT '';
      UPDATE raw_csv_bodies SET data_month = coalesce(meta->'footer'->>'dataMonth', '');
      ALTER TABLE raw_csv_bodies DROP CONSTRAINT raw_csv_bodies_pkey;
      ALTER TABLE raw_csv_bodies ADD PRIMARY KEY (as_of, report, district_id, data_month);
    `,
  },
  {
    version: 8,
    name: 'job state as a checkpoint of its events',
    sql: `
      -- state is the fold of events 1..state_seq, not necessarily of every event: a job's
      -- current state is that checkpoint with events state_seq+1..event_count folded in, so an
      -- append writes its event and the row's counters, and the whole state only now and then
      -- (docs/performance.md#ledger-in-postgresql). Rows written before hold the full fold.
      ALTER TABLE backfill_jobs ADD COLUMN state_seq integer;
      UPDATE backfill_jobs SET state_seq = event_count;
      ALTER TABLE backfill_jobs ALTER COLUMN state_seq SET NOT NULL;
    `,
  },
]
