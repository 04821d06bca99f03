import DsariCore

extension SQLiteRunStore {
    /// Walks the job's runs newest first on the (job_name, stop_time) index.
    public func latestCheckResult(jobName: String) throws -> ConfigValue? {
        try withConnection { box in
            try box.query(
                """
                SELECT json_extract(run_data, '$.\(NagiosField.runDataKey)') FROM runs
                WHERE job_name = ? AND json_extract(run_data, '$.\(NagiosField.runDataKey).\(NagiosField.currentState.rawValue)') IS NOT NULL
                ORDER BY stop_time DESC LIMIT 1
                """, [.text(jobName)]
            ) { statement -> ConfigValue? in
                // Spelled out: ConfigValue takes `nil` as a literal (.null), which would read as a result.
                guard try statement.step() else { return nil }
                return ConfigValue(storedJSON: statement.text(0))
            }
        }
    }
}
