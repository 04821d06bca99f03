import ArgumentParser
import DsariCore
import DsariEngine
import Foundation

/// `dsari-daemon`: runs scheduled and triggered jobs and records every run.
public struct DaemonCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dsari-daemon",
        abstract: "Do Something and Record It - the scheduler.",
        discussion: "Signals: HUP reloads the configuration, INT/TERM stop, QUIT logs what is running, USR1 scans triggers.",
        version: DsariVersion.string)

    @OptionGroup var options: ConfigDirectoryOptions
    @Flag(help: "Fork into the background (detach from the terminal).") var fork = false
    @Flag(help: "Verbose log.") var debug = false

    public init() {}

    public func run() throws {
        if fork {
            // Before any thread exists: fork, new session, stdio to /dev/null
            // except the log (stderr), which stays where it was sent.
            guard daemon(1, 1) == 0 else {
                StandardError.print("error: cannot fork: \(String(cString: strerror(errno)))")
                throw ExitCode(1)
            }
        }
        let daemon: Daemon
        do {
            daemon = try Daemon(configDirectory: options.resolvedConfigDirectory, debug: debug)
        } catch {
            StandardError.print("error: \(error)")
            throw ExitCode(1)
        }
        daemon.start { status in Glibc.exit(status) }
        // dispatchMain never returns: without this the optimizer may release
        // `daemon` right after its last use above.
        withExtendedLifetime(daemon) { dispatchMain() }
    }
}
