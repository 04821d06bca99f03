import Foundation

/// Converts between instants and the wall clock of one time zone, with the
/// daylight-saving rule dsari-swift documents:
///
/// - a wall-clock time that does not exist (spring forward) maps to the end
///   of the gap, keeping its second-of-minute: in America/Los_Angeles on
///   2024-03-10, 02:30:32 becomes 03:00:32 PDT — as cron runs skipped jobs
///   right after the change;
/// - a wall-clock time that occurs twice (fall back) maps to its first
///   occurrence only; schedules skip it when that first occurrence is
///   already past, so a job runs once and times never go backwards.
struct WallClock: Sendable {
    let timeZone: TimeZone

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    static let utc = WallClock(timeZone: TimeZone(identifier: "UTC")!)

    /// UTC offset in seconds in force at `epochSecond`.
    func offset(at epochSecond: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(epochSecond))))
    }

    /// The wall-clock time at an instant's whole second.
    func civil(at epochSecond: Int64) -> CivilDateTime {
        CivilDateTime(secondsSinceEpoch: epochSecond + offset(at: epochSecond))
    }

    /// Every epoch second whose wall clock reads `civil`, earliest first:
    /// one normally, two in a fall-back overlap, none in a spring-forward gap.
    func occurrences(of civil: CivilDateTime) -> [Int64] {
        let local = civil.secondsSinceEpoch
        // Offsets in force a day either side cover any single transition;
        // the offset at the naive guess covers zones with several in a day.
        let candidates = Set([
            offset(at: local - 86_400), offset(at: local + 86_400), offset(at: local),
        ])
        return candidates.map { local - $0 }.filter { offset(at: $0) == local - $0 }.sorted()
    }

    /// The epoch second a schedule runs at for `civil` under the DST rule above.
    func epochSecond(for wallTime: CivilDateTime) -> Int64 {
        let civil = wallTime
        if let first = occurrences(of: civil).first {
            return first
        }
        // In a gap: the transition is the first second after the gap's start
        // whose offset is the later one. Search it between local - 1 day and local.
        let local = civil.secondsSinceEpoch
        let before = offset(at: local - 86_400)
        var low = local - before - 86_400  // an instant before the transition
        var high = local - offset(at: local + 86_400) + 86_400  // one after
        while high - low > 1 {
            let mid = low + (high - low) / 2
            if offset(at: mid) == before { low = mid } else { high = mid }
        }
        // `high` is the transition instant: the end of the gap on the wall clock.
        let second = Int64(civil.second)
        return high - Int64(self.civil(at: high).second) + second
    }
}
