import DsariCore

/// The result of a Nagios check, from the plugin's exit code.
///
/// Exit codes 0–3 are the four states of the Nagios plugin API. Any other
/// code is "out of bounds": Nagios Core 4 makes a service CRITICAL (and says
/// "Return code of N is out of bounds"), while NRPE reports such a command
/// as UNKNOWN; `OutOfRangeExitPolicy` chooses, and Nagios Core's CRITICAL is
/// the default, since that is what a Nagios server showed for such a check.
public enum CheckState: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case ok = 0
    case warning = 1
    case critical = 2
    case unknown = 3

    /// The state of a plugin that exited with `exitCode`.
    public init(exitCode: Int, outOfRange policy: OutOfRangeExitPolicy = .critical) {
        self = CheckState(rawValue: exitCode) ?? (policy == .critical ? .critical : .unknown)
    }

    /// `OK`, `WARNING`, `CRITICAL` or `UNKNOWN`, as Nagios prints them.
    public var name: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    public var description: String { name }

    /// Nagios Core's text for an exit code outside 0–3, or nil for 0–3:
    /// "(Return code of 127 is out of bounds - plugin may be missing)".
    public static func outOfBoundsMessage(exitCode: Int) -> String? {
        guard CheckState(rawValue: exitCode) == nil else { return nil }
        let hint =
            switch exitCode {
            case 126: " - plugin may not be executable"
            case 127: " - plugin may be missing"
            default: ""
            }
        return "(Return code of \(exitCode) is out of bounds\(hint))"
    }
}
