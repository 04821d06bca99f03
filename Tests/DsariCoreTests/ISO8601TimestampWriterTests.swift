import DsariCore
import Foundation
import Testing

/// The fast writer of run listings must agree with `ISO8601Timestamp.format`
/// byte for byte, across transitions, odd offsets and fractions.
@Suite("ISO8601TimestampWriter")
struct ISO8601TimestampWriterTests {
    @Test(
        arguments: [
            "UTC", "America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe", "Africa/Monrovia",
            "Pacific/Chatham", "America/St_Johns",
        ])
    func agreesWithFormat(zoneName: String) throws {
        let zone = try #require(TimeZone(identifier: zoneName))
        let writer = ISO8601TimestampWriter(timeZone: zone)
        var instants: [Instant] = [
            Instant(seconds: 0), Instant(seconds: -1, microseconds: 5), Instant(microsecondsSinceEpoch: -1),
            Instant(seconds: 1_710_063_032, microseconds: 211_192), Instant(seconds: 253_402_300_799),  // 9999-12-31
            Instant(seconds: 253_402_300_800),  // year 10000: written by the slow path
            Instant(seconds: -62_135_596_801),  // before year 1
            Instant(seconds: 63_072_000 - 2_208_988_800),  // 1902: Monrovia's offset had seconds
        ]
        // Every 20 minutes, plus odd microseconds, through two years with transitions.
        var second: Int64 = 1_698_796_800  // 2023-11-01T00:00:00Z
        while second < 1_698_796_800 + 2 * 366 * 86_400 {
            instants.append(Instant(seconds: second, microseconds: second % 7 == 0 ? 0 : second % 999_983))
            second += 1_200
        }
        for instant in instants {
            #expect(writer.string(instant) == ISO8601Timestamp.format(instant, timeZone: zone), "\(instant)")
        }
        // Out of order too: the cache must not depend on the order of asking.
        for instant in instants.reversed() {
            #expect(writer.string(instant) == ISO8601Timestamp.format(instant, timeZone: zone), "\(instant)")
        }
    }
}
