import DsariCore

/// A command of the nrpe.cfg that did not become a job, and why.
public struct NRPESkippedCommand: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var location: SourceLocation
    /// A sentence fragment: "uses $ARG1$ and no --args ... was given".
    public var reason: String

    /// `file:line: command "NAME" skipped: reason`.
    public var description: String {
        "\(location): command \(name.quotedForMessage) skipped: \(reason)"
    }
}
