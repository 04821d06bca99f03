/// A recurrence rule in the iCalendar RRULE syntax (RFC 5545 §3.3.10), e.g.
/// `FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=9`.
///
/// Its occurrences (see `occurrences(dtstart:until:)`) are exactly those of
/// python-dateutil's `rrule` with a naive DTSTART, the implementation dsari
/// schedules have always used. COUNT is refused: dsari runs a schedule
/// indefinitely, and a count would depend on when the job was first loaded.
///
/// The BY* lists hold the parsed values sorted, without repeats; an empty list
/// means the part was not given.
struct RRule: Sendable, Hashable {
    /// How often the rule repeats: the length of one period.
    enum Frequency: Int, Sendable, Hashable, CaseIterable {
        // Coarsest first, as dateutil numbers them: comparisons of raw values
        // read "coarser than" / "finer than".
        case yearly, monthly, weekly, daily, hourly, minutely, secondly

        /// The RFC 5545 name, e.g. `DAILY`.
        var name: String {
            switch self {
            case .yearly: "YEARLY"
            case .monthly: "MONTHLY"
            case .weekly: "WEEKLY"
            case .daily: "DAILY"
            case .hourly: "HOURLY"
            case .minutely: "MINUTELY"
            case .secondly: "SECONDLY"
            }
        }
    }

    /// A day of the week; raw values count from Monday = 0 as dateutil does
    /// (unlike `CivilDate.weekday`, which counts from Sunday).
    enum Weekday: Int, Sendable, Hashable, CaseIterable {
        case monday, tuesday, wednesday, thursday, friday, saturday, sunday

        /// The RFC 5545 two-letter code, e.g. `MO`.
        var code: String {
            ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][rawValue]
        }

