/// Where a configuration value (or a syntax error) was found: a file and a
/// 1-based line, and for syntax errors the 1-based column.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    /// The path of the file as it was read (not resolved further).
    public var file: String
    /// Line number, starting at 1.
    public var line: Int
    /// Column number, starting at 1, counted in Unicode scalars; only syntax
    /// errors carry one, because a value's line is enough to find it.
    public var column: Int?

    public init(file: String, line: Int, column: Int? = nil) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line` or `file:line:column`, the form compilers and editors jump to.
    public var description: String {
        if let column {
            return "\(file):\(line):\(column)"
        }
        return "\(file):\(line)"
    }
}
