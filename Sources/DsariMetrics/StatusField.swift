import DsariCore

/// The names of `/status.json` that are not Nagios' (those are
/// `NagiosField`): the document's own, each job's run and schedule fields,
/// and each passive-result destination's. The one place that spells them:
/// `MetricsCollector.status` writes them; the `/status` page and
/// `dsari-info check status` read them back.
public enum StatusField: String, Sendable, CaseIterable {
    // The document.
    case generated
    case version
    case daemonShuttingDown = "daemon_shutting_down"
    case jobs
    case passiveResults = "passive_results"
    // Each job.
    case hostName = "host_name"
    case jobName = "job_name"
    case schedule
    case nextCheck = "next_check"
    case runCount = "run_count"
    case lastRunExitCode = "last_run_exit_code"
    case lastRunStartTime = "last_run_start_time"
    case lastRunStopTime = "last_run_stop_time"
    case lastRunDuration = "last_run_duration"
    case nagiosCheck = "nagios_check"
    case stateTypeName = "state_type_name"
    case checkExecutionTime = "check_execution_time"
    case checkLatency = "check_latency"
    // Each passive_results destination.
    case destination
    case pending
    case oldestPendingAge = "oldest_pending_age"
    case sent
    case failed
    case droppedExpired = "dropped_expired"
    case droppedRejected = "dropped_rejected"
    case lastSuccess = "last_success"
    case lastError = "last_error"
    case lastErrorTime = "last_error_time"
}

extension ConfigValue {
    /// The value of a `/status.json` field in a mapping.
    public subscript(field: StatusField) -> ConfigNode? { self[field.rawValue] }
}

/// One passive_results destination of `/status.json`, decoded: what the
/// `/status` page and `dsari-info check status` describe.
public struct PassiveDestinationStatus: Sendable, Equatable {
    public var destination: String
    public var pending: Int64
    /// Seconds the oldest waiting result has waited; nil when none waits.
    public var oldestPendingAge: Double?
    public var sent: Int64
    public var dropped: Int64
    public var lastSuccess: Double?
    public var lastError: String?

    public init(_ entry: ConfigValue) {
        func integer(_ field: StatusField) -> Int64 { if case .int(let number)? = entry[field]?.value { number } else { 0 } }
        func seconds(_ field: StatusField) -> Double? { if case .double(let value)? = entry[field]?.value { value } else { nil } }
        destination = entry[.destination]?.value.stringValue ?? ""
        pending = integer(.pending)
        oldestPendingAge = seconds(.oldestPendingAge)
        sent = integer(.sent)
        dropped = integer(.droppedExpired) + integer(.droppedRejected)
        lastSuccess = seconds(.lastSuccess)
        lastError = entry[.lastError]?.value.stringValue
    }

    /// The destinations of a whole `/status.json`.
    public static func all(in status: ConfigValue) -> [PassiveDestinationStatus] {
        guard case .array(let entries)? = status[.passiveResults]?.value else { return [] }
        return entries.map { PassiveDestinationStatus($0.value) }
    }

    /// `DEST: N waiting (oldest AGE), M sent (last WHEN), D dropped; last
    /// error: E` — the parts shown by both; `age`, `when` and `escape`
    /// format for the page or the terminal (`when` nil: not shown).
    public func summary(age: (Double) -> String, when: ((Double) -> String)?, escape: (String) -> String = { $0 }) -> String {
        var text = "\(escape(destination)): \(pending) waiting"
        if let oldestPendingAge { text += " (oldest \(age(oldestPendingAge)))" }
        text += ", \(sent) sent"
        if let lastSuccess, let when { text += " (last \(when(lastSuccess)))" }
        if dropped > 0 { text += ", \(dropped) dropped" }
        if pending > 0, let lastError { text += "; last error: \(escape(lastError))" }
        return text
    }
}
