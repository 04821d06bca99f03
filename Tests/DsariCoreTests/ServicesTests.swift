import DsariCore
import Synchronization
import Testing

@Suite("Services: what a command started is stopped, the last first")
struct ServicesTests {
    final class Recorder: Sendable {
        let stops = Mutex<[String]>([])
    }

    final class Part: Service {
        let name: String
        let recorder: Recorder

        init(_ name: String, _ recorder: Recorder) {
            self.name = name
            self.recorder = recorder
        }

        func stop() { recorder.stops.withLock { $0.append(name) } }
    }

    @Test func stopAllStopsInReverseOrderOnce() {
        let recorder = Recorder()
        var services = Services()
        let first = services.add(Part("passive", recorder))
        services.add(Part("http", recorder))
        services.add(Part("nrpe", recorder))
        #expect(first.name == "passive")
        services.stopAll()
        services.stopAll()
        #expect(recorder.stops.withLock { $0 } == ["nrpe", "http", "passive"])
    }

    /// A command that gives up half-way (a later part cannot start) still
    /// stops what it started, when its list goes out of scope.
    @Test func leavingTheScopeStopsWhatWasStarted() {
        let recorder = Recorder()
        func start() throws {
            var services = Services()
            services.add(Part("http", recorder))
            throw CancellationError()
        }
        #expect(throws: CancellationError.self) { try start() }
        #expect(recorder.stops.withLock { $0 } == ["http"])
    }
}
