/// How a Nagios check job's results become its state over time (Nagios
/// service semantics): how many non-OK results in a row make a problem
/// HARD, how soon to check again meanwhile, what an exit code outside 0–3
/// means, and when the check counts as flapping.
public struct CheckOptions: Sendable, Hashable {
    /// `max_check_attempts`: non-OK results needed for a HARD state (1 = at once).
    public var maxCheckAttempts: Int
    /// `retry_interval`: seconds from a SOFT non-OK check's start to the
    /// next attempt; nil keeps the schedule.
    public var retryInterval: Double?
    /// `out_of_range_exit`: critical (Nagios Core) or unknown (NRPE).
    public var outOfRangeExit: OutOfRangeExitPolicy
    /// `flap_detection`, `low_flap_threshold`, `high_flap_threshold`: Nagios'
    /// percent state change over the last 21 results; at or above the high
    /// threshold a check starts flapping, at or below the low one it stops.
    public var flapDetection: Bool
    public var lowFlapThreshold: Double
    public var highFlapThreshold: Double

    public init(
        maxCheckAttempts: Int = 1, retryInterval: Double? = nil, outOfRangeExit: OutOfRangeExitPolicy = .critical,
        flapDetection: Bool = true, lowFlapThreshold: Double = 5, highFlapThreshold: Double = 20
    ) {
        self.maxCheckAttempts = maxCheckAttempts
        self.retryInterval = retryInterval
        self.outOfRangeExit = outOfRangeExit
        self.flapDetection = flapDetection
        self.lowFlapThreshold = lowFlapThreshold
        self.highFlapThreshold = highFlapThreshold
    }
}
