import DsariCore

/// The names of a check's fields: the keys of a run's `run_data.nagios`
/// and of `/status.json`'s jobs, Nagios `status.dat`'s names where Nagios
/// has one. The one place that spells them: `CheckResult` and `CheckStatus`
/// write them, `RecordedCheck` reads them back, the status endpoints and
/// reports use them.
public enum NagiosField: String, Sendable, CaseIterable {
    case currentState = "current_state"
    case stateName = "state_name"
    case pluginOutput = "plugin_output"
    case longPluginOutput = "long_plugin_output"
    case performanceData = "performance_data"
    case perfdata
    case perfdataErrors = "perfdata_errors"
    case exitCode = "exit_code"
    case note
    /// Standard output as the plugin printed it (what check_nrpe shows).
    case output
    case stateType = "state_type"
    case currentAttempt = "current_attempt"
    case maxAttempts = "max_attempts"
    case lastCheck = "last_check"
    case lastStateChange = "last_state_change"
    case lastHardState = "last_hard_state"
    case lastHardStateChange = "last_hard_state_change"
    case lastTimeOK = "last_time_ok"
    case lastTimeWarning = "last_time_warning"
    case lastTimeCritical = "last_time_critical"
    case lastTimeUnknown = "last_time_unknown"
    case isFlapping = "is_flapping"
    case percentStateChange = "percent_state_change"
    case stateHistory = "state_history"

    /// `last_time_ok` … `last_time_unknown`, by state (0–3).
    public static let lastTimeInState: [NagiosField] = [.lastTimeOK, .lastTimeWarning, .lastTimeCritical, .lastTimeUnknown]

    /// The key of `run_data` under which a check run's fields are recorded.
    public static let runDataKey = "nagios"
}

extension ConfigValue {
    /// The value of a check field in a mapping.
    public subscript(field: NagiosField) -> ConfigNode? { self[field.rawValue] }
}

/// A check result as a run recorded it in `run_data.nagios`, decoded: what
/// the metrics, reports, NRPE answers and check status read instead of its keys.
public struct RecordedCheck: Sendable, Hashable {
    public var state: CheckState
    public var pluginOutput: String
    public var longPluginOutput: String
    /// The performance data as printed.
    public var performanceData: String
    /// The performance data parsed (`label`, `value`, `uom`, …), as recorded.
    public var perfdata: [ConfigNode]
    public var exitCode: Int?
    public var note: String?
    /// Standard output as printed; nil when recorded before it was kept.
    public var output: String?
    /// The check's state over time (`CheckStatus`); for results recorded
    /// before state tracking, HARD, attempt 1 of 1.
    public var status: CheckStatus
    /// False for results recorded before state tracking (no `state_type`).
    public var hasStateTracking: Bool

    /// The check result in a run's whole `run_data`, or nil when it holds none.
    public init?(runData: ConfigValue) {
        guard let nagios = runData[NagiosField.runDataKey]?.value else { return nil }
        self.init(nagios: nagios)
    }

    /// The check result of a `run_data.nagios` value, or nil when it holds
    /// none (no valid `current_state`).
    public init?(nagios: ConfigValue) {
        guard let status = CheckStatus(runData: nagios) else { return nil }
        func text(_ field: NagiosField) -> String? { nagios[field]?.value.stringValue }
        self.status = status
        state = status.currentState
        pluginOutput = text(.pluginOutput) ?? ""
        longPluginOutput = text(.longPluginOutput) ?? ""
        performanceData = text(.performanceData) ?? ""
        if case .array(let items)? = nagios[.perfdata]?.value { perfdata = items } else { perfdata = [] }
        if case .int(let code)? = nagios[.exitCode]?.value { exitCode = Int(code) } else { exitCode = nil }
        note = text(.note)
        output = text(.output)
        hasStateTracking = nagios[.stateType] != nil
    }

    /// What the plugin printed on standard output: as recorded, or put back
    /// together from its parts for results recorded before it was kept.
    public var printedOutput: String {
        if let output { return output }
        var text = pluginOutput
        if !performanceData.isEmpty { text += " | " + performanceData }
        if !longPluginOutput.isEmpty { text += "\n" + longPluginOutput }
        return text
    }
}
