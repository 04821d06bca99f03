import Foundation
import Synchronization

/// A server the tests run in the foreground as a child process (as its
/// unprivileged user when the tests run as root), its output in a log
/// file: started, waited for until it answers, stopped (an outage) and
/// started again.
public final class ServerProcess: Sendable {
    public let command: [String]
    public let user: ServerUser
    public let logPath: String
    private let process = Mutex<Process?>(nil)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(command: [String], user: ServerUser, logPath: String) {
        self.command = command
        self.user = user
        self.logPath = logPath
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// Starts it and waits (up to `timeout` seconds) until `ready` holds.
    public func start(timeout: Double = 60, ready: () -> Bool) throws {
        let child = Process()
        let (executable, arguments) = user.commandLine(command)
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = arguments
        let descriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Failure(description: "cannot open \(logPath): errno \(errno)") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        child.standardOutput = handle
        child.standardError = handle
        child.standardInput = FileHandle.nullDevice
        // The test runner's threads block most signals, and a child inherits
        // the mask of the thread that spawns it: a server that handles
        // SIGTERM with a plain handler (nsca) would never see it.
        var empty = sigset_t()
        var previous = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &previous)
        do {
            defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
            try child.run()
        }
        process.withLock { $0 = child }
        let started = eventually(timeout: timeout) { !child.isRunning || ready() }
        guard started, child.isRunning else {
            stop()
            throw Failure(description: "\(command[0]) did not start within \(timeout) s: \(log)")
        }
    }

    /// SIGTERM (SIGKILL after 30 s), and waits for it to end.
    public func stop() {
        guard let child = process.withLock({ $0 }), child.isRunning else { return }
        kill(child.processIdentifier, SIGTERM)
        if !eventually(timeout: 30, { !child.isRunning }) { kill(child.processIdentifier, SIGKILL) }
        child.waitUntilExit()
    }
}
