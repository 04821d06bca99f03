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
