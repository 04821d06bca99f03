import DsariTestSupport
import Foundation
import Testing

@testable import DsariCore

/// Job "hello": CRC-32 907060870. Hashes per field position (SPEC §4,
/// `((crc >> pos) % (hi - lo + 1)) + lo`), worked out by hand:
/// minute 907060870 % 60 = 10; hour (crc>>1) % 24 = 11; day (crc>>2) % 31 + 1 = 1;
/// month (crc>>3) % 12 + 1 = 9; weekday (crc>>4) % 7 = 5; second (crc>>5) % 60 = 32.
/// Sub-second offset 907060870 / 4294967295 = 0.211192 s.
@Suite("Jenkins hash expansion and CRC-32")
struct HashExpansionTests {
    @Test func crcOfKnownStrings() {
        #expect(CRC32.checksum("hello") == 907_060_870)
        #expect(CRC32.checksum("123456789") == 0xCBF4_3926)  // the standard check value
        #expect(CRC32.checksum("") == 0)
    }

    @Test func subsecondOffset() throws {
        let schedule = try Schedule("* * * * *", jobName: "hello", timeZone: TimeZone(identifier: "UTC")!)
        #expect(schedule.subsecondOffsetMicroseconds == 211_192)
    }

    @Test(arguments: [
        ("H H H H H H", "10 11 1 9 5 32"),
        // 5 fields: the seconds field defaults to H.
        ("H H * * *", "10 11 * * * 32"),
        // H/n: v = hash(pos, low, n) with n inclusive (907060870 % 16 = 6).
        ("H/15 * * * * 0", "6-59/15 * * * * 0"),
        // H(a-b) with a 0 bound: the field's own bound (day 1, hour 23).
        ("0 H(3-0) H(0-5) * * 0", "0 11 3 * * 0"),
        // H(a-b)/n: (v + a)-b/n with v = hash(pos, low, n): day (crc>>2) % 2 + 1 = 2.
        ("0 0 H(1-5)/2 * * 0", "0 0 3-5/2 * * 0"),
        // Aliases (SPEC §4).
        ("@hourly", "10 * * * * 32"),
        ("@daily", "10 11 * * * 32"),
        ("@midnight", "10 \((907_060_870 >> 1) % 3) * * * 32"),
        ("@weekly", "10 11 * * 5 32"),
        ("@monthly", "10 11 1 * * 32"),
        ("@yearly", "10 11 1 9 * 32"),
        ("@annually", "10 11 1 9 * 32"),
        // Plain items pass through.
        ("1,2 3-4 */5 jan mon-fri 7", "1,2 3-4 */5 jan mon-fri 7"),
    ])
    func expansion(written: String, expanded: String) throws {
        #expect(try expandedFields(written) == expanded)
    }

    @Test func randomItemsStayInRangeAndVary() throws {
        var seen = Set<String>()
        var generator = SeededGenerator(state: 42)
        for _ in 0..<50 {
            let schedule = try Schedule("R R(10-20) * * * R/30", jobName: "hello", timeZone: .gmt, random: &generator)
            guard case .cron(let expression) = schedule.form else { Issue.record("not cron"); return }
            let fields = expression.fields
            let minute = try #require(Int(fields[0]))
            let hour = try #require(Int(fields[1]))
            #expect((0...59).contains(minute))
            #expect((10...20).contains(hour))
            #expect(fields[5].hasSuffix("-59/30"))
            seen.insert(expression.description)
        }
        #expect(seen.count > 10)
    }
}