        init?(code: some StringProtocol) {
            guard let found = Weekday.allCases.first(where: { $0.code == code }) else { return nil }
            self = found
        }
    }

    /// One BYDAY entry: a weekday, optionally its nth occurrence in the month
    /// or year (negative counts from the end), e.g. `-1FR`.
    struct WeekdayOccurrence: Sendable, Hashable, Comparable {
        /// The day of the week.
        let weekday: Weekday
        /// nil when no ordinal was given; never 0.
        let ordinal: Int?

        static func < (lhs: WeekdayOccurrence, rhs: WeekdayOccurrence) -> Bool {
            (lhs.weekday.rawValue, lhs.ordinal ?? 0) < (rhs.weekday.rawValue, rhs.ordinal ?? 0)
        }
    }

    /// FREQ: the period the rule repeats in.
    private(set) var frequency: Frequency
    /// INTERVAL: every how many periods the rule fires, at least 1.
    private(set) var interval: Int = 1
    /// The UNTIL value as written: a date-only UNTIL is 00:00:00 of that day.
    /// When `untilIsUTC`, the caller converts it to the schedule's wall clock
    /// before passing it to `occurrences(dtstart:until:)`.
    private(set) var until: CivilDateTime?
    /// Whether UNTIL ended in `Z` (a UTC time rather than a wall-clock one).
    private(set) var untilIsUTC = false
    /// The day weeks start on, for WEEKLY periods and BYWEEKNO (WKST, default Monday).
    private(set) var weekStart: Weekday = .monday
    /// BYMONTH: months 1…12.
    private(set) var byMonth: [Int] = []
    /// BYWEEKNO: week numbers ±1…53 (weeks start on `weekStart`).
    private(set) var byWeekNumber: [Int] = []
    /// BYYEARDAY: days of the year ±1…366.
    private(set) var byYearDay: [Int] = []
    /// BYMONTHDAY: days of the month ±1…31.
    private(set) var byMonthDay: [Int] = []
    /// BYDAY: weekdays, each optionally numbered within the month or year.
    private(set) var byDay: [WeekdayOccurrence] = []
    /// BYHOUR: hours 0…23.
    private(set) var byHour: [Int] = []
    /// BYMINUTE: minutes 0…59.
    private(set) var byMinute: [Int] = []
    /// BYSECOND: seconds 0…59.
    private(set) var bySecond: [Int] = []
    /// BYSETPOS: positions ±1…366 within each period's occurrences.
    private(set) var bySetPosition: [Int] = []

    /// Parses `FREQ=…;…`, with or without a leading `RRULE:`; names and values
    /// are case-insensitive. Throws `RRuleError` for anything it cannot honour.
    init(parsing text: String) throws {
        let rule = String(text.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
        var body = Substring(rule)
        if body.prefix(6).uppercased() == "RRULE:" {
            body = body.dropFirst(6)
        }
        guard !body.isEmpty else {
            throw RRuleError(rule: rule, reason: "the rule is empty.")
        }

        var parser = PartParser(rule: rule)
        var seen: Set<String> = []
        var frequency: Frequency?
        for piece in body.split(separator: ";", omittingEmptySubsequences: false) {
            guard !piece.isEmpty else {
                throw RRuleError(rule: rule, reason: "it has an empty part (a stray \";\").")
            }
            guard let equals = piece.firstIndex(of: "="), equals != piece.startIndex else {
                throw RRuleError(rule: rule, part: String(piece), reason: "a part must read NAME=VALUE.")
            }
            let written = piece[..<equals]
            let name = written.uppercased()
            // dateutil upper-cases values too, so `freq=daily` and `byday=mo` are accepted.
            let value = piece[piece.index(after: equals)...].uppercased()
            parser.part = String(piece)
            guard Self.partNames.contains(name) else {
                throw RRuleError(rule: rule, reason: "unknown part \"\(written)\".")
            }
            guard seen.insert(name).inserted else {
                throw RRuleError(rule: rule, reason: "part \"\(name)\" is given more than once.")
            }
            guard !value.isEmpty else {
                throw parser.error("\(name) has no value.")
            }
            switch name {
            case "FREQ":
                guard let found = Frequency.allCases.first(where: { $0.name == value }) else {
                    throw parser.error(
                        "\"\(value)\" is not a frequency (SECONDLY, MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY).")
                }
                frequency = found
            case "INTERVAL":
                guard let number = Self.integer(value[...]), (1...Self.maximumInterval).contains(number) else {
                    throw parser.error("INTERVAL must be a whole number from 1 to \(Self.maximumInterval).")
                }
                interval = number
            case "UNTIL":
                (until, untilIsUTC) = try parser.untilValue(value)
            case "COUNT":
                throw parser.error(
                    "COUNT is not supported (dsari schedules run indefinitely; use UNTIL to end a rule).")
            case "WKST":
                guard let day = Weekday(code: value) else {
                    throw parser.error("\"\(value)\" is not a weekday (MO, TU, WE, TH, FR, SA or SU).")
                }
                weekStart = day
            case "BYMONTH":
                byMonth = try parser.numbers(value, what: "month", range: 1...12, signed: false)
            case "BYWEEKNO":
                byWeekNumber = try parser.numbers(value, what: "week number", range: 1...53, signed: true)
            case "BYYEARDAY":
                byYearDay = try parser.numbers(value, what: "year day", range: 1...366, signed: true)
            case "BYMONTHDAY":
                byMonthDay = try parser.numbers(value, what: "month day", range: 1...31, signed: true)
            case "BYDAY":
                byDay = try parser.weekdays(value)
            case "BYHOUR":
                byHour = try parser.numbers(value, what: "hour", range: 0...23, signed: false)
            case "BYMINUTE":
                byMinute = try parser.numbers(value, what: "minute", range: 0...59, signed: false)
            case "BYSECOND":
                // RFC 5545 allows 60 for leap seconds; dateutil refuses it, and so do we.
                bySecond = try parser.numbers(value, what: "second", range: 0...59, signed: false)
            default:  // BYSETPOS, the one name of `partNames` left
                bySetPosition = try parser.numbers(value, what: "set position", range: 1...366, signed: true)
            }
        }
        guard let frequency else {
            throw RRuleError(rule: rule, reason: "FREQ is required.")
        }
        self.frequency = frequency
    }

    static let partNames: Set<String> = [
        "FREQ", "INTERVAL", "UNTIL", "COUNT", "WKST", "BYMONTH", "BYWEEKNO", "BYYEARDAY",
        "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "BYSETPOS",
    ]

    /// Large enough for any sensible rule (31 years of seconds), small enough
    /// that period arithmetic never overflows.
    static let maximumInterval = 1_000_000_000

    /// A whole number with an optional sign; nil for anything else, including
    /// numbers too long to be meaningful here.
    static func integer(_ text: Substring) -> Int? {
        var digits = text
        var sign = 1
        if let first = digits.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0.isASCII && $0.isNumber }),
            let magnitude = Int(digits)
        else { return nil }
        return sign * magnitude
    }
}

