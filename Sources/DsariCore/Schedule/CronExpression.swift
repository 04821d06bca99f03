/// A plain six-field cron expression (minute hour day-of-month month
/// day-of-week second), parsed into the set of values each field allows.
///
/// Matching follows croniter, which dsari 2.0 uses: when both day of month
/// and day of week are restricted (do not cover their whole range), a day
/// matches if either does; otherwise only the restricted one counts.
struct CronExpression: Hashable, Sendable, CustomStringConvertible {
    /// Allowed values per field, as bit sets (bit n = value n).
    private var allowed: [UInt64]
    /// The expression as written, after hash expansion.
    let fields: [String]

    init(fields: [String]) throws(ScheduleError) {
        let text = fields.joined(separator: " ")
        guard fields.count == 6 else {
            throw ScheduleError(schedule: text, reason: "expected 5 or 6 fields, found \(fields.count)")
        }
        var allowed: [UInt64] = []
        for field in CronField.allCases {
            allowed.append(try Self.parse(fields[field.rawValue], as: field, in: text))
        }
        self.allowed = allowed
        self.fields = fields
    }

    var description: String { fields.joined(separator: " ") }

    private func allows(_ field: CronField, _ value: Int) -> Bool {
        allowed[field.rawValue] & (1 << UInt64(value)) != 0
    }

    /// Whether a day field restricts days, as croniter decides it: a field
    /// written `*` does not; one whose values cover the whole field does not
    /// either — unless the other day field's text has no `*` (then `1-31`
    /// with weekday `1` still means "any day of the month OR Monday").
    private func isRestricted(_ field: CronField) -> Bool {
        let text = fields[field.rawValue]
        if text == "*" { return false }
        let full = Self.bits(field.hashBounds)
        guard allowed[field.rawValue] & full == full else { return true }
        let other: CronField = field == .dayOfMonth ? .dayOfWeek : .dayOfMonth
        return !fields[other.rawValue].contains("*")
    }

    /// Whether the expression allows this calendar day (month and day rules).
    func allowsDay(_ date: CivilDate) -> Bool {
        guard allows(.month, date.month) else { return false }
        let dom = allows(.dayOfMonth, date.day)
        let dow = allows(.dayOfWeek, date.weekday)
        switch (isRestricted(.dayOfMonth), isRestricted(.dayOfWeek)) {
        case (true, true): return dom || dow
        case (true, false): return dom
        case (false, true): return dow
        case (false, false): return true
        }
    }

    /// The smallest wall-clock time that matches and is strictly after `time`,
    /// or nil when none exists within `searchYears` years (an expression like
    /// `0 0 30 2 * 0` never matches).
    func next(after time: CivilDateTime, searchYears: Int = 50) -> CivilDateTime? {
        var date = time.date
        // The first candidate second of the start day is the one after `time`.
        var fromSecondOfDay = time.hour * 3600 + time.minute * 60 + time.second + 1
        let lastDay = CivilDate(year: date.year + searchYears, month: 12, day: 31)
        while date <= lastDay {
            if !allows(.month, date.month) {
                // Jump to the first day of the next month.
                date =
                    date.month == 12
                    ? CivilDate(year: date.year + 1, month: 1, day: 1)
                    : CivilDate(year: date.year, month: date.month + 1, day: 1)
                fromSecondOfDay = 0
                continue
            }
            if allowsDay(date), let (h, m, s) = firstTime(fromSecondOfDay: fromSecondOfDay) {
                return CivilDateTime(year: date.year, month: date.month, day: date.day, hour: h, minute: m, second: s)
            }
            date = date.adding(days: 1)
            fromSecondOfDay = 0
        }
        return nil
    }

    /// The first allowed (hour, minute, second) at or after `secondOfDay`.
    private func firstTime(fromSecondOfDay secondOfDay: Int) -> (Int, Int, Int)? {
        guard secondOfDay < 86_400 else { return nil }
        let startHour = secondOfDay / 3600
        for hour in startHour..<24 where allows(.hour, hour) {
            let startMinute = hour == startHour ? (secondOfDay / 60) % 60 : 0
            for minute in startMinute..<60 where allows(.minute, minute) {
                let startSecond = hour == startHour && minute == startMinute ? secondOfDay % 60 : 0
                if let second = Self.lowestBit(allowed[CronField.second.rawValue], from: startSecond) {
                    return (hour, minute, second)
                }
            }
        }
        return nil
    }

