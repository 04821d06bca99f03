/// Why `dsari-render` could not finish: a file it could not read or write,
/// or a run history it could not read. The description names the path.
public struct ReportError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
