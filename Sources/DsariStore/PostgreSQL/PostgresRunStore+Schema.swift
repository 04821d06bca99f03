extension PostgresRunStore {
    /// The transaction-scoped advisory lock under which runs are numbered (`dsari_seq`).
    static let numberingLock: Int64 = 7_428_351_102

    /// dsari 2.0's two tables exactly as it creates them (SPEC §6a), so that
    /// either program can use the other's database.
    static let dsariTables = """
        CREATE TABLE IF NOT EXISTS runs (
            job_name text NOT NULL, run_id uuid PRIMARY KEY, schedule_time timestamp NOT NULL,
            start_time timestamp NOT NULL, stop_time timestamp NOT NULL, exit_code smallint NOT NULL,
            trigger_type text NOT NULL, trigger_data json NOT NULL, run_data json NOT NULL
        );
        CREATE TABLE IF NOT EXISTS runs_running (
            job_name text NOT NULL, run_id uuid PRIMARY KEY, schedule_time timestamp NOT NULL,
            start_time timestamp NOT NULL, trigger_type text NOT NULL, trigger_data json NOT NULL, run_data json NOT NULL
        );
        CREATE TABLE IF NOT EXISTS dsari_swift_migrations (version integer PRIMARY KEY, applied_at double precision);
        """

    /// Our additions, applied in order once each and recorded in
    /// `dsari_swift_migrations` (columns dsari 2.0 does not name are
    /// nullable or have defaults, so its INSERTs keep working).
    static let migrations: [(version: Int, sql: String)] = [
        (
            1,
            """
            ALTER TABLE runs ADD COLUMN IF NOT EXISTS host_name text;
            ALTER TABLE runs_running ADD COLUMN IF NOT EXISTS host_name text;
            CREATE INDEX IF NOT EXISTS dsari_swift_runs_host_job_stop ON runs (host_name, job_name, stop_time);
            CREATE INDEX IF NOT EXISTS dsari_swift_runs_running_host ON runs_running (host_name);
            """
        ),
        (
            // The ordered key readers follow (`dsari_seq > cursor`): assigned
            // by a trigger under a transaction-scoped advisory lock, so
            // numbers are handed out in commit order and a reader never
            // skips a row another transaction commits later with a smaller
            // number (a plain sequence default could). Rows dsari 2.0 wrote
            // before get numbers in stop-time order.
            2,
            """
            CREATE SEQUENCE IF NOT EXISTS dsari_swift_runs_seq;
            ALTER TABLE runs ADD COLUMN IF NOT EXISTS dsari_seq bigint;
            UPDATE runs SET dsari_seq = numbered.seq FROM (
                SELECT run_id, nextval('dsari_swift_runs_seq') AS seq FROM (
                    SELECT run_id FROM runs WHERE dsari_seq IS NULL ORDER BY stop_time, run_id
                ) AS ordered
            ) AS numbered WHERE runs.run_id = numbered.run_id;
            CREATE UNIQUE INDEX IF NOT EXISTS dsari_swift_runs_seq_index ON runs (dsari_seq);
            CREATE OR REPLACE FUNCTION dsari_swift_number_run() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_advisory_xact_lock(\(numberingLock));
                NEW.dsari_seq := nextval('dsari_swift_runs_seq');
                RETURN NEW;
            END $$;
            DROP TRIGGER IF EXISTS dsari_swift_number_run ON runs;
            CREATE TRIGGER dsari_swift_number_run BEFORE INSERT ON runs FOR EACH ROW EXECUTE FUNCTION dsari_swift_number_run();
            """
        ),
        (
            // What each host's daemon plans (see `DaemonPlan`).
            3,
            """
            CREATE TABLE IF NOT EXISTS dsari_swift_next_runs (
                host_name text NOT NULL, job_name text NOT NULL, next_run_time double precision NOT NULL,
                PRIMARY KEY (host_name, job_name)
            );
            CREATE TABLE IF NOT EXISTS dsari_swift_daemon (
                host_name text PRIMARY KEY, pid integer, start_time double precision,
                shutdown_start_time double precision, stop_time double precision
            );
            """
        ),
    ]

    /// Whether a dsari-swift daemon has set the database up (its tables and
    /// every migration this build knows): a reader finds nothing to read before.
    public func isSetUp() throws -> Bool {
        try withConnection { db in
            let exists = try db.query("SELECT to_regclass('dsari_swift_migrations') IS NOT NULL")
            guard exists.text(0, 0) == "t" else { return false }
            let version = try db.query("SELECT coalesce(max(version), 0) FROM dsari_swift_migrations").integer(0, 0) ?? 0
            return version >= Int64(Self.migrations.count)
        }
    }

    /// Creates what is missing and applies pending migrations, in one
    /// transaction under an advisory lock: several daemons starting at once
    /// migrate once.
    static func migrate(_ connection: PostgresConnection) throws {
        try connection.transaction {
            try connection.execute("SELECT pg_advisory_xact_lock(7428351101)")
            try connection.execute(dsariTables)
            let applied = try connection.query("SELECT coalesce(max(version), 0) FROM dsari_swift_migrations")
            let current = applied.integer(0, 0) ?? 0
            for migration in migrations where migration.version > current {
                try connection.execute(migration.sql)
                try connection.query(
                    "INSERT INTO dsari_swift_migrations (version, applied_at) VALUES ($1, extract(epoch FROM now()))",
                    [String(migration.version)])
            }
        }
    }
}
