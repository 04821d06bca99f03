import Foundation

/// Writes many instants of one time zone as ISO 8601 bytes, exactly as
/// `ISO8601Timestamp.format` does, fast enough for listings of 100,000 runs.
///
/// Asking Foundation for the UTC offset costs microseconds per call; this
/// asks once per day and remembers the answer for days without a
/// transition, so most instants cost only arithmetic. Not thread-safe: use
/// one writer per listing.
public final class ISO8601TimestampWriter {
    public let timeZone: TimeZone
    private let clock: WallClock
    /// Offsets of whole days (by day number since the epoch) that have no
    /// transition; days with one are looked up per instant.
    private var dayOffsets: [Int64: Int64] = [:]
    private var daysWithTransition: Set<Int64> = []
    /// The last day looked up: listings go through the runs of one day after another.
    private var lastDay: (day: Int64, offset: Int64)?

    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
        self.clock = WallClock(timeZone: timeZone)
    }

    /// `instant` as `ISO8601Timestamp.format` writes it, appended to `output`.
    public func append(_ instant: Instant, to output: inout [UInt8]) {
        let second = instant.wholeSeconds
        let offset = offset(at: second)
        let civil = CivilDateTime(secondsSinceEpoch: second + offset)
        guard (0...9999).contains(civil.year) else {
            output.append(contentsOf: ISO8601Timestamp.format(instant, timeZone: timeZone).utf8)
            return
        }
        // Composed on the stack and appended once: byte-by-byte appends to
        // the array cost more than everything else here.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { text in
            var end = 0
            func digits(_ value: Int, _ width: Int) {
                var rest = value
                for position in stride(from: end + width - 1, through: end, by: -1) {
                    text[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
                end += width
            }
            func character(_ byte: Unicode.Scalar) {
                text[end] = UInt8(ascii: byte)
                end += 1
            }
            digits(civil.year, 4)
            character("-")
            digits(civil.month, 2)
            character("-")
            digits(civil.day, 2)
            character("T")
            digits(civil.hour, 2)
            character(":")
            digits(civil.minute, 2)
            character(":")
            digits(civil.second, 2)
            let micros = instant.microsecondsPart
            if micros != 0 {
                character(".")
                digits(Int(micros), 6)
            }
            character(offset < 0 ? "-" : "+")
            let magnitude = Int(abs(offset))
            digits(magnitude / 3600, 2)
            character(":")
            digits((magnitude / 60) % 60, 2)
            if magnitude % 60 != 0 {
                character(":")
                digits(magnitude % 60, 2)
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: text[..<end]))
        }
    }

    /// `instant` as `ISO8601Timestamp.format` writes it.
    public func string(_ instant: Instant) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        append(instant, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTC offset in force at `second`, from the day cache when the day
    /// has no transition.
    private func offset(at second: Int64) -> Int64 {
        let day = second.floorDivided(by: 86_400)
        if let lastDay, lastDay.day == day { return lastDay.offset }
        if let cached = dayOffsets[day] {
            lastDay = (day, cached)
            return cached
        }
        if daysWithTransition.contains(day) { return clock.offset(at: second) }
        let start = day * 86_400
        let end = start + 86_400
        let first = clock.offset(at: start)
        let transition = timeZone.nextDaylightSavingTimeTransition(after: Date(timeIntervalSince1970: TimeInterval(start)))
        let steady = first == clock.offset(at: end - 1) && (transition.map { $0.timeIntervalSince1970 >= Double(end) } ?? true)
        if steady {
            dayOffsets[day] = first
            lastDay = (day, first)
            return first
        }
        daysWithTransition.insert(day)
        return clock.offset(at: second)
    }
}

@available(*, unavailable)
extension ISO8601TimestampWriter: Sendable {}
