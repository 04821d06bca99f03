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
        /// The `run_data` column as stored (JSON text); parse only what is needed.
        public var runDataJSON: String?

        /// `run_data` parsed (an empty mapping when absent).
        public var runData: ConfigValue { ConfigValue(storedJSON: runDataJSON) }
    }

    /// Finished runs recorded after `rowID`, in recording order (at most
    /// `limit`): the exporter reads each run once and keeps aggregates.
    public func finishedRunTimes(afterRowID rowID: Int64, limit: Int = 50_000) throws -> [FinishedRunTimes] {
        try withConnection { box in
            let statement = try box.statement(
                """
                SELECT rowid, job_name, schedule_time, start_time, stop_time, exit_code, run_data FROM runs
                WHERE rowid > ? AND stop_time IS NOT NULL ORDER BY rowid LIMIT ?
                """)
            try statement.bind([.integer(rowID), .integer(Int64(limit))])
            var rows: [FinishedRunTimes] = []
            while try statement.step() {
                rows.append(
                    FinishedRunTimes(
                        rowID: statement.integer(0), jobName: statement.text(1) ?? "", scheduleTime: statement.real(2),
                        startTime: statement.real(3), stopTime: statement.real(4),
                        exitCode: statement.optionalInteger(5).map { Int($0) }, runDataJSON: statement.text(6)))
            }
            return rows
        }
    }
}
