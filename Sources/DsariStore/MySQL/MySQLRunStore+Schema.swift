import DsariCore

extension MySQLRunStore {
    /// dsari 2.0's two tables exactly as it creates them (SPEC §6a), so that
    /// either program can use the other's database.
    static let dsariTables = [
        """
        CREATE TABLE IF NOT EXISTS runs (job_name varchar(255) NOT NULL, run_id char(36) PRIMARY KEY,
            schedule_time datetime(6) NOT NULL, start_time datetime(6) NOT NULL, stop_time datetime(6) NOT NULL,
            exit_code tinyint unsigned NOT NULL, trigger_type varchar(127) NOT NULL, trigger_data text NOT NULL, run_data text NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS runs_running (job_name varchar(255) NOT NULL, run_id char(36) PRIMARY KEY,
            schedule_time datetime(6) NOT NULL, start_time datetime(6) NOT NULL, trigger_type varchar(127) NOT NULL,
            trigger_data text NOT NULL, run_data text NOT NULL)
        """,
        "CREATE TABLE IF NOT EXISTS dsari_swift_migrations (version integer PRIMARY KEY, applied_at double)",
    ]

    /// One step of a migration: a statement, and how to tell it is already
    /// done. MySQL commits each DDL statement on its own, so a migration cut
    /// short (a crash, a lost server) is resumed step by step at the next
    /// start rather than rolled back.
    struct Step: Sendable {
        let apply: @Sendable (MySQLConnection) throws -> Void
        let done: @Sendable (MySQLConnection) throws -> Bool

        init(sql: String, done: @escaping @Sendable (MySQLConnection) throws -> Bool) {
            self.apply = { try $0.execute(sql) }
            self.done = done
        }

        init(apply: @escaping @Sendable (MySQLConnection) throws -> Void) {
            self.apply = apply
            self.done = { _ in false }
        }

        static func always(_ sql: String) -> Step { Step(sql: sql) { _ in false } }

        static func column(_ table: String, _ column: String, _ sql: String) -> Step {
            Step(sql: sql) { db in
                try db.query(
                    """
                    SELECT 1 FROM information_schema.columns
                    WHERE table_schema = DATABASE() AND table_name = '\(table)' AND column_name = '\(column)'
                    """
                ).count > 0
            }
        }

        static func index(_ table: String, _ index: String, _ sql: String) -> Step {
            Step(sql: sql) { db in
                try db.query(
                    """
                    SELECT 1 FROM information_schema.statistics
                    WHERE table_schema = DATABASE() AND table_name = '\(table)' AND index_name = '\(index)'
                    """
                ).count > 0
            }
        }

        static func trigger(_ name: String, _ sql: String) -> Step {
            Step(sql: sql) { db in
                try db.query("SELECT 1 FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name = '\(name)'")
                    .count > 0
            }
        }
    }

