import CProcessSpawn
import Foundation

/// The processes of runs, found through /proc: every process carrying the
/// run's `RUN_ID` in its environment (wherever it went, even into a session
/// of its own), and the process groups they are in.
///
/// Used for what a run leaves behind: by recovery after a crash (the runs
/// of the previous daemon) and, with `kill_leftover_processes`, when a run's
/// main process has ended.
enum RunProcesses {
    struct Process {
        let pid: Int32
        let group: Int32
        /// The `RUN_ID` in its environment, if any.
        let runID: String?
    }

    /// A run whose processes are looked for: its id and the pid it was
    /// started with (the leader of its process group), when known.
    struct Target: Sendable {
        let runID: String
        let leader: Int32?
    }

    /// One pass: a scan of /proc, then for each run `signal` to its process
    /// groups first — a process forked since the scan is in one of them —
    /// and then to each process found. Returns the processes found per run
    /// (runs with none are left out).
    ///
    /// The groups signalled: the one led by the run's recorded pid when a
    /// member of it carries the run's `RUN_ID` (so a reused pid is never
    /// hit; every member goes, even one that cleared its environment), and
    /// any group whose members all carry the `RUN_ID` (one the run's
    /// processes made with `setsid`). A group with other processes in it is
    /// never signalled as a whole.
    static func signal(_ signal: Int32, _ runs: [Target]) -> [String: Set<Int32>] {
        let processes = liveProcesses()
        let byGroup = Dictionary(grouping: processes, by: \.group)
        var carriersByRun: [String: [Process]] = [:]
        for process in processes {
            if let runID = process.runID { carriersByRun[runID, default: []].append(process) }
        }
        var found: [String: Set<Int32>] = [:]
        for run in runs {
            guard let carriers = carriersByRun[run.runID] else { continue }
            var groups: Set<Int32> = []
            if let leader = run.leader, leader > 1, carriers.contains(where: { $0.group == leader }) {
                groups.insert(leader)
            }
            for group in Set(carriers.map(\.group)) where group > 1 {
                if byGroup[group]?.allSatisfy({ $0.runID == run.runID }) == true { groups.insert(group) }
            }
            var members = Set(carriers.map(\.pid))
            for group in groups {
                members.formUnion(byGroup[group]?.map(\.pid) ?? [])
                Glibc.kill(-group, signal)
            }
            for pid in members { Glibc.kill(pid, signal) }
            found[run.runID] = members
        }
        return found
    }

    /// SIGKILL passes until one finds no process of the runs alive — a
    /// process forked between a pass's scan and its kill is found by the
    /// next — or `timeout` seconds have passed. Between passes it waits for
    /// the killed to end (pidfds: they are not all the daemon's children).
    /// Returns every process killed, per run.
    static func killAll(_ runs: [Target], timeout: Double = 5) -> [String: Set<Int32>] {
        var killed: [String: Set<Int32>] = [:]
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let found = signal(SIGKILL, runs)
            if found.isEmpty { break }
            for (runID, pids) in found { killed[runID, default: []].formUnion(pids) }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { break }
            // The killed become zombies (skipped by the next scan) as they end.
            // At most 200 ms per wait: a pid reused meanwhile, or a process
            // that cannot die yet (uninterruptible sleep), must not keep the
            // next scan (and its kill of what was forked since) waiting.
            let pids = found.values.flatMap { $0 }
            if dsari_wait_for_exits(pids, Int32(pids.count), Int32(min(left, 0.2) * 1000)) < 0 {
                // No pidfds (a kernel before 5.3): look again shortly.
                usleep(5_000)
            }
        }
        return killed
    }

    /// Every process but zombies, with its group and `RUN_ID`.
    static func liveProcesses() -> [Process] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap(Int32.init).compactMap { pid in
            guard let (state, group) = status(of: pid), state != "Z" else { return nil }
            return Process(pid: pid, group: group, runID: runID(of: pid))
        }
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
