import DsariCore

/// A rendered job and the summaries of its finished runs, gathered while
/// the run history is read.
struct JobReport: Sendable {
    let job: Job
    /// Oldest start first, as the history is read.
    private(set) var runs: [ReportRun] = []
    private(set) var failureCount = 0
    /// The latest run that exited 0.
    private(set) var lastSuccess: ReportRun?

    init(job: Job) {
        self.job = job
    }

    var lastRun: ReportRun? { runs.last }

    mutating func add(_ run: ReportRun) {
        runs.append(run)
        if run.failed { failureCount += 1 } else { lastSuccess = run }
    }
}
