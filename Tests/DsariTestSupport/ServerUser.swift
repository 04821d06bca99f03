import Foundation

/// The unprivileged user a database server runs as when the tests run as
/// root (PostgreSQL and MariaDB refuse root): a command line becomes
/// `setpriv --reuid=USER --regid=USER --clear-groups COMMAND…`.
public struct ServerUser: Sendable {
    /// nil: run as the current user (the tests do not run as root).
    public let name: String?

    /// `name` when running as root, else nobody to switch to.
    public init(whenRoot name: String) {
        self.name = getuid() == 0 ? name : nil
    }

    /// The executable and arguments that run `command` (a path and its arguments) as this user.
    public func commandLine(_ command: [String]) -> (executable: String, arguments: [String]) {
        guard let name else { return (command[0], Array(command.dropFirst())) }
        return ("/usr/bin/setpriv", ["--reuid=\(name)", "--regid=\(name)", "--clear-groups"] + command)
    }

    /// Runs `command` as this user to its end.
    public func run(_ command: [String], timeout: Double = 120, currentDirectory: String? = nil) throws -> BinaryRunner.Result {
        let (executable, arguments) = commandLine(command)
        return try BinaryRunner(path: executable).run(arguments, timeout: timeout, currentDirectory: currentDirectory)
    }
}
