import DsariCore

/// A run waiting to start: scheduled, or asked for by a trigger file.
struct PendingRun: Sendable {
    /// Unique within a daemon's life, to tell pending runs apart.
    let sequence: Int
    let jobName: String
    let scheduleTime: Instant
    let triggerType: String
    var triggerData: ConfigValue = .mapping([])
    var triggerEnvironment: [String: String] = [:]
    /// When a blocked run is tried again (dsari's backoff); nil = at `scheduleTime`.
    var retryAt: Instant?

    /// From the schedule, or a check's retry that stands in for it (`retry_interval`).
    var isScheduled: Bool { triggerType == "schedule" || triggerType == "retry" }
    var dueAt: Instant { retryAt ?? scheduleTime }
}