/// Reads the values of one rule part, reporting errors against that part.
private struct PartParser {
    let rule: String
    var part = ""

    func error(_ reason: String) -> RRuleError {
        RRuleError(rule: rule, part: part, reason: reason)
    }

    /// A comma-separated list; `signed` lists also accept the negated range.
    func numbers(_ value: String, what: String, range: ClosedRange<Int>, signed: Bool) throws -> [Int] {
        var result: Set<Int> = []
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let number = RRule.integer(item) else {
                throw error("\"\(item)\" is not a whole number.")
            }
            guard range.contains(number) || (signed && range.contains(-number)) else {
                let allowed =
                    signed
                    ? "-\(range.upperBound)…-\(range.lowerBound) or \(range.lowerBound)…\(range.upperBound)"
                    : "\(range.lowerBound)…\(range.upperBound)"
                throw error("\(what) \(number) is out of range \(allowed).")
            }
            result.insert(number)
        }
        return result.sorted()
    }

    /// BYDAY: weekday codes, each optionally preceded by a signed ordinal.
    func weekdays(_ value: String) throws -> [RRule.WeekdayOccurrence] {
        var result: Set<RRule.WeekdayOccurrence> = []
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard let day = RRule.Weekday(code: item.suffix(2)) else {
                throw error("\"\(item)\" is not a weekday, optionally preceded by a signed ordinal (e.g. MO, 2TU, -1FR).")
            }
            let prefix = item.dropLast(2)
            var ordinal: Int?
            if !prefix.isEmpty {
                guard let number = RRule.integer(prefix) else {
                    throw error("\"\(item)\" is not a weekday, optionally preceded by a signed ordinal (e.g. MO, 2TU, -1FR).")
                }
                guard (1...53).contains(abs(number)) else {
                    throw error("ordinal \(number) in \"\(item)\" is out of range -53…-1 or 1…53.")
                }
                ordinal = number
            }
            result.insert(RRule.WeekdayOccurrence(weekday: day, ordinal: ordinal))
        }
        return result.sorted()
    }

    /// `YYYYMMDD` or `YYYYMMDDTHHMMSS`, either optionally ending in `Z`.
    func untilValue(_ value: String) throws -> (CivilDateTime, isUTC: Bool) {
        var text = Substring(value)
        let isUTC = text.hasSuffix("Z")
        if isUTC {
            text = text.dropLast()
        }
        let fields: [Substring]
        if text.count == 8 {
            fields = [text]
        } else if text.count == 15, text[text.index(text.startIndex, offsetBy: 8)] == "T" {
            fields = [text.prefix(8), text.suffix(6)]
        } else {
            fields = []
        }
        guard !fields.isEmpty, fields.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }) else {
            throw error(
                "\"\(value)\" is not a date (YYYYMMDD) or a date and time (YYYYMMDDTHHMMSS), optionally ending in Z.")
        }
        func number(_ field: Substring, _ offset: Int, _ length: Int) -> Int {
            let start = field.index(field.startIndex, offsetBy: offset)
            // Only ASCII digits were let through above, so this always parses.
            return Int(field[start..<field.index(start, offsetBy: length)]) ?? 0
        }
        let year = number(fields[0], 0, 4)
        let month = number(fields[0], 4, 2)
        let day = number(fields[0], 6, 2)
        guard year >= 1, (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day)
        else {
            throw error("\(fields[0]) is not a valid date.")
        }
        var result = CivilDateTime(year: year, month: month, day: day)
        if fields.count == 2 {
            result.hour = number(fields[1], 0, 2)
            result.minute = number(fields[1], 2, 2)
            result.second = number(fields[1], 4, 2)
            guard result.hour <= 23, result.minute <= 59, result.second <= 59 else {
                throw error("\(fields[1]) is not a valid time of day.")
            }
        }
        return (result, isUTC)
    }
}
