/// The main nrpe.cfg cannot be read at all (NRPE refuses to start then).
public struct NRPEConfigError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        "Cannot read the NRPE configuration \"\(path)\": \(reason)."
    }
}