    /// Our additions, applied in order once each and recorded in
    /// `dsari_swift_migrations`. Columns dsari 2.0 does not name are
    /// nullable, so its INSERTs keep working; what it reads keeps its type
    /// family (a wider integer, a longer text).
    static let migrations: [(version: Int, steps: [Step])] = [
        (
            1,
            [
                // utf8mb4 with binary comparison: every character survives
                // (emoji in plugin output), job names compare exactly as
                // dsari compares them, run ids sort as bytes.
                .always("ALTER TABLE runs CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
                .always("ALTER TABLE runs_running CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"),
                // -1 (interrupted) and 128 + signal fit; JSON past 64 KB (long plugin output) fits.
                .always(
                    """
                    ALTER TABLE runs MODIFY exit_code smallint NOT NULL, MODIFY trigger_data mediumtext NOT NULL,
                        MODIFY run_data mediumtext NOT NULL
                    """),
                .always("ALTER TABLE runs_running MODIFY trigger_data mediumtext NOT NULL, MODIFY run_data mediumtext NOT NULL"),
                .column("runs", "host_name", "ALTER TABLE runs ADD COLUMN host_name varchar(255) NULL"),
                .column("runs_running", "host_name", "ALTER TABLE runs_running ADD COLUMN host_name varchar(255) NULL"),
                .index(
                    "runs", "dsari_swift_runs_host_job_stop",
                    "CREATE INDEX dsari_swift_runs_host_job_stop ON runs (host_name, job_name, stop_time)"),
                .index(
                    "runs_running", "dsari_swift_runs_running_host",
                    "CREATE INDEX dsari_swift_runs_running_host ON runs_running (host_name)"),
            ]
        ),
        (
            // The ordered key readers follow (`dsari_seq > cursor`): taken
            // from a one-row counter by a trigger, whose row lock is held
            // to the commit, so numbers are handed out in commit order and a
            // reader never skips a row another transaction commits later
            // with a smaller number (AUTO_INCREMENT could). dsari 2.0's
            // INSERTs get numbers too. Rows written before are numbered in
            // stop-time order.
            2,
            [
                .always("CREATE TABLE IF NOT EXISTS dsari_swift_runs_counter (id integer PRIMARY KEY, last bigint NOT NULL)"),
                .always("INSERT IGNORE INTO dsari_swift_runs_counter (id, last) VALUES (1, 0)"),
                .column("runs", "dsari_seq", "ALTER TABLE runs ADD COLUMN dsari_seq bigint NULL"),
                .trigger(
                    "dsari_swift_number_run",
                    """
                    CREATE TRIGGER dsari_swift_number_run BEFORE INSERT ON runs FOR EACH ROW
                    BEGIN
                        UPDATE dsari_swift_runs_counter SET last = last + 1 WHERE id = 1;
                        SET NEW.dsari_seq = (SELECT last FROM dsari_swift_runs_counter WHERE id = 1);
                    END
                    """),
                // In one transaction holding the counter: dsari 2.0 may be inserting meanwhile.
                Step { db in
                    try db.batch([
                        "SELECT last INTO @dsari_swift_last FROM dsari_swift_runs_counter WHERE id = 1 FOR UPDATE",
                        """
                        UPDATE runs SET dsari_seq = (@dsari_swift_last := @dsari_swift_last + 1)
                        WHERE dsari_seq IS NULL ORDER BY stop_time, run_id
                        """,
                        "UPDATE dsari_swift_runs_counter SET last = @dsari_swift_last WHERE id = 1",
                    ])
                },
                .index("runs", "dsari_swift_runs_seq_index", "CREATE UNIQUE INDEX dsari_swift_runs_seq_index ON runs (dsari_seq)"),
            ]
        ),
        (
            // What each host's daemon plans (see `DaemonPlan`).
            3,
            [
                .always(
                    """
                    CREATE TABLE IF NOT EXISTS dsari_swift_next_runs (host_name varchar(255) NOT NULL, job_name varchar(255) NOT NULL,
                        next_run_time double NOT NULL, PRIMARY KEY (host_name, job_name)) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
                    """),
                .always(
                    """
                    CREATE TABLE IF NOT EXISTS dsari_swift_daemon (host_name varchar(255) PRIMARY KEY, pid integer, start_time double,
                        shutdown_start_time double, stop_time double) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
                    """),
            ]
        ),
        (
            // The exporter's incremental read from one index: whether a run
            // carries a check result as a stored column (a text search for
            // the key `NagiosField.runDataKey` and a colon in the compact JSON we write — a key is the
            // only place a quoted word is followed by a colon; a nested object
            // with that key reads as a candidate whose run data then decodes
            // to no check), and an index holding every column that read needs.
            4,
            [
                .column(
                    "runs", "dsari_check",
                    """
                    ALTER TABLE runs ADD COLUMN dsari_check tinyint AS (LOCATE('"\(NagiosField.runDataKey)":', run_data) > 0) STORED
                    """),
                .index(
                    "runs", "dsari_swift_runs_exporter",
                    """
                    CREATE INDEX dsari_swift_runs_exporter
                    ON runs (dsari_seq, host_name, job_name, schedule_time, start_time, stop_time, exit_code, dsari_check)
                    """),
            ]
        ),
    ]

    /// Whether a dsari-swift daemon has set the database up (its tables and
    /// every migration this build knows): a reader finds nothing to read before.
    public func isSetUp() throws -> Bool {
        try withConnection { db in
            let exists = try db.query(
                "SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = 'dsari_swift_migrations'")
            guard exists.count > 0 else { return false }
            let version = try db.query("SELECT COALESCE(MAX(version), 0) FROM dsari_swift_migrations").integer(0, 0) ?? 0
            return version >= Int64(Self.migrations.count)
        }
    }

    /// The name of the lock under which daemons starting at once migrate one at a time.
    static let migrationLock = "dsari_swift_migrate"

    /// Creates what is missing and applies pending migrations, one daemon at
    /// a time (a named lock, `GET_LOCK`).
    static func migrate(_ db: MySQLConnection) throws {
        let lock = db.literal(migrationLock)
        guard try db.query("SELECT GET_LOCK(\(lock), 120)").integer(0, 0) == 1 else {
            throw RunStoreError(.locked, operation: "migrate", message: "another daemon held the migration lock for 120 s")
        }
        defer { _ = try? db.query("SELECT RELEASE_LOCK(\(lock))") }
        for sql in dsariTables { try db.execute(sql) }
        let current = try db.query("SELECT COALESCE(MAX(version), 0) FROM dsari_swift_migrations").integer(0, 0) ?? 0
        for migration in migrations where migration.version > current {
            for step in migration.steps where try !step.done(db) {
                try step.apply(db)
            }
            try db.execute("INSERT INTO dsari_swift_migrations (version, applied_at) VALUES (\(migration.version), UNIX_TIMESTAMP())")
        }
    }
}
