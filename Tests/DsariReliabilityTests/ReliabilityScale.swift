import Foundation

/// How hard the reliability suite pushes: the short CI version by default,
/// the long one with `DSARI_RELIABILITY=full` (`script/reliability`).
enum ReliabilityScale {
    static let environment = ProcessInfo.processInfo.environment
    static let isFull = environment["DSARI_RELIABILITY"] == "full"

    /// kill -9 and restart cycles of the kill test.
    static let killCycles = integer("DSARI_KILL_CYCLES") ?? (isFull ? 100 : 10)
    /// Seconds of mutational fuzzing per target.
    static let fuzzSeconds = number("DSARI_FUZZ_SECONDS") ?? (isFull ? 40 : 1.5)
    /// wrk's duration and the idle sockets held open meanwhile.
    static let loadSeconds = integer("DSARI_LOAD_SECONDS") ?? (isFull ? 30 : 5)
    static let idleSockets = integer("DSARI_IDLE_SOCKETS") ?? (isFull ? 1000 : 200)
    /// How long the database stays locked by another process (the daemon's
    /// busy timeout is 10 s, so anything longer makes its writes fail).
    static let lockSeconds = number("DSARI_LOCK_SECONDS") ?? (isFull ? 30 : 12)
    /// The soak (reliability mode only): jobs and minutes.
    static let soakJobs = integer("DSARI_SOAK_JOBS") ?? 1000
    static let soakMinutes = integer("DSARI_SOAK_MINUTES") ?? 10
    /// Runs of the memory test after its warm-up.
    static let memoryRuns = integer("DSARI_MEMORY_RUNS") ?? (isFull ? 100_000 : 9_000)
    /// The fuzzers' seed: random unless given, always printed, so a failure can be replayed.
    static let seed: UInt64 = environment["DSARI_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max)

    private static func integer(_ name: String) -> Int? { environment[name].flatMap { Int($0) } }
    private static func number(_ name: String) -> Double? { environment[name].flatMap { Double($0) } }
}

/// One line of the suite's summary: printed at once, and appended to
/// `$DSARI_RELIABILITY_REPORT` (tab-separated) for `script/reliability`'s table.
enum ReliabilityReport {
    static func record(test: String, load: String, faults: String, runsLost: Int, crashes: Int, notes: String = "") {
        let fields = [test, load, faults, String(runsLost), String(crashes), notes]
        print(
            "reliability: "
                + zip(["test", "load", "faults", "runs lost", "crashes", "notes"], fields).map { "\($0)=\($1)" }.joined(separator: " | "))
        guard let path = ReliabilityScale.environment["DSARI_RELIABILITY_REPORT"] else { return }
        let line = fields.map { $0.replacingOccurrences(of: "\t", with: " ") }.joined(separator: "\t") + "\n"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return }
        _ = line.withCString { write(descriptor, $0, strlen($0)) }
        close(descriptor)
    }
}
