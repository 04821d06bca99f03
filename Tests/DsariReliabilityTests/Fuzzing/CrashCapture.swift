import Foundation

/// Keeps the input being tried where a signal handler can reach it: when a
/// target traps (SIGILL/SIGTRAP from a Swift runtime check, SIGSEGV, SIGBUS,
/// SIGABRT, SIGFPE) or hangs (a watchdog), the input is written to
/// `$TMPDIR/dsari-fuzz-crash-TARGET` and named on stderr before the process
/// dies, so it can be added to `Tests/Fuzz/corpus/TARGET/` as a regression input.
enum CrashCapture {
    private static let capacity = 1 << 17
    private nonisolated(unsafe) static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    private nonisolated(unsafe) static var length = 0
    private nonisolated(unsafe) static let pathBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: 4096)
    private nonisolated(unsafe) static var installed = false
    /// Microseconds since boot when the current input started (0 = none); read by the watchdog.
    private nonisolated(unsafe) static var startedAt: UInt64 = 0

    /// Before each input (fuzzing runs one target at a time, on one thread).
    static func begin(target: String, input: [UInt8]) {
        installIfNeeded()
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("dsari-fuzz-crash-\(target)")
        _ = path.withCString { strncpy(pathBuffer, $0, 4095) }
        length = min(input.count, capacity)
        input.withUnsafeBufferPointer { source in
            if let base = source.baseAddress { buffer.update(from: base, count: length) }
        }
        startedAt = monotonicMicroseconds()
    }

    static func end() { startedAt = 0 }

    private static func installIfNeeded() {
        guard !installed else { return }
        installed = true
        for number in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] {
            signal(number) { number in
                CrashCapture.save(reason: "signal")
                signal(number, SIG_DFL)
                raise(number)
            }
        }
        // A hang is a failure too: one input for more than 60 s.
        let watchdog = Thread {
            while true {
                sleep(1)
                let started = CrashCapture.startedAt
                if started != 0, monotonicMicroseconds() - started > 60_000_000 {
                    CrashCapture.save(reason: "hang (60 s on one input)")
                    abort()
                }
            }
        }
        watchdog.start()
    }

    /// Async-signal-safe: open, write, close.
    private static func save(reason: StaticString) {
        let descriptor = open(pathBuffer, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor >= 0 {
            _ = write(descriptor, buffer, length)
            close(descriptor)
        }
        let message: StaticString = "\nfuzz: the input that failed is saved in "
        _ = write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
        _ = write(STDERR_FILENO, pathBuffer, strlen(pathBuffer))
        _ = write(STDERR_FILENO, " (", 2)
        _ = write(STDERR_FILENO, reason.utf8Start, reason.utf8CodeUnitCount)
        _ = write(STDERR_FILENO, ")\n", 2)
    }
}

func monotonicMicroseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000 + UInt64(time.tv_nsec) / 1000
}
