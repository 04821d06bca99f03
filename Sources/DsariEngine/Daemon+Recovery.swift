import DsariCore
import DsariStore
import Foundation

extension Daemon {
    /// Exit code recorded for a run that was in flight when its daemon died
    /// (kill -9, crash, power loss): no shell reports it, so it cannot be
    /// mistaken for a real result; it counts as a failure.
    public static let interruptedExitCode = -1

    /// Runs a dead daemon left in `runs_running` move to `runs` as
    /// interrupted, once each: stop time = when noticed, exit code -1, and
    /// `run_data.interrupted` saying so. The processes of such a run still
    /// alive (found by the `RUN_ID` in their environment, with their process
    /// groups) are killed before it is recorded (`RunProcesses.killAll`).
    func recoverInterruptedRuns() {
        let leftovers: [RunRecord]
        do {
            leftovers = try store.runningRuns()
        } catch {
            log.error("cannot read runs_running to recover interrupted runs", ["error": "\(error)"])
            return
        }
        guard !leftovers.isEmpty else { return }
        // All of them at once, each pass one scan of /proc (a pass per run
        // made a restart after a kill -9 take half a second per run in
        // flight); passes go on until none is found, as the runs' processes
        // may fork until they are killed.
        let killed = RunProcesses.killAll(
            leftovers.map { run in
                if case .int(let pid)? = run.runData["pid"]?.value, pid > 1, pid <= Int64(Int32.max) {
                    return RunProcesses.Target(runID: run.runID, leader: Int32(pid))
                }
                return RunProcesses.Target(runID: run.runID, leader: nil)
            })
        var recovered: [RunRecord] = []
        for var run in leftovers {
            let killed = killed[run.runID]?.count ?? 0
            // A start is recorded before the run's directory is made: one
            // killed in between gets its (empty) directory, so that run
            // directories and the database agree.
            if ![run.jobName, run.runID].contains(where: { $0.isEmpty || $0.contains("/") || $0 == "." || $0 == ".." }) {
                let directory = DataLayout(dataDirectory: config.dataDir).runDirectory(job: run.jobName, runID: run.runID)
                try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            let noticed = clock()
            run.stopTime = noticed.epochSeconds
            run.exitCode = Self.interruptedExitCode
            var data: [ConfigValue.Entry] = []
            if case .mapping(let entries) = run.runData { data = entries }
            data.append(
                .init(
                    key: "interrupted",
                    value: ConfigNode([
                        "reason": "the daemon stopped while the run was in flight (crash or kill -9)",
                        "noticed_at": .double(noticed.epochSeconds),
                        "orphan_processes_killed": .int(Int64(killed)),
                    ])))
            run.runData = .mapping(data)
            recovered.append(run)
            log.warning(
                "run interrupted by the previous daemon recorded", ["job": run.jobName, "run": run.runID, "orphans_killed": "\(killed)"])
        }
        do {
            try store.recordFinished(recovered)
        } catch {
            // Not dropped: the store writer keeps them and retries every 5 s.
            log.error("cannot record interrupted runs yet; queued", ["runs": "\(recovered.count)", "error": "\(error)"])
            recovered.forEach { supervisor.writer.enqueue(.finished($0)) }
        }
    }
}
