import DsariCore
import DsariNagios

/// What the index and job pages show of one finished run, kept for every
/// run of every rendered job (the full record is only held while its own
/// page is written).
struct ReportRun: Sendable, Hashable {
    var jobName: String
    var runID: String
    var scheduleTime: Double
    var startTime: Double
    var stopTime: Double
    var exitCode: Int
    var triggerType: String
    /// `OK`, `FAILED`, `INTERRUPTED`, or a Nagios check's state name.
    var status: String
    /// The CSS class of `status`: `ok`, `failed`, or `warning`/`critical`/`unknown` for checks.
    var statusClass: String
    /// The Nagios state name and first output line, for checks.
    var stateName: String?
    var pluginOutput: String?

    /// A failed run is one that did not exit 0 (highlighted on every page).
    var failed: Bool { exitCode != 0 }

    init(_ record: RunRecord) {
        jobName = record.jobName
        runID = record.runID
        scheduleTime = record.scheduleTime
        startTime = record.startTime
        stopTime = record.stopTime ?? record.startTime
        exitCode = record.exitCode ?? 0
        triggerType = record.triggerType
        if let check = RecordedCheck(runData: record.runData) {
            stateName = check.state.name
            pluginOutput = check.pluginOutput
            status = check.state.name
            statusClass = check.state.name.lowercased()
        } else if record.runData["interrupted"] != nil {
            status = "INTERRUPTED"
            statusClass = "failed"
        } else {
            status = exitCode == 0 ? "OK" : "FAILED"
            statusClass = exitCode == 0 ? "ok" : "failed"
        }
    }

    /// A run id that is safe as a directory name under `html/JOB/` (dsari's
    /// are UUIDs; a database written by another tool might hold anything).
    static func isSafePathComponent(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.utf8.contains(0)
    }
}