@Suite("Cron next run times")
struct CronNextTimeTests {
    @Test func monthEndsSkipShortMonths() throws {
        #expect(
            try runTimes("0 0 31 * * 0", after: "2024-01-31T00:00:00Z", count: 3) == [
                "2024-03-31T00:00:00.211192+00:00", "2024-05-31T00:00:00.211192+00:00",
                "2024-07-31T00:00:00.211192+00:00",
            ])
    }

    @Test func leapDayWaitsForALeapYear() throws {
        #expect(
            try runTimes("0 12 29 2 * 0", after: "2024-03-01T00:00:00Z", count: 2) == [
                "2028-02-29T12:00:00.211192+00:00", "2032-02-29T12:00:00.211192+00:00",
            ])
        // 2100 is not a leap year (divisible by 100, not by 400).
        #expect(try runTimes("0 0 29 2 * 0", after: "2096-03-01T00:00:00Z") == ["2104-02-29T00:00:00.211192+00:00"])
    }

    @Test(arguments: ["0", "7", "sun", "SUN"])
    func sundayAsZeroOrSeven(weekday: String) throws {
        // 2024-06-05 is a Wednesday; the next Sunday is the 9th.
        #expect(
            try runTimes("0 9 * * \(weekday) 0", after: "2024-06-05T10:00:00Z", count: 2) == [
                "2024-06-09T09:00:00.211192+00:00", "2024-06-16T09:00:00.211192+00:00",
            ])
    }

    @Test func dayOfMonthOrDayOfWeek() throws {
        // Both restricted: the 13th OR a Friday. 2024-09-06 and 20 are Fridays, the 13th is both.
        #expect(
            try runTimes("0 0 13 * 5 0", after: "2024-09-01T00:00:00Z", count: 4) == [
                "2024-09-06T00:00:00.211192+00:00", "2024-09-13T00:00:00.211192+00:00",
                "2024-09-20T00:00:00.211192+00:00", "2024-09-27T00:00:00.211192+00:00",
            ])
        // Only day of month restricted: the 13th only.
        #expect(
            try runTimes("0 0 13 * * 0", after: "2024-09-01T00:00:00Z", count: 2) == [
                "2024-09-13T00:00:00.211192+00:00", "2024-10-13T00:00:00.211192+00:00",
            ])
        // A day-of-month range covering the whole month still restricts when
        // the weekday field has no `*` (croniter, like Vixie cron): every day matches.
        #expect(
            try runTimes("0 0 1-31 * 1 0", after: "2024-09-01T00:00:00Z", count: 2) == [
                "2024-09-02T00:00:00.211192+00:00", "2024-09-03T00:00:00.211192+00:00",
            ])
        // A full weekday range beside a `*`-free day of month: also every day.
        #expect(
            try runTimes("0 0 13 * 0-6 0", after: "2024-09-01T00:00:00Z", count: 1) == ["2024-09-02T00:00:00.211192+00:00"])
        // With a `*` in the weekday text, a full day-of-month range is "any":
        // weekdays 0,2,4,6 only. 2024-09-01 is a Sunday, the 3rd a Tuesday.
        #expect(
            try runTimes("0 0 1-31 * */2 0", after: "2024-09-01T00:00:00Z", count: 2) == [
                "2024-09-03T00:00:00.211192+00:00", "2024-09-05T00:00:00.211192+00:00",
            ])
    }

    /// croniter 7.0.0's readings, kept so schedules migrated from dsari keep their times.
    @Test(arguments: [
        // An equal range means the whole field.
        ("5-5 0 1 1 * 0", "2024-01-01T00:00:00Z", ["2024-01-01T00:01:00.211192+00:00", "2024-01-01T00:02:00.211192+00:00"]),
        ("46-46/20 0 1 1 * 0", "2024-01-01T00:00:00Z", ["2024-01-01T00:20:00.211192+00:00", "2024-01-01T00:40:00.211192+00:00"]),
        // `a/n` at the field's end is that value alone.
        ("59/15 0 1 1 * 0", "2024-01-01T00:00:00Z", ["2024-01-01T00:59:00.211192+00:00", "2025-01-01T00:59:00.211192+00:00"]),
        // A backwards range wraps; with a step it resumes one value late (50, then 6 not 5).
        ("50-10/15 0 1 1 * 0", "2024-01-01T00:00:00Z", ["2024-01-01T00:06:00.211192+00:00", "2024-01-01T00:50:00.211192+00:00"]),
        // Friday to Monday. 2024-06-05 is a Wednesday.
        (
            "0 0 * * fri-mon 0", "2024-06-05T00:00:00Z",
            [
                "2024-06-07T00:00:00.211192+00:00", "2024-06-08T00:00:00.211192+00:00", "2024-06-09T00:00:00.211192+00:00",
                "2024-06-10T00:00:00.211192+00:00", "2024-06-14T00:00:00.211192+00:00",
            ]
        ),
    ])
    func croniterReadings(schedule: String, after: String, expected: [String]) throws {
        #expect(try runTimes(schedule, after: after, count: expected.count) == expected)
    }

    @Test func secondsField() throws {
        #expect(
            try runTimes("* * * * * */15", after: "2024-01-01T12:00:07Z", count: 4) == [
                "2024-01-01T12:00:15.211192+00:00", "2024-01-01T12:00:30.211192+00:00",
                "2024-01-01T12:00:45.211192+00:00", "2024-01-01T12:01:00.211192+00:00",
            ])
    }

    @Test func nextIsStrictlyAfterTheStartsWholeSecond() throws {
        // 12:00:15.5 counts as 12:00:15: 12:00:15 itself is not "after".
        #expect(try runTimes("* * * * * */15", after: "1704110415.5") == ["2024-01-01T12:00:30.211192+00:00"])
        // Chaining from a result (offset included) moves on.
        #expect(
            try runTimes("* * * * * *", after: "2024-01-01T12:00:00Z", count: 2) == [
                "2024-01-01T12:00:01.211192+00:00", "2024-01-01T12:00:02.211192+00:00",
            ])
    }

    @Test func yearBoundary() throws {
        #expect(try runTimes("59 23 31 12 * 59", after: "2024-12-31T23:59:59Z") == ["2025-12-31T23:59:59.211192+00:00"])
    }

    @Test(arguments: [
        ("* * * *", "expected 5 or 6"),
        ("* * * * * * *", "expected 5 or 6"),
        ("60 * * * *", "minute field \"60\": 60 is out of range 0–59"),
        ("* 24 * * *", "hour field"),
        ("* * 0 * *", "day of month field \"0\""),
        ("* * * 13 *", "month field"),
        ("* * * * 8", "day of week field"),
        ("*/0 * * * *", "a step must be at least 1"),
        ("a * * * *", "\"a\" is not a number"),
        ("1,,2 * * * *", "empty list item"),
        ("@often", "unknown alias"),
        ("0 0 30 2 * 0", "no date ever matches"),
        ("H(59-59)/10 * * * *", "60 is out of range"),
        ("H(1-2 * * * *", "is not a hash form"),
    ])
    func invalidSchedules(schedule: String, reason: String) {
        #expect {
            _ = try Schedule(schedule, jobName: "hello", timeZone: .gmt)
        } throws: { error in
            let text = String(describing: error)
            return text.contains(reason) && text.contains(schedule)
        }
    }
}

