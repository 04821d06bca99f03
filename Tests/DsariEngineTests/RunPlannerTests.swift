import DsariCore
import Testing

@testable import DsariEngine

/// The admission rules with a fake clock: times are plain numbers here.
@Suite("RunPlanner")
struct RunPlannerTests {
    func at(_ seconds: Double) -> Instant { Instant(epochSeconds: seconds) }
    func job(_ name: String, groups: [String] = [], concurrent: Bool = false) -> Job {
        Job(name: name, command: ["true"], concurrencyGroups: groups, concurrentRuns: concurrent)
    }

    @Test(arguments: [(0.5, 5.0), (10, 5.0), (100, 24.3), (1000, 120.1), (10_000, 300)])
    func backoffIsTwoToTheLnClamped(waited: Double, expected: Double) {
        #expect(abs(RunPlanner.backoff(waited: waited) - expected) < 0.1)
    }

    @Test func notDueIsNotStarted() {
        var planner = RunPlanner()
        planner.add(jobName: "a", scheduleTime: at(100))
        #expect(planner.admit(now: at(99.9), jobs: ["a": job("a")], groups: [:]).isEmpty)
        #expect(planner.nextDue == at(100))
        #expect(planner.admit(now: at(100), jobs: ["a": job("a")], groups: [:]).count == 1)
        #expect(planner.nextDue == nil)
    }

    @Test func aRunningJobBlocksItsNextRunUntilItEnds() {
        var planner = RunPlanner()
        let jobs = ["a": job("a")]
        planner.add(jobName: "a", scheduleTime: at(100))
        planner.add(jobName: "a", scheduleTime: at(101))
        #expect(planner.admit(now: at(101), jobs: jobs, groups: [:]).map(\.run.scheduleTime) == [at(100)])
        // Blocked: retried after the backoff (waited 0 s → 5 s)…
        #expect(planner.nextDue == at(106))
        // …but at once when the blocking run ends.
        planner.runEnded(jobName: "a", group: nil, now: at(102))
        #expect(planner.nextDue == at(102))
        #expect(planner.admit(now: at(102), jobs: jobs, groups: [:]).map(\.run.scheduleTime) == [at(101)])
    }

    @Test func concurrentRunsAreNotBlocked() {
        var planner = RunPlanner()
        planner.add(jobName: "a", scheduleTime: at(100))
        planner.add(jobName: "a", scheduleTime: at(100.5))
        #expect(planner.admit(now: at(101), jobs: ["a": job("a", concurrent: true)], groups: [:]).count == 2)
    }

    @Test func groupsAreFilledToTheirMaxAndAnOpenOneIsPicked() {
        var planner = RunPlanner()
        let jobs = ["a": job("a", groups: ["g1", "g2"]), "b": job("b", groups: ["g1", "g2"]), "c": job("c", groups: ["g1", "g2"])]
        let groups = ["g1": ConcurrencyGroup(name: "g1", max: 1), "g2": ConcurrencyGroup(name: "g2", max: 1)]
        for name in ["a", "b", "c"] { planner.add(jobName: name, scheduleTime: at(100)) }
        let admitted = planner.admit(now: at(100), jobs: jobs, groups: groups, pickGroup: { $0.first })
        #expect(admitted.map(\.concurrencyGroup) == ["g1", "g2"])
        #expect(planner.pending.map(\.jobName) == ["c"])
        planner.runEnded(jobName: admitted[1].run.jobName, group: "g2", now: at(101))
        #expect(planner.admit(now: at(101), jobs: jobs, groups: groups).map(\.concurrencyGroup) == ["g2"])
    }

    @Test func aGroupOfTwoRunsTwoAndNoMore() {
        var planner = RunPlanner()
        let jobs = Dictionary(uniqueKeysWithValues: ["a", "b", "c"].map { ($0, job($0, groups: ["pair"])) })
        let groups = ["pair": ConcurrencyGroup(name: "pair", max: 2)]
        for name in ["a", "b", "c"] { planner.add(jobName: name, scheduleTime: at(100)) }
        #expect(planner.admit(now: at(100), jobs: jobs, groups: groups).map(\.run.jobName) == ["a", "b"])
        #expect(planner.runningPerGroup["pair"] == 2)
        #expect(planner.admit(now: at(200), jobs: jobs, groups: groups).isEmpty)
        planner.runEnded(jobName: "a", group: "pair", now: at(201))
        #expect(planner.admit(now: at(201), jobs: jobs, groups: groups).map(\.run.jobName) == ["c"])
    }

    @Test func anUndefinedGroupHoldsOne() {
        var planner = RunPlanner()
        let jobs = ["a": job("a", groups: ["implicit"]), "b": job("b", groups: ["implicit"])]
        planner.add(jobName: "a", scheduleTime: at(100))
        planner.add(jobName: "b", scheduleTime: at(100))
        #expect(planner.admit(now: at(100), jobs: jobs, groups: [:]).count == 1)
    }

    @Test func aTriggerReplacesTheScheduledRunUnlessConcurrent() {
        var planner = RunPlanner()
        planner.add(jobName: "a", scheduleTime: at(200))
        planner.addTrigger(for: job("a"), scheduleTime: at(100), data: [:], environment: ["K": "V"])
        #expect(planner.pending.map(\.triggerType) == ["file"])
        #expect(!planner.hasScheduledRun(for: "a"))
        planner.add(jobName: "b", scheduleTime: at(200))
        planner.addTrigger(for: job("b", concurrent: true), scheduleTime: at(100), data: [:], environment: [:])
        #expect(planner.pending.filter { $0.jobName == "b" }.count == 2)
    }

    @Test func runsOfRemovedJobsAreDropped() {
        var planner = RunPlanner()
        planner.add(jobName: "gone", scheduleTime: at(100))
        #expect(planner.admit(now: at(100), jobs: [:], groups: [:]).isEmpty)
        #expect(planner.pending.isEmpty)
    }
}
