import DsariCore

/// Something wrong in an nrpe.cfg that NRPE would log, with where it is.
public struct NRPEConfigWarning: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation?
    public var reason: String

    public init(_ reason: String, location: SourceLocation?) {
        self.reason = reason
        self.location = location
    }

    /// `file:line: reason`.
    public var description: String {
        location.map { "\($0): \(reason)" } ?? reason
    }
}
