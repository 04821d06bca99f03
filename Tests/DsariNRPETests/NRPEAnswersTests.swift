import DsariCore
import DsariTestSupport
import Foundation
import Synchronization
import Testing

@testable import DsariNRPE

/// What the NRPE listener answers, against an in-memory history (the
/// daemon's own is exercised with the real check_nrpe in DsariEngineTests).
@Suite("NRPE answers")
struct NRPEAnswersTests {
    /// Recorded results by job, and the runs asked for.
    final class History: NRPECheckSource, @unchecked Sendable {
        // @unchecked: `asked` only under `lock`.
        let results: [String: ConfigValue]
        let lock = NSLock()
        var asked: [(String, [String])] = []
        let runResult: @Sendable (String, [String]) -> ConfigValue?

        init(results: [String: ConfigValue], runResult: @escaping @Sendable (String, [String]) -> ConfigValue? = { _, _ in nil }) {
            self.results = results
            self.runResult = runResult
        }

        func latestCheckResult(jobName: String) throws -> ConfigValue? { results[jobName] }

        func runNow(jobName: String, arguments: [String], completion: @escaping @Sendable (ConfigValue?) -> Void) {
            lock.withLock { asked.append((jobName, arguments)) }
            let data = runResult(jobName, arguments)
            DispatchQueue.global().async { completion(data) }
        }
    }

    static func config(_ yaml: String) throws -> Config {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("etc/dsari.yaml", yaml)
        return try ConfigLoader(environment: ["DSARI_HOME": directory.path], jobSources: []).load(configDirectory: directory.url("etc"))
    }

    static func ask(_ answers: NRPEAnswers, _ text: String) -> NRPEAnswer? {
        let got = Mutex<NRPEAnswer?>(nil)
        let done = DispatchSemaphore(value: 0)
        answers.answer(NRPEQuery(text: Array(text.utf8), version: 4)) { answer in
            got.withLock { $0 = answer }
            done.signal()
        }
        _ = done.wait(timeout: .now() + 10)
        return got.withLock { $0 }
    }

    @Test func recordedResultsFixedArgumentsAndOnDemandRuns() throws {
        let config = try Self.config(
            """
            jobs:
              disk: {command: [x], schedule: "* * * * *", nagios_check: true, nrpe_command: check_disk, nrpe_arguments: ['20%', '/']}
              silent: {command: [x], schedule: "* * * * *", nagios_check: true}
              args: {command: [sh, -c, 'echo $ARG1$'], nagios_check: true, nrpe_command: check_args, nrpe_arguments: query}
              plain: {command: [x], schedule: "* * * * *"}
            """)
        let history = History(
            results: [
                "disk": ["current_state": 1, "output": "WARNING - 85% used"],
                "silent": ["current_state": 0, "output": ""],
            ],
            runResult: { _, arguments in
                ["nagios": ["current_state": 2, "output": .string("CRITICAL \(arguments.joined(separator: " "))")]]
            })
        let answers = NRPEAnswers(config: config, source: history)
        #expect(Self.ask(answers, "check_disk") == NRPEAnswer(resultCode: 1, text: "WARNING - 85% used"))
        #expect(Self.ask(answers, "check_disk!20%!/") == NRPEAnswer(resultCode: 1, text: "WARNING - 85% used"))
        #expect(
            Self.ask(answers, "check_disk!10%!/")
                == NRPEAnswer(
                    resultCode: 3, text: "NRPE: command 'check_disk' is checked by dsari with the arguments '20%!/' (job disk), not '10%!/'"
                ))
        #expect(Self.ask(answers, "silent") == NRPEAnswer(resultCode: 3, text: "NRPE: Unable to read output"))
        #expect(Self.ask(answers, "plain") == NRPEAnswer(resultCode: 3, text: "NRPE: Command 'plain' not defined"))
        #expect(Self.ask(answers, "_NRPE_CHECK")?.text.hasPrefix("NRPE v4.1.0 (dsari-swift ") == true)
        #expect(Self.ask(answers, "check_args!a!b") == NRPEAnswer(resultCode: 2, text: "CRITICAL a b"))
        #expect(history.lock.withLock { history.asked.map(\.0) } == ["args"])
        #expect(history.lock.withLock { history.asked.map(\.1) } == [["a", "b"]])
    }
}
