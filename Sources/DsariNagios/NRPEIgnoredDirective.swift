import DsariCore

/// A directive of nrpe.cfg that the import does not use.
public struct NRPEIgnoredDirective: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    /// False for a name NRPE 4.1 itself does not know (it warns "Unknown
    /// option" and goes on).
    public var isKnownToNRPE: Bool
}
