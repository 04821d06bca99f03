import DsariCore

/// Everything the exporter publishes about one job's finished runs, kept up
/// to date one run at a time: a scrape costs the same at any history size.
struct JobAggregate {
    var count = 0
    var successes = 0
    var failures = 0
    /// Sorted, for exact quantiles over all runs (dsari's definition), once
    /// `settle()` has merged the runs added since.
    private(set) var durations: [Double] = []
    private(set) var latencies: [Double] = []
    /// Values of the runs added since the last `settle()`, in arrival order:
    /// sorting a batch once beats inserting each run into a long sorted array.
    private var newDurations: [Double] = []
    private var newLatencies: [Double] = []
    /// Summed in recording order, as dsari's Python `sum()` does (same bits).
    var durationSum = 0.0
    var latencySum = 0.0
    /// The run with the latest stop time (the later-recorded one on a tie).
    var last: Last?
    /// For Nagios check jobs: the latest result.
    var check: CheckSnapshot?

    struct Last {
        var scheduleTime: Double
        var startTime: Double
        var stopTime: Double
        var exitCode: Int?
    }

    init() {}

    /// Runs that took at most `bound` seconds: a histogram bucket, counted in
    /// the sorted durations when scraped (no per-run bucket work).
    func count(atMost bound: Double) -> Int {
        durations.partitioningIndex(where: { $0 > bound })
    }

    /// Adds one finished run. Times come from dsari's datetimes: each epoch is
    /// rounded to the microsecond first (Python's `fromtimestamp`).
    mutating func add(schedule: Double, start: Double, stop: Double, exitCode: Int?) {
        let (scheduleUS, startUS, stopUS) = (Self.microseconds(schedule), Self.microseconds(start), Self.microseconds(stop))
        let duration = Double(stopUS - startUS) / 1_000_000
        let latency = Double(startUS - scheduleUS) / 1_000_000
        count += 1
        if exitCode == 0 { successes += 1 } else { failures += 1 }
        newDurations.append(duration)
        newLatencies.append(latency)
        durationSum += duration
        latencySum += latency
        let stopSeconds = Double(stopUS) / 1_000_000
        if last.map({ stopSeconds >= $0.stopTime }) ?? true {
            last = Last(
                scheduleTime: Double(scheduleUS) / 1_000_000, startTime: Double(startUS) / 1_000_000, stopTime: stopSeconds,
                exitCode: exitCode)
        }
    }

    /// Python's `datetime.fromtimestamp(t)` microseconds (`Instant(epochSeconds:)` owns the rounding).
    static func microseconds(_ epoch: Double) -> Int64 {
        Instant(epochSeconds: epoch).microsecondsSinceEpoch
    }

    /// Merges the runs added since the last call into the sorted arrays: a
    /// few are inserted in place; more are sorted and merged in one pass into
    /// an array of exactly the size needed (no doubling: a million runs cost
    /// their 8 bytes each and no more).
    mutating func settle() {
        Self.merge(&newDurations, into: &durations)
        Self.merge(&newLatencies, into: &latencies)
    }

    private static func merge(_ added: inout [Double], into sorted: inout [Double]) {
        guard !added.isEmpty else { return }
        defer { added = [] }
        if added.count <= 16 {
            for value in added {
                sorted.insert(value, at: sorted.partitioningIndex(where: { $0 > value }))
            }
            return
        }
        added.sort()
        var merged: [Double] = []
        merged.reserveCapacity(sorted.count + added.count)
        var (left, right) = (0, 0)
        while left < sorted.count && right < added.count {
            // Equal values: the earlier ones first (the order does not change a quantile).
            if sorted[left] <= added[right] {
                merged.append(sorted[left])
                left += 1
            } else {
                merged.append(added[right])
                right += 1
            }
        }
        merged += sorted[left...]
        merged += added[right...]
        sorted = merged
    }

    /// dsari's percentile: linear interpolation between the closest ranks.
    static func quantile(_ sorted: [Double], _ q: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let k = Double(sorted.count - 1) * q
        let f = k.rounded(.down)
        let c = k.rounded(.up)
        if f == c { return sorted[Int(k)] }
        return sorted[Int(f)] * (c - k) + sorted[Int(c)] * (k - f)
    }
}
