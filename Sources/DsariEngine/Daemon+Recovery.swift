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
    /// group) are killed before it is recorded.
    func recoverInterruptedRuns() {
        let leftovers: [RunRecord]
        do {
            leftovers = try store.runningRuns()
        } catch {
            log.error("cannot read runs_running to recover interrupted runs", ["error": "\(error)"])
            return
        }
        guard !leftovers.isEmpty else { return }
        // One pass over /proc for all of them: a pass per run made a restart
        // after a kill -9 take about half a second per run in flight.
        let killed = OrphanProcesses.kill(
            runs: leftovers.map { run in
                if case .int(let pid)? = run.runData["pid"]?.value, pid > 1, pid <= Int64(Int32.max) { return (run.runID, Int32(pid)) }
                return (run.runID, nil)
            })
        var recovered: [RunRecord] = []
        for var run in leftovers {
            let killed = killed[run.runID] ?? 0
            // A start is recorded before the run's directory is made: one
            // killed in between gets its (empty) directory, so that run
            // directories and the database agree.
            if ![run.jobName, run.runID].contains(where: { $0.isEmpty || $0.contains("/") || $0 == "." || $0 == ".." }) {
                let directory = DsariPaths.join(config.dataDir, "runs/\(run.jobName)/\(run.runID)")
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

/// Processes a previous daemon's runs left behind, found through /proc.
enum OrphanProcesses {
    struct Process {
        let pid: Int32
        let group: Int32
        /// The `RUN_ID` in its environment, if any.
        let runID: String?
    }

    /// Kills (SIGKILL) what is left of each run: every process carrying
    /// `RUN_ID=` its id in its environment (wherever it went, even into a
    /// session of its own), and the process group led by the run's recorded
    /// pid when a member of it carries that `RUN_ID` — so a reused pid is
    /// never killed. Waits (up to 2 s) until they are gone and returns how
    /// many processes each run had.
    static func kill(runs: [(runID: String, pid: Int32?)]) -> [String: Int] {
        let processes = liveProcesses()
        var byRun: [String: Set<Int32>] = [:]
        for process in processes {
            if let runID = process.runID { byRun[runID, default: []].insert(process.pid) }
        }
        var counts: [String: Int] = [:]
        var doomed: Set<Int32> = []
        for run in runs {
            var members = byRun[run.runID] ?? []
            if let leader = run.pid, !members.isEmpty, processes.contains(where: { $0.group == leader && members.contains($0.pid) }) {
                members.formUnion(processes.filter { $0.group == leader }.map(\.pid))
                Glibc.kill(-leader, SIGKILL)
            }
            for pid in members { Glibc.kill(pid, SIGKILL) }
            counts[run.runID] = members.count
            doomed.formUnion(members)
        }
        // Reparented members are reaped by init; wait until they are gone.
        for _ in 0..<200 where doomed.contains(where: { isAlive($0) }) {
            usleep(10_000)
        }
        return counts
    }

    /// Every process but zombies, with its group and `RUN_ID`.
    static func liveProcesses() -> [Process] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).compactMap { pid in
            guard let (state, group) = status(of: pid), state != "Z" else { return nil }
            return Process(pid: pid, group: group, runID: runID(of: pid))
        }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        guard let (state, _) = status(of: pid) else { return false }
        return state != "Z"
    }

    /// State and process group from /proc/PID/stat (the fields after "(comm)": state ppid pgrp …).
    static func status(of pid: Int32) -> (state: Substring, group: Int32)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return nil
        }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 2, let group = Int32(fields[2]) else { return nil }
        return (fields[0], group)
    }

    static func runID(of pid: Int32) -> String? {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return nil }
        let prefix = Array("RUN_ID=".utf8)
        return data.split(separator: 0).first { $0.starts(with: prefix) }.map {
            String(decoding: $0.dropFirst(prefix.count), as: UTF8.self)
        }
    }
}
