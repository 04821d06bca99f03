/// A template that cannot be read or used, with where and why:
/// `/etc/dsari/templates/job.html:12:5: {{#runs}} is never closed (no {{/runs}}).`
public struct TemplateError: Error, CustomStringConvertible, Sendable {
    /// The template's file, or `built-in NAME` for the compiled-in ones.
    public var file: String
    public var line: Int
    public var column: Int
    public var reason: String

    init(file: String, line: Int, column: Int, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    public var description: String { "\(file):\(line):\(column): \(reason)" }
}
