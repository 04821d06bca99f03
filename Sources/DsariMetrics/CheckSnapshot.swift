import DsariCore

/// The latest result of a Nagios check job, from its runs' `run_data.nagios`,
/// with the Nagios `status.dat` fields that follow from the run history.
struct CheckSnapshot: Sendable {
    var state: Int
    var pluginOutput: String
    var longPluginOutput: String
    var performanceData: String
    var perfdata: [ConfigNode]
    /// When the check ran (its start), and how long and how late.
    var lastCheck: Double
    var executionTime: Double
    var latency: Double
    /// When the state last changed (the start of the run that changed it).
    var lastStateChange: Double

    /// The snapshot after `previous` given one more run, or nil if the run has no check result.
    static func next(
        after previous: CheckSnapshot?, runData: ConfigValue, schedule: Double, start: Double, stop: Double
    ) -> CheckSnapshot? {
        guard let nagios = runData["nagios"]?.value, case .int(let state)? = nagios["current_state"]?.value else { return nil }
        func text(_ key: String) -> String { nagios[key]?.value.stringValue ?? "" }
        var perfdata: [ConfigNode] = []
        if case .array(let items)? = nagios["perfdata"]?.value { perfdata = items }
        let changed = previous.map { $0.state != Int(state) } ?? true
        return CheckSnapshot(
            state: Int(state), pluginOutput: text("plugin_output"), longPluginOutput: text("long_plugin_output"),
            performanceData: text("performance_data"), perfdata: perfdata, lastCheck: start, executionTime: stop - start,
            latency: start - schedule, lastStateChange: changed ? start : (previous?.lastStateChange ?? start))
    }
}
