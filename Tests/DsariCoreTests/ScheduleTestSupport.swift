import Foundation
import Testing

@testable import DsariCore

/// The next `count` run times of `schedule` for `job` after `after` (ISO 8601
/// or epoch), formatted as ISO 8601 in `zone` — what a person would check.
func runTimes(
    _ schedule: String, job: String = "hello", after: String, zone: String = "UTC", count: Int = 1
) throws -> [String] {
    let timeZone = try #require(TimeZone(identifier: zone))
    let parsed = try Schedule(schedule, jobName: job, timeZone: timeZone)
    let start = try ISO8601Timestamp.parse(after, timeZone: timeZone)
    return parsed.nextTimes(after: start, count: count).map { ISO8601Timestamp.format($0, timeZone: timeZone) }
}

/// The expanded cron fields of a schedule for a job.
func expandedFields(_ schedule: String, job: String = "hello") throws -> String {
    let parsed = try Schedule(schedule, jobName: job, timeZone: TimeZone(identifier: "UTC")!)
    guard case .cron(let expression) = parsed.form else { return "(not cron)" }
    return expression.description
}

/// A deterministic generator for `R` items.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        // SplitMix64
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
