import DsariCore
import Foundation

/// Decides which pending runs start now, and when to look again. Pure state,
/// no clock and no I/O, so tests drive it with any times they like.
///
/// A run is blocked by a running run of the same job (unless the job has
/// `concurrent_runs`) or when every concurrency group of its job is full.
/// Blocked runs are retried after dsari's backoff, `2 ** ln(now − schedule)`
/// seconds clamped to 5…300, and at once when a run ends (`runEnded`).
struct RunPlanner {
    private(set) var pending: [PendingRun] = []
    /// Running runs per job and per concurrency group.
    private(set) var runningPerJob: [String: Int] = [:]
    private(set) var runningPerGroup: [String: Int] = [:]
    private var nextSequence = 0

    /// A run admitted to start, with the concurrency group that admitted it.
    struct Admission {
        var run: PendingRun
        var concurrencyGroup: String?
    }

    /// dsari's retry delay for a run blocked `waited` seconds after its schedule time.
    static func backoff(waited: Double) -> Double {
        guard waited > 1 else { return 5 }
        return min(300, max(5, pow(2, log(waited))))
    }

    mutating func add(
        jobName: String, scheduleTime: Instant, triggerType: String = "schedule", triggerData: ConfigValue = .mapping([]),
        triggerEnvironment: [String: String] = [:]
    ) {
        nextSequence += 1
        pending.append(
            PendingRun(
                sequence: nextSequence, jobName: jobName, scheduleTime: scheduleTime, triggerType: triggerType,
                triggerData: triggerData, triggerEnvironment: triggerEnvironment))
    }

    /// A trigger for a job: replaces its pending scheduled run unless the job
    /// allows concurrent runs, in which case it is added.
    mutating func addTrigger(
        for job: Job, scheduleTime: Instant, data: ConfigValue, environment: [String: String], type: String = "file"
    ) {
        if !job.concurrentRuns {
            pending.removeAll { $0.jobName == job.name && $0.isScheduled }
        }
        add(jobName: job.name, scheduleTime: scheduleTime, triggerType: type, triggerData: data, triggerEnvironment: environment)
    }

    func hasScheduledRun(for jobName: String) -> Bool {
        pending.contains { $0.jobName == jobName && $0.isScheduled }
    }

    /// Drops pending runs of jobs for which `keep` is false (removed jobs),
    /// and scheduled ones for which `keepScheduled` is false (changed schedules).
    mutating func removePending(where remove: (PendingRun) -> Bool) {
        pending.removeAll(where: remove)
    }

    /// The earliest moment a pending run is due.
    var nextDue: Instant? { pending.map(\.dueAt).min() }

    /// Takes the runs that may start at `now`, oldest schedule first;
    /// blocked ones get a retry time. `pickGroup` chooses among groups with room.
    mutating func admit(
        now: Instant, jobs: [String: Job], groups: [String: ConcurrencyGroup],
        pickGroup: ([String]) -> String? = { $0.randomElement() }
    ) -> [Admission] {
        var admitted: [Admission] = []
        let due = pending.indices.filter { pending[$0].dueAt <= now }
            .sorted { (pending[$0].scheduleTime, pending[$0].sequence) < (pending[$1].scheduleTime, pending[$1].sequence) }
        var taken = Set<Int>()
        for index in due {
            let run = pending[index]
            guard let job = jobs[run.jobName] else {
                taken.insert(index)  // the job is gone
                continue
            }
            if !job.concurrentRuns && runningPerJob[job.name, default: 0] > 0 {
                block(index, now: now)
                continue
            }
            var group: String?
            if !job.concurrencyGroups.isEmpty {
                let open = job.concurrencyGroups.filter { name in
                    runningPerGroup[name, default: 0] < (groups[name]?.max ?? 1)
                }
                guard let chosen = pickGroup(open) else {
                    block(index, now: now)
                    continue
                }
                group = chosen
            }
            taken.insert(index)
            runStarted(jobName: job.name, group: group)
            admitted.append(Admission(run: run, concurrencyGroup: group))
        }
        pending = pending.enumerated().filter { !taken.contains($0.offset) }.map(\.element)
        return admitted
    }

    private mutating func block(_ index: Int, now: Instant) {
        let waited = (now.epochSeconds - pending[index].scheduleTime.epochSeconds)
        pending[index].retryAt = now.adding(microseconds: Int64(Self.backoff(waited: waited) * 1_000_000))
    }

    mutating func runStarted(jobName: String, group: String?) {
        runningPerJob[jobName, default: 0] += 1
        if let group { runningPerGroup[group, default: 0] += 1 }
    }

    /// A run ended: its slots free up and every blocked run is due again now.
    mutating func runEnded(jobName: String, group: String?, now: Instant) {
        runningPerJob[jobName, default: 1] -= 1
        if runningPerJob[jobName] == 0 { runningPerJob[jobName] = nil }
        if let group {
            runningPerGroup[group, default: 1] -= 1
            if runningPerGroup[group] == 0 { runningPerGroup[group] = nil }
        }
        for index in pending.indices where pending[index].retryAt != nil {
            pending[index].retryAt = now
        }
    }
}
