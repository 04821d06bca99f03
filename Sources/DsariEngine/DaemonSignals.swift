import Foundation

/// The signals dsari-daemon acts on, held from its first moment until it is
/// ready to act on them.
///
/// `hold()` blocks them in the calling thread, which must be the main thread
/// before any other thread exists: every thread made later inherits the
/// mask, so a signal sent while the daemon starts (database, recovery,
/// listeners) neither kills it (default action) nor is lost — it stays
/// pending until `Daemon.start` opens its signal sources, which read it
/// then. Runs do not inherit the mask (`dsari_spawn` resets it).
public enum DaemonSignals {
    /// SIGHUP reload, SIGINT/SIGTERM stop, SIGQUIT status, SIGUSR1 trigger scan.
    static let handled: [Int32] = [SIGHUP, SIGINT, SIGTERM, SIGQUIT, SIGUSR1]

    /// Blocks the handled signals in the calling thread (idempotent) and
    /// ignores SIGPIPE (a reader of a run's output or a network client that
    /// went away must not kill the daemon).
    ///
    /// The handled signals are blocked, never set to SIG_IGN: setting
    /// SIG_IGN discards a signal already pending, which is what lost a
    /// SIGHUP or SIGTERM sent during start-up.
    public static func hold() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in handled { sigaddset(&set, number) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Unblocks the handled signals in the calling thread, once their
    /// sources are in place: the signals pending since `hold()` are delivered
    /// to it (and then to the sources), and later ones too. Every other
    /// thread keeps them blocked, so this thread is the one that takes them.
    static func release() {
        var set = sigset_t()
        sigemptyset(&set)
        for number in handled { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