/// Daylight-saving transitions, with the rule of SPEC §4: a nonexistent time
/// runs at the end of the gap with the job's seconds; a repeated time runs
/// once, at its first occurrence; times always increase.
@Suite("Schedules across DST")
struct DaylightSavingTests {
    @Test func losAngelesSpringForward() throws {
        // 2024-03-10 02:00 PST → 03:00 PDT. "hello" hashes seconds to 32.
        #expect(
            try runTimes("30 2 * * *", after: "2024-03-09T12:00:00", zone: "America/Los_Angeles", count: 3) == [
                "2024-03-10T03:00:32.211192-07:00",
                "2024-03-11T02:30:32.211192-07:00", "2024-03-12T02:30:32.211192-07:00",
            ])
    }

    @Test func losAngelesFallBackRunsOnce() throws {
        // 2024-11-03 02:00 PDT → 01:00 PST: 01:30 happens twice; it runs at the first.
        #expect(
            try runTimes("30 1 * * * 0", after: "2024-11-02T12:00:00", zone: "America/Los_Angeles", count: 3) == [
                "2024-11-03T01:30:00.211192-07:00",
                "2024-11-04T01:30:00.211192-08:00", "2024-11-05T01:30:00.211192-08:00",
            ])
        // Every 30 minutes: the repeated hour is not run again and nothing goes backwards.
        let times = try runTimes("*/30 * * * * 0", after: "2024-11-03T00:10:00", zone: "America/Los_Angeles", count: 5)
        #expect(
            times == [
                "2024-11-03T00:30:00.211192-07:00", "2024-11-03T01:00:00.211192-07:00",
                "2024-11-03T01:30:00.211192-07:00", "2024-11-03T02:00:00.211192-08:00",
                "2024-11-03T02:30:00.211192-08:00",
            ])
    }

    @Test func startingInsideTheRepeatedHourDoesNotRepeat() throws {
        // 01:40 PST (the second 01:40, epoch 1730626800 + 2400) is after 01:30 PDT and 01:30 PST would repeat it.
        #expect(
            try runTimes("30 1 * * * 0", after: "2024-11-03T01:40:00-08:00", zone: "America/Los_Angeles") == [
                "2024-11-04T01:30:00.211192-08:00"
            ])
    }

    @Test func berlinTransitions() throws {
        // 2024-03-31 02:00 CET → 03:00 CEST: 02:30 does not exist → 03:00:00 CEST.
        #expect(
            try runTimes("30 2 * * * 0", after: "2024-03-30T12:00:00", zone: "Europe/Berlin", count: 2) == [
                "2024-03-31T03:00:00.211192+02:00", "2024-04-01T02:30:00.211192+02:00",
            ])
        // 2024-10-27 03:00 CEST → 02:00 CET: 02:30 runs once, in summer time.
        #expect(
            try runTimes("30 2 * * * 0", after: "2024-10-26T12:00:00", zone: "Europe/Berlin", count: 2) == [
                "2024-10-27T02:30:00.211192+02:00", "2024-10-28T02:30:00.211192+01:00",
            ])
    }

    @Test(arguments: ["America/Los_Angeles", "Europe/Berlin"])
    func hourlyAcrossAYearIsStrictlyIncreasing(zone: String) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        let schedule = try Schedule("H * * * *", jobName: "hello", timeZone: timeZone)
        let times = schedule.nextTimes(after: Instant(seconds: 1_704_067_200), count: 24 * 366)
        #expect(times.count == 24 * 366)
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        // Spring: xx:10:32 in the missing hour runs at the end of the gap,
        // 03:00:32, then 03:10:32 as usual (50 and 10 minutes apart). Fall:
        // the repeated 01:10:32 (LA) / 02:10:32 (Berlin) runs once, leaving 2 hours.
        let spacings = zip(times, times.dropFirst()).map { ($1.microsecondsSinceEpoch - $0.microsecondsSinceEpoch) / 1_000_000 }
        #expect(spacings.filter { $0 != 3600 }.sorted() == [600, 3000, 7200])
    }
}
