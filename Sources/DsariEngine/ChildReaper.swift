import CProcessSpawn
import Foundation

/// Reaps every child of the daemon as it exits, on one thread blocked in
/// `waitpid(-1)` — no polling — and hands each exit status to the callback
/// registered for that pid.
///
/// Registration happens under the same lock as the spawn itself, so a child
/// that exits at once is never reaped before its callback exists.
final class ChildReaper: @unchecked Sendable {
    // @unchecked: `handlers` is only touched with `condition` locked.
    typealias ExitHandler = @Sendable (_ status: Int32) -> Void

    static let shared = ChildReaper()

    private let condition = NSCondition()
    private var handlers: [pid_t: ExitHandler] = [:]
    private var started = false

    /// Runs `spawn` (which returns the new pid, or nil when nothing started)
    /// and registers `onExit` for that pid atomically with respect to reaping.
    func spawn<Failure: Error>(_ spawn: () throws(Failure) -> pid_t?, onExit: @escaping ExitHandler) throws(Failure) -> pid_t? {
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            let thread = Thread { [self] in reapForever() }
            thread.name = "dsari-reaper"
            thread.start()
        }
        guard let pid = try spawn() else { return nil }
        handlers[pid] = onExit
        condition.signal()
        return pid
    }

    /// Decodes a wait status into a shell-style exit code (128 + signal when killed).
    static func exitCode(fromWaitStatus status: Int32) -> Int {
        var value: Int32 = 0
        switch dsari_wait_status(status, &value) {
        case 1: return Int(value)
        case 2: return 128 + Int(value)
        default: return 255
        }
    }

    private func reapForever() {
        while true {
            condition.lock()
            while handlers.isEmpty { condition.wait() }
            condition.unlock()
            var status: Int32 = 0
            let pid = waitpid(-1, &status, 0)
            if pid > 0 {
                condition.lock()
                let handler = handlers.removeValue(forKey: pid)
                condition.unlock()
                handler?(status)
            } else if errno == ECHILD {
                // No child at all, yet callbacks are registered: their
                // children are gone (reaped elsewhere). Asked again under the
                // lock, where no spawn can come between: a child started
                // since shows as running (0) or ended (its pid). (Every child
                // of the daemon is spawned through here, so "reaped
                // elsewhere" does not happen in it; a callback whose child
                // was is answered once no child is left.)
                condition.lock()
                var lost: [ExitHandler] = []
                var reaped: (ExitHandler?, Int32)?
                let again = waitpid(-1, &status, WNOHANG)
                if again > 0 {
                    reaped = (handlers.removeValue(forKey: again), status)
                } else if again < 0, errno == ECHILD {
                    lost = Array(handlers.values)
                    handlers.removeAll()
                }
                condition.unlock()
                if let (handler, status) = reaped { handler?(status) }
                // Reported as killed (SIGKILL's wait status) rather than waited for forever.
                for handler in lost { handler(9) }
            }
        }
    }
}
