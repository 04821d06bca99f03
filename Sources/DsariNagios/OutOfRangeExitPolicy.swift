/// What a plugin exit code outside 0–3 means.
public enum OutOfRangeExitPolicy: String, Sendable, Hashable, CaseIterable {
    /// CRITICAL, as Nagios Core 4 treats a service check (the default).
    case nagiosCore = "nagios"
    /// UNKNOWN, as NRPE reports a command it could not run properly.
    case nrpe = "nrpe"

    /// The state such an exit code becomes.
    public var state: CheckState {
        switch self {
        case .nagiosCore: .critical
        case .nrpe: .unknown
        }
    }
}
