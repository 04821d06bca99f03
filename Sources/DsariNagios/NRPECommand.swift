import DsariCore

/// One `command[NAME]=LINE` definition of an nrpe.cfg, as NRPE keeps it.
public struct NRPECommand: Sendable, Hashable {
    /// The name check_nrpe asks for (`-c NAME`).
    public var name: String
    /// The command line exactly as written after the first `=`, macros
    /// (`$ARGn$`, `$$`) not yet expanded.
    public var line: String
    /// Where the definition that counts (the last one) was written.
    public var location: SourceLocation

    public init(name: String, line: String, location: SourceLocation) {
        self.name = name
        self.line = line
        self.location = location
    }
}
