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
    /// `run_data.interrupted` saying so. A process of such a run that is
    /// still alive (its process group, identified by its `RUN_ID`) is killed
    /// before it is recorded.
    func recoverInterruptedRuns() {
        let leftovers: [RunRecord]
        do {
            leftovers = try store.runningRuns()
        } catch {
            log.error("cannot read runs_running to recover interrupted runs", ["error": "\(error)"])
            return
        }
        guard !leftovers.isEmpty else { return }
        var recovered: [RunRecord] = []
        for var run in leftovers {
            var killed = 0
            if case .int(let pid)? = run.runData["pid"]?.value, pid > 1 {
                killed = OrphanProcesses.killGroup(Int32(pid), runID: run.runID)
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
            log.error("cannot record interrupted runs", ["error": "\(error)"])
        }
    }
}

/// Processes a previous daemon's run left behind, found through /proc.
enum OrphanProcesses {
    /// Kills (SIGKILL) every process of process group `group` that carries
    /// `RUN_ID=runID` in its environment — so a reused pid is never killed —
    /// and returns how many there were.
    static func killGroup(_ group: Int32, runID: String) -> Int {
        let members = processes(inGroup: group)
        guard members.contains(where: { environment(of: $0).contains("RUN_ID=\(runID)") }) else { return 0 }
        kill(-group, SIGKILL)
        // Reparented members are reaped by init; wait until they are gone.
        for _ in 0..<200 where !processes(inGroup: group).isEmpty {
            usleep(10_000)
        }
        return members.count
    }

    static func processes(inGroup group: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            // Fields after "(comm)": state ppid pgrp …; a zombie no longer counts.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && fields[0] != "Z" && Int32(fields[2]) == group
        }
    }

    static func environment(of pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
