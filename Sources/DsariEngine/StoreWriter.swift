import DsariStore
import Foundation

/// Writes run changes (pids, ends, and starts the database could not take
/// at once) to the store off the engine queue, in order, batching whatever
/// has queued up into one transaction — so the scheduler never waits for
/// the disk, and a burst of runs costs one commit. A run's start is the
/// exception: `writeNow`, before its process exists.
///
/// When the database cannot take a batch (locked, read-only, disk full) the
/// changes stay queued, in order, and are retried every 5 s: nothing is dropped.
///
/// The daemon's plan (`DaemonPlan`: next runs, draining) goes the same way
/// but is not queued: only the newest one is kept and written, after the
/// run changes, so an outage cannot make it grow.
final class StoreWriter: @unchecked Sendable {
    // @unchecked: `queued`, `latestPlan`, `writtenPlan`, `draining` and
    // `failing` are only touched under `lock`.
    private let store: any RunStore
    private let log: DaemonLog
    private let queue = DispatchQueue(label: "dsari.store")
    private let lock = NSLock()
    private var queued: [RunChange] = []
    private var latestPlan: DaemonPlan?
    private var writtenPlan: DaemonPlan?
    private var draining = false
    private var failing = false

    init(store: any RunStore, log: DaemonLog) {
        self.store = store
        self.log = log
    }

    /// How long a queued batch waits for another process's write lock before
    /// it is retried 5 s later: short, so that the connection is never held
    /// long while the engine queue may want it (`writeNow`).
    static let batchBusyTimeoutMilliseconds: Int32 = 250

    /// Writes `change` at once on the caller's thread, without waiting for
    /// another process's lock; when the database cannot take it (or is
    /// already failing) it is queued like any other change. A run's start
    /// goes this way before its process is spawned, so that a daemon killed
    /// just after the spawn leaves a row for recovery: through the queue,
    /// such a run was lost and its process never killed.
    func writeNow(_ change: RunChange) {
        lock.lock()
        let healthy = !failing
        lock.unlock()
        if healthy, (try? store.apply([change], lockWaitMilliseconds: 0)) != nil { return }
        enqueue(change)
    }

    func enqueue(_ change: RunChange) {
        lock.lock()
        queued.append(change)
        startDrainingLocked()
    }

    /// Makes `plan` the one to write (replacing any not written yet).
    func publish(_ plan: DaemonPlan) {
        lock.lock()
        guard plan != latestPlan else {
            lock.unlock()
            return
        }
        latestPlan = plan
        startDrainingLocked()
    }

    /// Called with `lock` held; releases it.
    private func startDrainingLocked() {
        let start = !draining && !failing
        if start { draining = true }
        lock.unlock()
        if start { queue.async { self.drain() } }
    }

    /// How many changes may wait for the database (about 3 per run; a
    /// change holds a run's record, a kilobyte or so): past it the daemon
    /// starts no new run until the database takes them (`Daemon`).
    static let maximumBacklog = 30_000

    /// Changes not yet in the database.
    var backlog: Int {
        lock.lock()
        defer { lock.unlock() }
        return queued.count
    }

    /// Writes everything queued now, waiting for it (shutdown). Returns what is still unwritten.
    func flush() -> Int {
        queue.sync {
            lock.lock()
            draining = true
            failing = false
            lock.unlock()
            drain()
        }
        return backlog
    }

    private func drain() {
        while true {
            lock.lock()
            let batch = queued
            let plan = latestPlan
            let written = writtenPlan
            if batch.isEmpty && plan == written {
                draining = false
                lock.unlock()
                return
            }
            lock.unlock()
            do {
                if !batch.isEmpty {
                    try store.apply(batch, lockWaitMilliseconds: Self.batchBusyTimeoutMilliseconds)
                    lock.lock()
                    queued.removeFirst(batch.count)
                    lock.unlock()
                }
                if let plan, plan != written {
                    try store.write(plan: plan, over: written, lockWaitMilliseconds: Self.batchBusyTimeoutMilliseconds)
                    lock.lock()
                    writtenPlan = plan
                    lock.unlock()
                }
                lock.lock()
                let recovered = failing
                failing = false
                lock.unlock()
                if recovered { log.info("database writable again; queued run changes written", ["changes": "\(batch.count)"]) }
            } catch {
                lock.lock()
                let first = !failing
                failing = true
                draining = false
                lock.unlock()
                if first {
                    log.error(
                        "cannot write runs to the database; kept in order and retried every 5 s",
                        ["changes": "\(batch.count)", "error": "\(error)"])
                } else {
                    log.debug("the database still cannot take run changes", ["changes": "\(batch.count)", "error": "\(error)"])
                }
                queue.asyncAfter(deadline: .now() + 5) { [self] in
                    lock.lock()
                    let retry = !draining
                    if retry { draining = true }
                    lock.unlock()
                    if retry { drain() }
                }
                return
            }
        }
    }
}
