import DsariTestSupport
import Foundation
import Testing

@testable import DsariCore

/// Differential test against the reference: dsari 2.0's way of computing
/// schedules (croniter 7.0.0 for cron, python-dateutil's rrule for RRULE,
/// with its hash expansion and sub-second offset), re-run by
/// `Tests/Oracle/schedule_oracle.py` on thousands of random schedules, jobs
/// and start times. Our times must equal them to the microsecond, and a
/// schedule the reference refuses must be refused here too.
///
/// The oracle runs in the Python environment `script/test` prepares
/// (`.build/oracle-venv`, or `$DSARI_ORACLE_PYTHON`).
@Suite("Schedules equal dsari 2.0's (croniter / dateutil oracle)")
struct ScheduleOracleTests {
    struct Case: Decodable {
        let schedule: String
        let job: String
        let after_us: Int64
        let times_us: [Int64]?
        let error: String?
    }

    static func oracleCases(kind: String, cases: Int, seed: Int) throws -> [Case] {
        let data = try OracleScript.run(
            "schedule_oracle.py", ["--kind", kind, "--cases", String(cases), "--seed", String(seed)])
        return try data.split(separator: UInt8(ascii: "\n")).map { try JSONDecoder().decode(Case.self, from: Data($0)) }
    }

    /// `DSARI_ORACLE_SCALE=10` multiplies the case counts for a longer run.
    static let scale = Int(ProcessInfo.processInfo.environment["DSARI_ORACLE_SCALE"] ?? "") ?? 1

    // dateutil is slow on sparse rules, hence fewer RRULE cases.
    @Test(arguments: [("cron", 3000, 1), ("rrule", 400, 2)])
    func matchesTheReference(kind: String, cases baseCases: Int, seed: Int) throws {
        let cases = baseCases * Self.scale
        let utc = try #require(TimeZone(identifier: "UTC"))
        var compared = 0
        var refused = 0
        for item in try Self.oracleCases(kind: kind, cases: cases, seed: seed) {
            let context = "\(item.schedule) for job \(item.job) after \(Instant(microsecondsSinceEpoch: item.after_us))"
            let schedule: Schedule
            do {
                schedule = try Schedule(item.schedule, jobName: item.job, timeZone: utc)
            } catch {
                #expect(item.error != nil, "we refused \(context) (\(error)) but the reference accepts it")
                refused += 1
                continue
            }
            guard let expected = item.times_us else {
                Issue.record("the reference refuses \(context) (\(item.error ?? "")) but we accept it")
                continue
            }
            let ours = schedule.nextTimes(after: Instant(microsecondsSinceEpoch: item.after_us), count: expected.count)
                .map(\.microsecondsSinceEpoch)
            #expect(ours == expected, "\(context)")
            compared += 1
        }
        #expect(compared > cases * 9 / 10, "too few comparable cases: \(compared), refused \(refused)")
    }
}
