import Foundation

/// A job's schedule: when its next run is due.
///
/// Three written forms, computed in the job's time zone (see `WallClock` for
/// the daylight-saving rule):
/// - cron with 5 or 6 fields (seconds last; 5 fields get `H` seconds),
///   with Jenkins `H`/`R` items expanded per job (`JenkinsHashExpander`);
/// - the aliases `@midnight`, `@hourly`, `@daily`, `@weekly`, `@monthly`,
///   `@yearly`, `@annually`;
/// - an iCalendar `RRULE:` whose DTSTART is hashed from the job name.
///
/// Every computed time gets the job's sub-second offset, `crc / 0xFFFFFFFF`
/// seconds rounded to the microsecond, as dsari does.
public struct Schedule: Sendable, Hashable {
    enum Form: Sendable, Hashable {
        case cron(CronExpression)
        case rrule(RRule)
    }

    /// The schedule as written in the configuration.
    public let text: String
    public let jobName: String
    let form: Form
    public let timeZone: TimeZone
    /// CRC-32 of the job name: seeds `H` and the sub-second offset.
    public let crc: UInt32

    static let aliases: [String: String] = [
        "@midnight": "H H(0-2) * * * H",
        "@hourly": "H * * * * H",
        "@daily": "H H * * * H",
        "@weekly": "H H * * H H",
        "@monthly": "H H H * * H",
        "@yearly": "H H H H * H",
        "@annually": "H H H H * H",
    ]

    public init(_ text: String, jobName: String, timeZone: TimeZone) throws(ScheduleError) {
        var generator = SystemRandomNumberGenerator()
        try self.init(text, jobName: jobName, timeZone: timeZone, random: &generator)
    }

    /// Parses with a given source of randomness for `R` items (tests pass a seeded one).
    public init<Generator: RandomNumberGenerator>(
        _ text: String, jobName: String, timeZone: TimeZone, random: inout Generator
    ) throws(ScheduleError) {
        self.text = text
        self.jobName = jobName
        self.timeZone = timeZone
        self.crc = CRC32.checksum(jobName)
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.uppercased().hasPrefix("RRULE:") {
            do {
                self.form = .rrule(try RRule(parsing: trimmed))
            } catch {
                throw ScheduleError(schedule: text, reason: String(describing: error))
            }
            return
        }
        var written = trimmed
        if written.hasPrefix("@") {
            guard let alias = Self.aliases[written.lowercased()] else {
                throw ScheduleError(
                    schedule: text,
                    reason: "unknown alias; use one of \(Self.aliases.keys.sorted().joined(separator: ", "))")
            }
            written = alias
        }
        var fields = written.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let writtenFields = fields
        if fields.count == 5 {
            fields.append("H")
        }
        guard fields.count == 6 else {
            throw ScheduleError(
                schedule: text,
                reason:
                    "expected 5 or 6 space-separated fields (minute hour day-of-month month day-of-week [second]), found \(fields.count)")
        }
        let expander = JenkinsHashExpander(crc: crc)
        let expanded = fields.enumerated().map { expander.expand($1, position: $0, random: &random) }
        let expression: CronExpression
        do {
            expression = try CronExpression(fields: expanded)
        } catch {
            let hashed = writtenFields.contains { $0.hasPrefix("H") || $0.hasPrefix("R") }
            let shown = !hashed ? "" : " (expanded for job \"\(jobName)\" to \"\(expanded.joined(separator: " "))\")"
            throw ScheduleError(schedule: text, reason: error.reason + shown)
        }
        // A cron expression that never matches (e.g. February 30th) would
        // leave the job silently idle: refuse it.
        guard expression.next(after: CivilDateTime(year: 2000, month: 1, day: 1)) != nil else {
            throw ScheduleError(schedule: text, reason: "no date ever matches it")
        }
        self.form = .cron(expression)
    }

    /// The job's sub-second offset in microseconds ("hello" → 211192).
    public var subsecondOffsetMicroseconds: Int64 {
        Int64((Double(crc) / Double(UInt32.max) * 1_000_000).rounded(.toNearestOrEven))
    }

    /// The next run time strictly after `start` (whose fraction of a second is
    /// ignored), or nil when the schedule has no further occurrence.
    public func nextTime(after start: Instant) -> Instant? {
        let clock = WallClock(timeZone: timeZone)
        let startSecond = start.wholeSeconds
        let next: Int64?
        switch form {
        case .cron(let expression):
            next = nextCronSecond(expression, after: startSecond, clock: clock)
        case .rrule(let rule):
            next = nextRRuleSecond(rule, after: startSecond, clock: clock)
        }
        return next.map { Instant(seconds: $0, microseconds: subsecondOffsetMicroseconds) }
    }

    /// The next `count` run times, each computed from the previous one.
    public func nextTimes(after start: Instant, count: Int) -> [Instant] {
        var times: [Instant] = []
        var current = start
        while times.count < count, let next = nextTime(after: current) {
            times.append(next)
            current = next
        }
        return times
    }

    private func nextCronSecond(_ expression: CronExpression, after startSecond: Int64, clock: WallClock) -> Int64? {
        var local = clock.civil(at: startSecond)
        while let candidate = expression.next(after: local) {
            let second = clock.epochSecond(for: candidate)
            // A wall-clock time repeated by a fall-back whose first occurrence
            // is already past is skipped: it ran (or would have run) once.
            if second > startSecond { return second }
            local = candidate
        }
        return nil
    }

    /// DTSTART = start − ((start − crc) mod 86400): the positions the rule
    /// leaves open take the values of `crc mod 86400` seconds after UTC midnight.
    func rruleStart(for startSecond: Int64) -> Int64 {
        startSecond - (startSecond - Int64(crc)).floorModulo(86_400)
    }

    private func nextRRuleSecond(_ rule: RRule, after startSecond: Int64, clock: WallClock) -> Int64? {
        let dtstart = clock.civil(at: rruleStart(for: startSecond))
        var until = rule.until
        if let written = rule.until, rule.untilIsUTC {
            until = clock.civil(at: written.secondsSinceEpoch)
        }
        for occurrence in rule.occurrences(dtstart: dtstart, until: until) {
            let second = clock.epochSecond(for: occurrence)
            if second > startSecond { return second }
        }
        return nil
    }
}
