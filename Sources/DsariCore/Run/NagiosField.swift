/// The names of a check's fields: the keys of a run's `run_data.nagios`
/// and of `/status.json`'s jobs, Nagios `status.dat`'s names where Nagios
/// has one. The one place that spells them: `CheckResult` and `CheckStatus`
/// write them, `RecordedCheck` reads them back, the status endpoints and
/// reports use them, and the stores' queries find check runs by them. It
/// lives in DsariCore beside `DataLayout` because the stores, below
/// DsariNagios, read the recorded format too.
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
