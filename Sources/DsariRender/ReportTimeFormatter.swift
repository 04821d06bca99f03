import DsariCore
import Foundation

/// Times as the report pages show them, on the local zone's wall clock
/// (`TZ`): `2024-03-09 16:00:01 +00:00` for people, and the full ISO 8601
/// form (`2024-03-09T16:00:01.250000+00:00`, as `dsari-info` prints) for
/// `<time datetime="…">` and scripts. Not thread-safe: one per render.
final class ReportTimeFormatter {
    private let writer: ISO8601TimestampWriter

    init(timeZone: TimeZone = .current) {
        writer = ISO8601TimestampWriter(timeZone: timeZone)
    }

    func iso(_ epochSeconds: Double) -> String {
        writer.string(Instant(epochSeconds: epochSeconds))
    }

    func display(_ epochSeconds: Double) -> String {
        let whole = Instant(seconds: Instant(epochSeconds: epochSeconds).wholeSeconds)
        let text = writer.string(whole)
        // `YYYY-MM-DDTHH:MM:SS±HH:MM`: the date, the time and the offset apart.
        guard text.count >= 19 else { return text }
        let date = text.prefix(10)
        let time = text.dropFirst(11).prefix(8)
        let offset = text.dropFirst(19)
        return "\(date) \(time) \(offset)"
    }
}
