extension SQLiteRunStore {
    /// Our schema changes, applied in order once each and recorded in
    /// `dsari_swift_migrations`. dsari's own two tables are created exactly
    /// as dsari creates them, so either program can open the file.
    static let migrations: [(version: Int, sql: String)] = [
        (
            1,
            """
            CREATE INDEX IF NOT EXISTS dsari_swift_runs_job_stop ON runs (job_name, stop_time);
            CREATE INDEX IF NOT EXISTS dsari_swift_runs_job_good_stop ON runs (job_name, (exit_code = 0), stop_time);
            CREATE INDEX IF NOT EXISTS dsari_swift_runs_run_id ON runs (run_id);
            CREATE INDEX IF NOT EXISTS dsari_swift_runs_running_run_id ON runs_running (run_id);
            """
        ),
        (
            2,
            """
            CREATE TABLE IF NOT EXISTS dsari_swift_next_runs (job_name text PRIMARY KEY, next_run_time real NOT NULL);
            CREATE TABLE IF NOT EXISTS dsari_swift_daemon (
                id integer PRIMARY KEY CHECK (id = 1), pid integer, start_time real, shutdown_start_time real, stop_time real
            );
            """
        ),
    ]

    static func migrate(_ db: SQLiteConnection) throws {
        try db.transaction {
            try db.execute(
                """
                CREATE TABLE IF NOT EXISTS runs (
                    job_name text, run_id text, schedule_time real, start_time real, stop_time real,
                    exit_code integer, trigger_type text, trigger_data text, run_data text
                );
                CREATE TABLE IF NOT EXISTS runs_running (
                    job_name text, run_id text, schedule_time real, start_time real,
                    trigger_type text, trigger_data text, run_data text
                );
                CREATE TABLE IF NOT EXISTS dsari_swift_migrations (version integer PRIMARY KEY, applied_at real);
                """)
            let applied = try db.prepare("SELECT COALESCE(MAX(version), 0) FROM dsari_swift_migrations")
            let current = try applied.step() ? Int(applied.integer(0)) : 0
            applied.reset()
            for migration in migrations where migration.version > current {
                try db.execute(migration.sql)
                try db.prepare("INSERT INTO dsari_swift_migrations (version, applied_at) VALUES (?, strftime('%s','now'))")
                    .run([.integer(Int64(migration.version))])
            }
        }
    }
}
