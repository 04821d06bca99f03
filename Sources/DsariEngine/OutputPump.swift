import CProcessSpawn
import Foundation

/// One thread that moves every run's output: an epoll loop over the pipe
/// read ends, with work handed to it through an eventfd.
///
/// Why not Dispatch read sources: under load (hundreds of short runs a
/// second, pipes opened and closed continuously) libdispatch's Linux event
/// loop crashed in `_dispatch_event_loop_drain` in our benchmark. Here a
/// descriptor is removed from epoll and closed on the same thread, in that
/// order, so a reused descriptor number can never be confused.
final class OutputPump: @unchecked Sendable {
    // @unchecked: `handlers` is only touched on the pump thread; `tasks` under `lock`.
    static let shared = OutputPump()

    private let epoll: Int32
    private let wake: Int32
    private let lock = NSLock()
    private var tasks: [() -> Void] = []
    private var handlers: [Int32: () -> Void] = [:]

    private init() {
        epoll = dsari_epoll_create()
        wake = dsari_eventfd()
        precondition(epoll >= 0 && wake >= 0, "epoll/eventfd unavailable: \(String(cString: strerror(errno)))")
        dsari_epoll_add(epoll, wake)
        let thread = Thread { [self] in loop() }
        thread.name = "dsari-output"
        thread.start()
    }

    /// Runs `task` on the pump thread.
    func perform(_ task: @escaping () -> Void) {
        lock.lock()
        tasks.append(task)
        lock.unlock()
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    /// On the pump thread: calls `handler` whenever `descriptor` is readable
    /// (level-triggered) until `close(_:)`.
    func watch(_ descriptor: Int32, handler: @escaping () -> Void) {
        handlers[descriptor] = handler
        dsari_epoll_add(epoll, descriptor)
    }

    /// On the pump thread: stops watching `descriptor` and closes it.
    func close(_ descriptor: Int32) {
        guard handlers.removeValue(forKey: descriptor) != nil else { return }
        dsari_epoll_remove(epoll, descriptor)
        Glibc.close(descriptor)
    }

    private func loop() {
        // A buffer of our own, not a Swift array passed as `&array` on every
        // turn: in the optimized build that array's buffer was found shared
        // on each call (a reference from the previous turn that this
        // never-ending loop never released), so it was copied — a new
        // 544-byte buffer per wake-up, never freed: about 1.7 KB per run
        // (heaptrack: every leaked byte of the daemon's growth came from here).
        let ready = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 128)
        ready.initialize(repeating: -1)
        while true {
            let count = dsari_epoll_wait(epoll, ready.baseAddress, Int32(ready.count))
            guard count > 0 else { continue }  // EINTR
            for descriptor in ready.prefix(Int(count)) {
                if descriptor == wake {
                    var value: UInt64 = 0
                    _ = read(wake, &value, 8)
                    lock.lock()
                    let pending = tasks
                    tasks.removeAll()
                    lock.unlock()
                    pending.forEach { $0() }
                } else {
                    handlers[descriptor]?()
                }
            }
        }
    }
}
