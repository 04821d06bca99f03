import DsariCore

/// What the daemon intends, written by it for every reader of the store (the
/// exporter's `dsari_job_next_run_timestamp_seconds` and
/// `dsari_daemon_shutting_down`, `/status`' `next_check`): each job's next
/// pending run in `dsari_swift_next_runs`, the daemon's own state in the
/// single row of `dsari_swift_daemon`. Only the latest values matter, so a
/// writer that could not write for a while writes the newest plan, not a
/// history (see `StoreWriter`).
public struct DaemonPlan: Sendable, Equatable {
    /// The daemon's process and when it started.
    public var pid: Int32
    public var startTime: Double
    /// Since when it has been stopping (SIGINT/SIGTERM: no new runs, the
    /// running ones drain); nil while it schedules.
    public var shutdownStartTime: Double?
    /// When it stopped; nil while it runs.
    public var stopTime: Double?
    /// The schedule time of each job's next pending run (scheduled, a
    /// check's retry, or a trigger waiting); jobs with none are absent.
    public var nextRuns: [String: Double]

    public init(
        pid: Int32, startTime: Double, shutdownStartTime: Double? = nil, stopTime: Double? = nil, nextRuns: [String: Double] = [:]
    ) {
        self.pid = pid
        self.startTime = startTime
        self.shutdownStartTime = shutdownStartTime
        self.stopTime = stopTime
        self.nextRuns = nextRuns
    }

    /// Between the start of a shutdown and the stop: runs drain, none start.
    public var isShuttingDown: Bool { shutdownStartTime != nil && stopTime == nil }

    /// The same daemon in the same state (the next runs aside).
    func sameDaemonState(as other: DaemonPlan) -> Bool {
        (pid, startTime, shutdownStartTime, stopTime) == (other.pid, other.startTime, other.shutdownStartTime, other.stopTime)
    }
}
