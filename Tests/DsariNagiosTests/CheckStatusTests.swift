import DsariCore
import DsariNagios
import Testing

/// A check's state over time: SOFT/HARD, attempts, state changes, flapping.
@Suite("Check status over time")
struct CheckStatusTests {
    /// Records `states` one second apart from t = 1000.
    static func run(_ states: [CheckState], options: CheckOptions, from start: CheckStatus = CheckStatus()) -> [CheckStatus] {
        var status = start
        var seen: [CheckStatus] = []
        for (index, state) in states.enumerated() {
            status = status.recording(state, at: 1000 + Double(index), options: options)
            seen.append(status)
        }
        return seen
    }

    @Test func problemsAreSoftUntilMaxAttemptsThenHard() {
        let options = CheckOptions(maxCheckAttempts: 3)
        let seen = Self.run([.ok, .critical, .warning, .critical, .critical, .ok], options: options)
        #expect(seen.map(\.stateType) == [.hard, .soft, .soft, .hard, .hard, .hard])
        #expect(seen.map(\.currentAttempt) == [1, 1, 2, 3, 3, 1])
        #expect(seen.map(\.maxAttempts) == [3, 3, 3, 3, 3, 3])
        #expect(seen.map(\.awaitsRetry) == [false, true, true, false, false, false])
        // Any change of state moves last_state_change; the HARD state changes at the third attempt and the recovery.
        #expect(seen.map(\.lastStateChange) == [1000, 1001, 1002, 1003, 1003, 1005])
        #expect(seen.map(\.lastHardStateChange) == [1000, 1000, 1000, 1003, 1003, 1005])
        #expect(seen.map(\.lastHardState) == [.ok, .ok, .ok, .critical, .critical, .ok])
        // Nagios' last_time_*: each check stamps the state that held until it.
        let last = seen[5]
        #expect(last.lastTimeInState == [1001, 1003, 1005, nil])
        #expect(seen[0].lastTimeInState == [1000, nil, nil, nil])
        #expect(last.lastCheck == 1005)
    }

    @Test func oneAttemptMakesEveryProblemHardAtOnce() {
        let seen = Self.run([.warning, .critical, .ok], options: CheckOptions())
        #expect(seen.map(\.stateType) == [.hard, .hard, .hard])
        #expect(seen.map(\.currentAttempt) == [1, 1, 1])
        #expect(seen.map(\.lastHardStateChange) == [1000, 1001, 1002])
    }

    @Test func aRecoveryFromASoftProblemIsHardAndKeepsTheHardStateChange() {
        let seen = Self.run([.ok, .critical, .ok], options: CheckOptions(maxCheckAttempts: 2))
        #expect(seen[1].stateType == .soft)
        #expect(seen[2].stateType == .hard && seen[2].currentAttempt == 1)
        // The HARD state never left OK.
        #expect(seen[2].lastHardStateChange == 1000)
        #expect(seen[2].lastStateChange == 1002)
    }

    @Test func theFirstResultCountsAsAChangeOfState() {
        let first = CheckStatus().recording(.unknown, at: 5, options: CheckOptions(maxCheckAttempts: 4))
        #expect(first.stateType == .soft && first.currentAttempt == 1)
        #expect(first.lastStateChange == 5 && first.lastHardStateChange == 5 && first.lastHardState == .ok)
        let ok = CheckStatus().recording(.ok, at: 7, options: CheckOptions())
        #expect(ok.lastStateChange == 7 && ok.lastHardStateChange == 7)
    }

    @Test func loweringMaxAttemptsWhileSoftMakesTheNextProblemHard() {
        let soft = Self.run([.critical, .critical], options: CheckOptions(maxCheckAttempts: 5)).last!
        #expect(soft.currentAttempt == 2 && soft.stateType == .soft)
        let next = soft.recording(.critical, at: 2000, options: CheckOptions(maxCheckAttempts: 2))
        #expect(next.currentAttempt == 2 && next.stateType == .hard && next.lastHardStateChange == 2000)
    }

    /// Nagios' weights: 0.75 for the oldest of the 20 possible changes to
    /// 1.25 for the newest, summed and scaled to percent.
    @Test func percentStateChangeAndFlapping() {
        let options = CheckOptions(lowFlapThreshold: 5, highFlapThreshold: 20)
        let seen = Self.run([.critical, .ok, .critical, .ok, .ok], options: options)
        let expected = [6.25, 12.368_421, 18.355_263, 24.210_526, 23.684_211]
        for (status, percent) in zip(seen, expected) {
            #expect(abs(status.percentStateChange - percent) < 1e-5, "\(status.percentStateChange) vs \(percent)")
        }
        #expect(seen.map(\.isFlapping) == [false, false, false, true, true])
        // Steady OK: the changes age out; between the thresholds it keeps flapping, at 5 % or below it stops.
        var status = seen.last!
        var history: [(Double, Bool)] = []
        for second in 0..<21 {
            status = status.recording(.ok, at: 3000 + Double(second), options: options)
            history.append((status.percentStateChange, status.isFlapping))
        }
        #expect(history.allSatisfy { $0.0 > 20 || $0.0 <= 5 || $0.1 }, "stays flapping while undecided: \(history)")
        #expect(history.contains { $0.0 > 5 && $0.0 < 20 && $0.1 })
        #expect(history.last! == (0, false))
        // Alternating for 21 results: every slot a change, 100 %.
        let alternating = Self.run((0..<21).map { $0 % 2 == 0 ? .critical : .ok }, options: options).last!
        #expect(abs(alternating.percentStateChange - 100) < 1e-9)
        #expect(alternating.isFlapping)
        let off = Self.run((0..<21).map { $0 % 2 == 0 ? .critical : .ok }, options: CheckOptions(flapDetection: false)).last!
        #expect(!off.isFlapping)
    }

    @Test func softProblemsAreNotRecordedForFlapping() {
        let seen = Self.run([.critical, .critical, .ok], options: CheckOptions(maxCheckAttempts: 3))
        #expect(seen.map(\.percentStateChange) == [0, 0, 0])
        #expect(seen[2].stateHistory.allSatisfy { $0 == 0 })
    }

    @Test func theStatusSurvivesItsRunData() throws {
        let status = Self.run([.ok, .critical, .critical, .warning], options: CheckOptions(maxCheckAttempts: 3)).last!
        let restored = try #require(
            CheckStatus(runData: .mapping([.init(key: "current_state", value: ConfigNode(.int(1)))] + status.runDataEntries)))
        #expect(restored == status)
    }

    @Test func aResultWithoutStateTrackingReadsAsHard() throws {
        let old = try #require(CheckStatus(runData: ["current_state": .int(2), "state_name": "CRITICAL"]))
        #expect(old.currentState == .critical && old.stateType == .hard && old.currentAttempt == 1 && old.maxAttempts == 1)
        #expect(CheckStatus(runData: ["state_name": "OK"]) == nil)
        #expect(CheckStatus(runData: ["current_state": .int(9)]) == nil)
    }
}
