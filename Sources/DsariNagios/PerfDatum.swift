/// One item of performance data:
/// `'label'=value[UOM];[warn];[crit];[min];[max]`.
public struct PerfDatum: Sendable, Hashable {
    /// The label, unquoted (`''` inside quotes read as `'`).
    public var label: String
    /// nil for `U`, the guidelines' "value could not be determined".
    public var value: Double?
    public var unit: UnitOfMeasure
    public var warning: NagiosRange?
    public var critical: NagiosRange?
    public var minimum: Double?
    public var maximum: Double?
    /// The item as written.
    public var raw: String

    public init(
        label: String, value: Double?, unit: UnitOfMeasure = .none, warning: NagiosRange? = nil,
        critical: NagiosRange? = nil, minimum: Double? = nil, maximum: Double? = nil, raw: String
    ) {
        self.label = label
        self.value = value
        self.unit = unit
        self.warning = warning
        self.critical = critical
        self.minimum = minimum
        self.maximum = maximum
        self.raw = raw
    }

    /// `value` in the unit's base unit (seconds, bytes); see `UnitOfMeasure.baseValue(_:)`.
    public var baseValue: Double? {
        value.map(unit.baseValue)
    }
}
