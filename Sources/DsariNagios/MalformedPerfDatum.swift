import DsariCore

/// A piece of performance data that does not follow the grammar, kept as
/// written so that nothing a plugin printed is lost.
public struct MalformedPerfDatum: Sendable, Hashable, CustomStringConvertible {
    /// The text as written.
    public var raw: String
    /// Why it was not understood, as a sentence fragment.
    public var reason: String

    public var description: String { "\(raw.quotedForMessage): \(reason)" }
}
