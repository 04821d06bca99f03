import DsariCore
import DsariNagios

/// The latest result of a Nagios check job, from its runs' `run_data.nagios`:
/// the plugin's output and the check's state over time (`CheckStatus`).
struct CheckSnapshot: Sendable {
    var state: Int
    var pluginOutput: String
    var longPluginOutput: String
    var performanceData: String
    var perfdata: [ConfigNode]
    /// How long the check ran, and how late it started.
    var executionTime: Double
    var latency: Double
    var status: CheckStatus

    /// The snapshot after `previous` given one more run, or nil if the run has no check result.
    static func next(
        after previous: CheckSnapshot?, runData: ConfigValue, schedule: Double, start: Double, stop: Double
    ) -> CheckSnapshot? {
        guard let nagios = runData["nagios"]?.value, let recorded = CheckStatus(runData: nagios) else { return nil }
        func text(_ key: String) -> String { nagios[key]?.value.stringValue ?? "" }
        var perfdata: [ConfigNode] = []
        if case .array(let items)? = nagios["perfdata"]?.value { perfdata = items }
        var status = recorded
        if nagios["state_type"] == nil {
            // Recorded before state tracking: every result was HARD, one attempt.
            status = (previous?.status ?? CheckStatus()).recording(recorded.currentState, at: start, options: CheckOptions())
        }
        return CheckSnapshot(
            state: status.currentState.rawValue, pluginOutput: text("plugin_output"), longPluginOutput: text("long_plugin_output"),
            performanceData: text("performance_data"), perfdata: perfdata, executionTime: stop - start, latency: start - schedule,
            status: status)
    }

    var lastCheck: Double { status.lastCheck ?? 0 }
}
