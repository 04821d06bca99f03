/// Something in the configuration that is accepted but probably not what was
/// meant, such as an unknown (misspelt?) option: dsari ignores those
/// silently; dsari-swift loads the configuration and lists them.
public struct ConfigWarning: Sendable, Hashable, CustomStringConvertible {
    public var file: String?
    public var line: Int?
    public var subject: ConfigError.Subject?
    /// The option concerned, e.g. the unknown key.
    public var key: String?
    /// The sentence after the location and subject, without the final period.
    public var message: String

    public init(
        _ message: String, location: SourceLocation? = nil, subject: ConfigError.Subject? = nil,
        key: String? = nil
    ) {
        self.message = message
        self.file = location?.file
        self.line = location?.line
        self.subject = subject
        self.key = key
    }

    /// A warning about a whole file, e.g. one that was skipped.
    public init(_ message: String, file: String) {
        self.message = message
        self.file = file
    }

    public var location: SourceLocation? {
        guard let file, let line else { return nil }
        return SourceLocation(file: file, line: line)
    }

    public var description: String {
        var text = ""
        if let location {
            text += "\(location): "
        } else if let file {
            text += "\(file): "
        }
        if let subject { text += "\(subject): " }
        text += message
        if let last = text.last, !".!?".contains(last) { text += "." }
        return text
    }
}
