import DsariCore

extension RunStore {
    /// The times of a finished run, what the exporter aggregates.
    public struct FinishedRunTimes: Sendable, Equatable {
        public var rowID: Int64
        public var jobName: String
        public var scheduleTime: Double
        public var startTime: Double
        public var stopTime: Double
        public var exitCode: Int?
        /// True when `run_data` carries a check result (`"nagios"`); its text
        /// is not copied out of SQLite here (see `runData(rowID:)`).
        public var hasCheckResult: Bool
    }

    /// Calls `body` with each finished run recorded after `rowID`, in
    /// recording order, one row at a time (nothing is gathered in memory):
    /// the exporter reads each run once and keeps aggregates. Returns the
    /// number of rows.
    @discardableResult
    public func forEachFinishedRun(afterRowID rowID: Int64, _ body: (FinishedRunTimes) throws -> Void) throws -> Int {
        try withConnection { box in
            try box.query(
                """
                SELECT rowid, job_name, schedule_time, start_time, stop_time, exit_code,
                    instr(run_data, '"nagios"') > 0 FROM runs
                WHERE rowid > ? AND stop_time IS NOT NULL ORDER BY rowid
                """, [.integer(rowID)]
            ) { statement in
                var count = 0
                while try statement.step() {
                    count += 1
                    try body(
                        FinishedRunTimes(
                            rowID: statement.integer(0), jobName: statement.text(1) ?? "", scheduleTime: statement.real(2),
                            startTime: statement.real(3), stopTime: statement.real(4),
                            exitCode: statement.optionalInteger(5).map { Int($0) }, hasCheckResult: statement.optionalInteger(6) == 1))
                }
                return count
            }
        }
    }

    /// The `run_data` of the run at `rowID` (an empty mapping when absent).
    public func runData(rowID: Int64) throws -> ConfigValue {
        try withConnection { box in
            try box.query("SELECT run_data FROM runs WHERE rowid = ?", [.integer(rowID)]) { statement in
                try statement.step() ? ConfigValue(storedJSON: statement.text(0)) : .mapping([])
            }
        }
    }

    /// The largest rowid in `runs` (0 when empty). Below the last one the
    /// exporter read means the rows were renumbered (VACUUM after a prune).
    public func maximumRowID() throws -> Int64 {
        try withConnection { box in
            try box.query("SELECT coalesce(max(rowid), 0) FROM runs", []) { statement in
                try statement.step() ? statement.integer(0) : 0
            }
        }
    }
}
