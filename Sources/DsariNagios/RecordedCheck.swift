import DsariCore

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
