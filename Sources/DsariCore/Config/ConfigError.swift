/// Why a configuration was refused, with what a person needs to fix it: the
/// file and line, the job or group, the key and what was expected.
///
/// `description` reads as one sentence, e.g.
/// `/etc/dsari/dsari.yaml:12: job "build": "max_execution" must be a number of seconds, not the string "ten".`
/// Values of `environment` never appear in it (they may be secrets): only
/// their type does.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    /// The part of the configuration the error is about.
    public enum Subject: Sendable, Hashable, CustomStringConvertible {
        /// A job; `group` names the job group it was expanded from.
        case job(String, group: String?)
        case jobGroup(String)
        case concurrencyGroup(String)

        public var description: String {
            switch self {
            case .job(let name, nil): "job \(name.quotedForMessage)"
            case .job(let name, let group?):
                "job \(name.quotedForMessage) (from job group \(group.quotedForMessage))"
            case .jobGroup(let name): "job group \(name.quotedForMessage)"
            case .concurrencyGroup(let name): "concurrency group \(name.quotedForMessage)"
            }
        }
    }

    /// The file at fault, when one is.
    public var file: String?
    /// 1-based line in `file`, when known.
    public var line: Int?
    /// 1-based column, for syntax errors.
    public var column: Int?
    public var subject: Subject?
    /// The option at fault, e.g. `max_execution`; nil for file-level errors.
    public var key: String?
    /// What the option must be, e.g. `a number of seconds`.
    public var expected: String?
    /// The sentence after the location and subject, without the final period.
    public var problem: String

    public init(
        _ problem: String, location: SourceLocation? = nil, subject: Subject? = nil, key: String? = nil,
        expected: String? = nil
    ) {
        self.problem = problem
        self.file = location?.file
        self.line = location?.line
        self.column = location?.column
        self.subject = subject
        self.key = key
        self.expected = expected
    }

    /// An error about a whole file, e.g. one that cannot be read.
    public init(_ problem: String, file: String) {
        self.problem = problem
        self.file = file
    }

    public var location: SourceLocation? {
        guard let file, let line else { return nil }
        return SourceLocation(file: file, line: line, column: column)
    }

    /// The job the error is about, if any.
    public var job: String? {
        if case .job(let name, _) = subject { return name }
        return nil
    }

    public var description: String {
        var text = ""
        if let location {
            text += "\(location): "
        } else if let file {
            text += "\(file): "
        }
        if let subject { text += "\(subject): " }
        text += problem
        if let last = text.last, !".!?".contains(last) { text += "." }
        return text
    }
}
