/// A wall-clock date and time with no time zone: what a calendar or a clock
/// on the wall shows. Schedules are matched against these, then turned into
/// instants by `WallClock`.
///
/// Arithmetic uses the proleptic Gregorian calendar through a day count
/// (days since 1970-01-01), so every field combination can be normalized.
struct CivilDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    var year: Int
    var month: Int  // 1...12
    var day: Int  // 1...31
    var hour: Int  // 0...23
    var minute: Int  // 0...59
    var second: Int  // 0...59

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The wall-clock time `seconds` seconds after 1970-01-01 00:00:00 (no zone).
    init(secondsSinceEpoch seconds: Int64) {
        let days = Int(seconds.floorDivided(by: 86_400))
        let rest = Int(seconds - Int64(days) * 86_400)
        let date = CivilDate(daysSinceEpoch: days)
        self.init(
            year: date.year, month: date.month, day: date.day,
            hour: rest / 3600, minute: (rest / 60) % 60, second: rest % 60)
    }

    /// Seconds since 1970-01-01 00:00:00 of this wall-clock time read as if it were UTC.
    var secondsSinceEpoch: Int64 {
        Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    var date: CivilDate { CivilDate(year: year, month: month, day: day) }

    /// Day of the week, 0 = Sunday … 6 = Saturday.
    var weekday: Int { date.weekday }

    static func < (lhs: CivilDateTime, rhs: CivilDateTime) -> Bool {
        (lhs.year, lhs.month, lhs.day, lhs.hour, lhs.minute, lhs.second)
            < (rhs.year, rhs.month, rhs.day, rhs.hour, rhs.minute, rhs.second)
    }

    func adding(seconds: Int64) -> CivilDateTime {
        CivilDateTime(secondsSinceEpoch: secondsSinceEpoch + seconds)
    }

    /// ISO 8601 without offset, e.g. `2024-03-10T02:30:00`.
    var description: String {
        "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))"
    }
}

/// A calendar date (proleptic Gregorian).
struct CivilDate: Hashable, Comparable, Sendable {
    var year: Int
    var month: Int
    var day: Int

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Howard Hinnant's `civil_from_days`.
    init(daysSinceEpoch: Int) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Howard Hinnant's `days_from_civil`; out-of-range months and days are
    /// not normalized here (use `normalized` first when they may be).
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 0 = Sunday … 6 = Saturday.
    var weekday: Int { (daysSinceEpoch + 4).floorModulo(7) }

    func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + days) }

    static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func daysInYear(_ year: Int) -> Int { isLeapYear(year) ? 366 : 365 }
}

extension BinaryInteger {
    /// Division rounding toward negative infinity.
    func floorDivided(by divisor: Self) -> Self {
        let q = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? q - 1 : q
    }

    /// Remainder with the sign of the divisor.
    func floorModulo(_ divisor: Self) -> Self {
        let r = self % divisor
        return r != 0 && (r < 0) != (divisor < 0) ? r + divisor : r
    }
}

func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(abs(value))
    let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
    return value < 0 ? "-" + padded : padded
}
