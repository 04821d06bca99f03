import Foundation

/// The one signal router of dsari's long-running commands (dsari-daemon,
/// dsari-prometheus-exporter): the signals a command acts on are held from
/// its first moment, then each is handed to its handler on the command's
/// queue.
///
/// `hold(_:)` blocks them in the calling thread, which must be the main
/// thread before any other thread exists: every thread made later inherits
/// the mask, so a signal sent while the command starts (database, recovery,
/// listeners) neither kills it (default action) nor is lost — it stays
/// pending until the router's sources are in place and `release()` lets
/// the calling thread take it. Runs do not inherit the mask (`dsari_spawn`
/// resets it).
///
/// The signals are blocked, never set to SIG_IGN: setting SIG_IGN discards
/// a signal already pending, which is what lost a SIGHUP or SIGTERM sent
/// during start-up.
public final class SignalRouter: @unchecked Sendable {
    // @unchecked: `sources` is written in init only; a source is thread-safe.
    private let numbers: [Int32]
    private let sources: [any DispatchSourceSignal]
    private let registered: DispatchGroup

    /// Blocks `numbers` in the calling thread (idempotent) and ignores
    /// SIGPIPE (a reader of a run's output or a network client that went
    /// away must not kill the command).
    public static func hold(_ numbers: [Int32]) {
        var set = signalSet(numbers)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Opens a signal source for each handler on `queue`; returns at once
    /// (from `queue` too). Nothing is delivered before `release()`, apart
    /// from signals sent to a thread that does not hold them.
    public init(_ handlers: KeyValuePairs<Int32, @Sendable () -> Void>, queue: DispatchQueue) {
        numbers = handlers.map(\.key)
        let registered = DispatchGroup()
        self.registered = registered
        sources = handlers.map { signal, handler in
            let source = DispatchSource.makeSignalSource(signal: signal, queue: queue)
            source.setEventHandler(handler: handler)
            registered.enter()
            source.setRegistrationHandler { registered.leave() }
            source.resume()
            return source
        }
    }

    /// Waits until every source is registered, then unblocks the routed
    /// signals in the calling thread (the one that held them): those pending
    /// since `hold(_:)` reach their handlers now, later ones as they come.
    /// Every other thread keeps them blocked, so this thread takes them.
    /// Must not be called on the handlers' queue, which registers the sources.
    public func release() {
        // Until a source is registered, a signal's action is still the
        // default one (terminate for most).
        registered.wait()
        var set = Self.signalSet(numbers)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    deinit {
        for source in sources { source.cancel() }
    }

    private static func signalSet(_ numbers: [Int32]) -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for number in numbers { sigaddset(&set, number) }
        return set
    }
}
