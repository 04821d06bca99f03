/// The unit of a performance datum, as the Nagios plugin guidelines list
/// them; any other unit is kept as written.
public enum UnitOfMeasure: Sendable, Hashable, CustomStringConvertible {
    /// No unit: a plain number (users, processes, load).
    case none
    case seconds, milliseconds, microseconds
    case percent
    case bytes, kilobytes, megabytes, gigabytes, terabytes
    /// A continuous counter (`c`), such as bytes sent since boot.
    case counter
    /// A unit outside the guidelines, such as `B/s` or `dBm`.
    case other(String)

    public init(_ symbol: String) {
        self =
            switch symbol {
            case "": .none
            case "s": .seconds
            case "ms": .milliseconds
            case "us": .microseconds
            case "%": .percent
            case "B": .bytes
            case "KB": .kilobytes
            case "MB": .megabytes
            case "GB": .gigabytes
            case "TB": .terabytes
            case "c": .counter
            default: .other(symbol)
            }
    }

    /// The unit as written in performance data.
    public var symbol: String {
        switch self {
        case .none: ""
        case .seconds: "s"
        case .milliseconds: "ms"
        case .microseconds: "us"
        case .percent: "%"
        case .bytes: "B"
        case .kilobytes: "KB"
        case .megabytes: "MB"
        case .gigabytes: "GB"
        case .terabytes: "TB"
        case .counter: "c"
        case .other(let symbol): symbol
        }
    }

    public var description: String { symbol }

    /// The unit values are converted to by `baseValue(_:)`: seconds for
    /// times, bytes for sizes, the unit itself otherwise.
    public var baseUnit: UnitOfMeasure {
        switch self {
        case .seconds, .milliseconds, .microseconds: .seconds
        case .bytes, .kilobytes, .megabytes, .gigabytes, .terabytes: .bytes
        default: self
        }
    }

    /// `value` in `baseUnit`. Sizes use powers of 1024, as Nagios plugins
    /// (check_disk, check_swap) mean them; a percentage stays a percentage.
    public func baseValue(_ value: Double) -> Double {
        switch self {
        case .milliseconds: value / 1_000
        case .microseconds: value / 1_000_000
        case .kilobytes: value * 1024
        case .megabytes: value * 1024 * 1024
        case .gigabytes: value * 1024 * 1024 * 1024
        case .terabytes: value * 1024 * 1024 * 1024 * 1024
        default: value
        }
    }
}
