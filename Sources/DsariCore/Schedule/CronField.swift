/// One of the six fields of a dsari cron expression, in dsari's order
/// (seconds last), with the bounds used for parsing and for hashing.
enum CronField: Int, CaseIterable, Sendable {
    case minute = 0, hour, dayOfMonth, month, dayOfWeek, second

    /// The bounds `H` hashes over. Day of week hashes over 0–6 (as dsari 2.0's
    /// croniter does); a literal 7 is still accepted as Sunday when parsing.
    var hashBounds: ClosedRange<Int> {
        switch self {
        case .minute, .second: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...6
        }
    }

    /// The values a field may hold as written.
    var writtenBounds: ClosedRange<Int> {
        self == .dayOfWeek ? 0...7 : hashBounds
    }

    var name: String {
        switch self {
        case .minute: "minute"
        case .hour: "hour"
        case .dayOfMonth: "day of month"
        case .month: "month"
        case .dayOfWeek: "day of week"
        case .second: "second"
        }
    }

    /// Names accepted in place of numbers (three-letter, any case).
    var valueNames: [String: Int] {
        switch self {
        case .month:
            [
                "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
                "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
            ]
        case .dayOfWeek:
            ["sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6]
        default: [:]
        }
    }
}
