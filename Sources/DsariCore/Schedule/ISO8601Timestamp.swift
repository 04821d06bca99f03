import Foundation

/// Reads and writes the times users type and see: epoch seconds with a
/// fraction, or ISO 8601 (`2024-03-10T02:30:00`, with `Z` or an offset such
/// as `-07:00`, a space instead of `T`, optional seconds and fraction, or a
/// date alone). A time without an offset is read on the given zone's wall
/// clock, with the daylight-saving rule of `WallClock`.
public enum ISO8601Timestamp {
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public let text: String
        public var description: String {
            "\"\(text)\" is not a time: expected epoch seconds (e.g. 1710063032.5) or ISO 8601 (e.g. 2024-03-10T02:30:00-08:00)"
        }
    }

    public static func parse(_ text: String, timeZone: TimeZone) throws(ParseError) -> Instant {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let epoch = parseEpoch(trimmed) { return epoch }
        guard let instant = parseISO(trimmed, timeZone: timeZone) else { throw ParseError(text: text) }
        return instant
    }

    /// `2024-03-10T03:00:32.211192-07:00`: the instant on `timeZone`'s wall
    /// clock with microseconds and the offset in force, like Python's `isoformat()`.
    public static func format(_ instant: Instant, timeZone: TimeZone) -> String {
        let clock = WallClock(timeZone: timeZone)
        let second = instant.wholeSeconds
        let civil = clock.civil(at: second)
        let offset = clock.offset(at: second)
        let sign = offset < 0 ? "-" : "+"
        let magnitude = Int(abs(offset))
        var text = "\(civil)"
        if instant.microsecondsPart != 0 { text += ".\(pad(Int(instant.microsecondsPart), 6))" }
        text += "\(sign)\(pad(magnitude / 3600, 2)):\(pad((magnitude / 60) % 60, 2))"
        if magnitude % 60 != 0 { text += ":\(pad(magnitude % 60, 2))" }
        return text
    }

    private static func parseEpoch(_ text: String) -> Instant? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        let parts = digits.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        // Beyond ±292,000 years the microseconds overflow Int64 (that trapped): not a time.
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
            let seconds = Int64(whole), seconds < Int64.max / 1_000_000
        else { return nil }
        var micros: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.allSatisfy(\.isASCIIDigit) else { return nil }
            // Round to the microsecond from the first seven digits.
            let seven = String((fraction + "000000").prefix(7))
            micros = (Int64(seven)! + 5) / 10
        }
        let total = seconds * 1_000_000 + micros
        return Instant(microsecondsSinceEpoch: negative ? -total : total)
    }

    private static func parseISO(_ text: String, timeZone: TimeZone) -> Instant? {
        var scanner = Substring(text)
        func number(_ count: Int) -> Int? {
            let head = scanner.prefix(count)
            guard head.count == count, head.allSatisfy(\.isASCIIDigit) else { return nil }
            scanner = scanner.dropFirst(count)
            return Int(head)
        }
        func skip(_ character: Character) -> Bool {
            guard scanner.first == character else { return false }
            scanner = scanner.dropFirst()
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2),
            (1...12).contains(month), (1...CivilDate.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var civil = CivilDateTime(year: year, month: month, day: day)
        var micros: Int64 = 0
        if skip("T") || skip("t") || skip(" ") {
            guard let hour = number(2), skip(":"), let minute = number(2), hour < 24, minute < 60 else { return nil }
            civil.hour = hour
            civil.minute = minute
            if skip(":") {
                guard let second = number(2), second < 60 else { return nil }
                civil.second = second
                if skip(".") || skip(",") {
                    let fraction = scanner.prefix(while: \.isASCIIDigit)
                    guard !fraction.isEmpty else { return nil }
                    scanner = scanner.dropFirst(fraction.count)
                    micros = (Int64(String((fraction + "000000").prefix(7)))! + 5) / 10
                }
            }
        }
        let utcOffset: Int64?
        if scanner.isEmpty {
            utcOffset = nil
        } else if scanner == "Z" || scanner == "z" {
            utcOffset = 0
        } else {
            guard let signCharacter = scanner.first, signCharacter == "+" || signCharacter == "-" else { return nil }
            scanner = scanner.dropFirst()
            guard let hours = number(2) else { return nil }
            _ = skip(":")
            let minutes = scanner.isEmpty ? 0 : number(2)
            guard let minutes, scanner.isEmpty, hours < 24, minutes < 60 else { return nil }
            let magnitude = Int64(hours * 3600 + minutes * 60)
            utcOffset = signCharacter == "-" ? -magnitude : magnitude
        }
        let second: Int64
        if let utcOffset {
            second = civil.secondsSinceEpoch - utcOffset
        } else {
            second = WallClock(timeZone: timeZone).epochSecond(for: civil)
        }
        return Instant(seconds: second, microseconds: micros)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
