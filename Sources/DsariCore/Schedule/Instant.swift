/// A point in time with microsecond precision: what schedules produce and
/// what the store records (as epoch seconds).
///
/// Microseconds are kept as an integer so that computed schedule times are
/// exact and compare equal to the reference to the microsecond.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var microsecondsSinceEpoch: Int64

    public init(microsecondsSinceEpoch: Int64) {
        self.microsecondsSinceEpoch = microsecondsSinceEpoch
    }

    public init(seconds: Int64, microseconds: Int64 = 0) {
        self.microsecondsSinceEpoch = seconds * 1_000_000 + microseconds
    }

    /// From epoch seconds with a fraction (a stored time), to the microsecond
    /// exactly as dsari's Python does it (`datetime.fromtimestamp`, CPython's
    /// `_PyTime_DoubleToDenominator` with `_PyTime_ROUND_HALF_EVEN`): the
    /// fraction alone (exact) times 10⁶, rounded half to even. Multiplying the
    /// whole value by 10⁶ first rounds away bits of the fraction and printed
    /// the microsecond above dsari's for about one stored time in eight.
    public init(epochSeconds: Double) {
        var whole = epochSeconds.rounded(.towardZero)
        var micros = ((epochSeconds - whole) * 1_000_000).rounded(.toNearestOrEven)
        if micros >= 1_000_000 {
            micros -= 1_000_000
            whole += 1
        } else if micros < 0 {
            micros += 1_000_000
            whole -= 1
        }
        self.microsecondsSinceEpoch = Int64(whole) * 1_000_000 + Int64(micros)
    }

    /// The whole second this instant falls in (toward negative infinity).
    public var wholeSeconds: Int64 { microsecondsSinceEpoch.floorDivided(by: 1_000_000) }

    /// The microseconds past `wholeSeconds`, 0...999_999.
    public var microsecondsPart: Int64 { microsecondsSinceEpoch.floorModulo(1_000_000) }

    public var epochSeconds: Double { Double(microsecondsSinceEpoch) / 1_000_000 }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.microsecondsSinceEpoch < rhs.microsecondsSinceEpoch
    }

    public func adding(microseconds: Int64) -> Instant {
        Instant(microsecondsSinceEpoch: microsecondsSinceEpoch + microseconds)
    }

    /// Epoch seconds with exactly six decimals, e.g. `1710063032.211192`.
    public var description: String {
        if microsecondsSinceEpoch < 0 {
            let magnitude = -microsecondsSinceEpoch
            return "-\(magnitude / 1_000_000).\(pad(Int(magnitude % 1_000_000), 6))"
        }
        return "\(wholeSeconds).\(pad(Int(microsecondsPart), 6))"
    }
}
