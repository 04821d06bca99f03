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
        guard let recorded = RecordedCheck(runData: runData) else { return nil }
        var status = recorded.status
        if !recorded.hasStateTracking {
            // Recorded before state tracking: every result was HARD, one attempt.
            status = (previous?.status ?? CheckStatus()).recording(recorded.state, at: start, options: CheckOptions())
        }
        return CheckSnapshot(
            state: status.currentState.rawValue, pluginOutput: recorded.pluginOutput, longPluginOutput: recorded.longPluginOutput,
            performanceData: recorded.performanceData, perfdata: recorded.perfdata, executionTime: stop - start,
            latency: start - schedule, status: status)
    }

    var lastCheck: Double { status.lastCheck ?? 0 }
}