    private static func lowestBit(_ bits: UInt64, from start: Int) -> Int? {
        guard start < 64 else { return nil }
        let masked = bits & (~0 << UInt64(start))
        return masked == 0 ? nil : masked.trailingZeroBitCount
    }

    /// Parses one field the way croniter 7.0.0 (dsari 2.0's cron engine) does,
    /// quirks included, so that schedules keep their times:
    /// `*`, `*/n`, `a`, `a-b`, `a-b/n`, `a/n` (a to the field's end), comma
    /// lists, month and weekday names; weekday 7 is Sunday; a range written
    /// with equal ends (`5-5`, `6-6/2`) means the whole field; a backwards
    /// range wraps around the field's end (`50-10` minutes, `fri-mon`).
    private static func parse(_ text: String, as field: CronField, in expression: String) throws(ScheduleError) -> UInt64 {
        func fail(_ reason: String) -> ScheduleError {
            ScheduleError(schedule: expression, reason: "\(field.name) field \"\(text)\": \(reason)")
        }
        let bounds = field.hashBounds
        func isDigits(_ token: Substring) -> Bool { !token.isEmpty && token.allSatisfy { $0.isASCII && $0.isNumber } }
        /// A number or name, weekday 7 read as Sunday (0).
        func value(_ token: Substring) throws(ScheduleError) -> Int {
            var number: Int
            if isDigits(token), let parsed = Int(token) {
                number = parsed
            } else if let named = field.valueNames[token.lowercased()] {
                number = named
            } else if token.hasPrefix("H") || token.hasPrefix("R") {
                throw fail("\"\(token)\" is not a hash form dsari knows (H, H(a-b), H/n, H(a-b)/n, and R likewise)")
            } else {
                throw fail("\"\(token)\" is not a number")
            }
            if field == .dayOfWeek && number == 7 { number = 0 }
            return number
        }
        guard !text.isEmpty else { throw fail("empty field") }
        var bits: UInt64 = 0
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw fail("empty list item") }
            if item == "*" {
                bits |= Self.bits(bounds)
                continue
            }
            let parts = item.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw fail("\"\(item)\" has more than one step") }
            var step = 1
            if parts.count == 2 {
                guard isDigits(parts[1]), let parsed = Int(parts[1]) else {
                    throw fail("step \"\(parts[1])\" is not a number")
                }
                guard parsed > 0 else { throw fail("a step must be at least 1") }
                step = parsed
            }
            let range = parts[0]
            var low: Int
            var high: Int
            var startWithStep = false
            if range == "*" {
                (low, high) = (bounds.lowerBound, bounds.upperBound)
            } else if let dash = range.firstIndex(of: "-"), dash != range.startIndex {
                low = try value(range[..<dash])
                high = try value(range[range.index(after: dash)...])
            } else if parts.count == 2 {
                // `a/n` runs from a to the field's end.
                low = try value(range)
                high = bounds.upperBound
                startWithStep = true
            } else {
                let single = try value(range)
                guard bounds.contains(single) else {
                    throw fail("\(single) is out of range \(field.writtenBounds.lowerBound)–\(field.writtenBounds.upperBound)")
                }
                bits |= 1 << UInt64(single)
                continue
            }
            guard max(low, high) <= bounds.upperBound else {
                throw fail("\(max(low, high)) is out of range \(field.writtenBounds.lowerBound)–\(field.writtenBounds.upperBound)")
            }
            if startWithStep && low == high {
                bits |= 1 << UInt64(low)  // `59/15` is minute 59 alone
                continue
            }
            if low == high {
                // croniter reads an equal range as the whole cycle.
                (low, high) = (bounds.lowerBound, bounds.upperBound)
            }
            if low > high {
                // Wraps: low…end, then from the start again. croniter resumes
                // the step one value late when it crosses the end mid-step; kept.
                var last = low
                for v in stride(from: low, through: bounds.upperBound, by: step) {
                    bits |= 1 << UInt64(v)
                    last = v
                }
                let skip = last + step > bounds.upperBound + 1 ? last + step - bounds.upperBound : 0
                for v in stride(from: bounds.lowerBound + skip, through: high, by: step) {
                    bits |= 1 << UInt64(v)
                }
            } else {
                for v in stride(from: low, through: high, by: step) {
                    bits |= 1 << UInt64(v)
                }
            }
        }
        return bits
    }

    private static func bits(_ range: ClosedRange<Int>) -> UInt64 {
        ((1 << UInt64(range.count)) - 1) << UInt64(range.lowerBound)
    }
}
