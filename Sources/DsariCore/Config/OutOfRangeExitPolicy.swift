/// What a Nagios plugin exit code outside 0–3 means (`out_of_range_exit`).
public enum OutOfRangeExitPolicy: String, Sendable, Hashable, CaseIterable {
    /// CRITICAL, as Nagios Core 4 treats a service check (the default).
    case critical
    /// UNKNOWN, as NRPE reports a command it could not run properly.
    case unknown
}
