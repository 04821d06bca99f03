import Foundation
import Synchronization

/// A server the tests run in the foreground as a child process (as its
/// unprivileged user when the tests run as root), its output in a log
/// file: started, waited for until it answers, stopped (an outage) and
/// started again.
///
/// Spawned with posix_spawn, not Foundation's Process: a server that closes
/// the descriptors it inherited (Icinga 2's umbrella process) makes
/// Process think it ended and wait for it while blocking its notices for
/// every other child. The child starts with default signal actions and an
/// empty signal mask (the test runner's threads block most signals, and a
/// server that handles SIGTERM with a plain handler, nsca, would never see it).
public final class ServerProcess: Sendable {
    public let command: [String]
    public let user: ServerUser
    public let logPath: String
    /// The running child's pid, 0 when none.
    private let pid = Mutex<pid_t>(0)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public init(command: [String], user: ServerUser, logPath: String) {
        self.command = command
        self.user = user
        self.logPath = logPath
    }

    public var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Whether the child still runs (reaps it when it has ended).
    public var isRunning: Bool {
        pid.withLock { pid in
            guard pid > 0 else { return false }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                pid = 0
                return false
            }
            return true
        }
    }

    /// Starts it and waits (up to `timeout` seconds) until `ready` holds.
    public func start(timeout: Double = 60, ready: () -> Bool) throws {
        let (executable, arguments) = user.commandLine(command)
        let logDescriptor = open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard logDescriptor >= 0 else { throw Failure(description: "cannot open \(logPath): errno \(errno)") }
        defer { close(logDescriptor) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, logDescriptor, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let spawned = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))") }
        pid.withLock { $0 = child }
        let started = eventually(timeout: timeout) { !isRunning || ready() }
        guard started, isRunning else {
            stop()
            throw Failure(description: "\(command[0]) did not start within \(timeout) s: \(log)")
        }
    }

    /// SIGTERM (SIGKILL after 30 s), and waits for it to end.
    public func stop() {
        let child = pid.withLock { $0 }
        guard child > 0, isRunning else { return }
        kill(child, SIGTERM)
        if !eventually(timeout: 30, { !isRunning }) {
            kill(child, SIGKILL)
            _ = eventually(timeout: 10) { !isRunning }
        }
    }
}
