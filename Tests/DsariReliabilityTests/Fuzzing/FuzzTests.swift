import DsariCore
import DsariTestSupport
import Foundation
import Testing

extension ReliabilityTests {
    /// Mutational fuzzing of every parser of outside input (a seeded random
    /// mutator: libFuzzer would need an instrumented build of its own and
    /// executable targets that do not link in the normal build). Zero
    /// crashes and every rejection a clear error.
    @Suite("fuzzing")
    struct Fuzzing {
        /// A scratch directory laid out for every target.
        static func workspace() throws -> TemporaryDirectory {
            let directory = try TemporaryDirectory(prefix: "dsari-fuzz")
            try directory.write("etc/.keep", "")
            try directory.write("trigger/job/.keep", "")
            try directory.write("nrpe-etc/conf.d/extra.cfg", "command[extra]=/bin/true\n")
            try directory.write("nrpe-etc/x.cfg", "command[from_include]=/bin/echo $ARG1$\n")
            try directory.write("nrpe-etc/dsari.yaml", "nrpe_config: nrpe.cfg\n")
            return directory
        }

        /// The inputs kept in Tests/Fuzz/corpus, each tried once: none may
        /// trap, and each is accepted or clearly rejected.
        @Test(arguments: FuzzTarget.all)
        func corpusReplays(target: FuzzTarget) throws {
            let workspace = try Self.workspace()
            defer { workspace.remove() }
            let corpus = target.corpus()
            #expect(!corpus.isEmpty, "no corpus in \(target.corpusDirectory)")
            for (name, bytes) in corpus {
                CrashCapture.begin(target: target.name, input: bytes)
                let verdict = target.verdict(bytes, workspace: workspace.path)
                CrashCapture.end()
                #expect(verdict.problem == nil, "\(target.name)/\(name): \(verdict.problem ?? "")")
            }
        }

        @Test(arguments: FuzzTarget.all)
        func mutationalFuzzing(target: FuzzTarget) throws {
            let workspace = try Self.workspace()
            defer { workspace.remove() }
            let seed = target.name.utf8.reduce(ReliabilityScale.seed) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
            var mutator = Mutator(seed: seed, corpus: target.corpus().map(\.bytes), tokens: target.tokens)
            var counts = (tried: 0, accepted: 0, rejected: 0, skipped: 0)
            var problems: [(input: [UInt8], problem: String)] = []
            var slowest = (seconds: 0.0, input: [UInt8]())
            let deadline = monotonicMicroseconds() + UInt64(ReliabilityScale.fuzzSeconds * 1_000_000)
            while monotonicMicroseconds() < deadline {
                let input = mutator.next()
                CrashCapture.begin(target: target.name, input: input)
                let began = monotonicMicroseconds()
                let verdict = target.verdict(input, workspace: workspace.path)
                let seconds = Double(monotonicMicroseconds() - began) / 1_000_000
                CrashCapture.end()
                if seconds > slowest.seconds { slowest = (seconds, input) }
                counts.tried += 1
                if verdict.skipped {
                    counts.skipped += 1
                } else if verdict.accepted {
                    counts.accepted += 1
                } else {
                    counts.rejected += 1
                }
                if let problem = verdict.problem, problems.count < 20 { problems.append((input, problem)) }
            }
            print(
                "fuzz \(target.name): \(counts.tried) inputs in \(ReliabilityScale.fuzzSeconds) s (seed \(seed)): \(counts.accepted) accepted, "
                    + "\(counts.rejected) rejected, \(counts.skipped) skipped, \(problems.count) problems; slowest input "
                    + String(format: "%.3f s", slowest.seconds))
            for (index, (input, problem)) in problems.prefix(5).enumerated() {
                let saved = (NSTemporaryDirectory() as NSString).appendingPathComponent("dsari-fuzz-problem-\(target.name)-\(index)")
                _ = FileManager.default.createFile(atPath: saved, contents: Data(input))
                Issue.record(
                    "\(target.name): \(problem.prefix(600))\ninput (saved in \(saved)): \(String(decoding: input.prefix(300), as: UTF8.self).debugDescription)"
                )
            }
            #expect(
                slowest.seconds < 5,
                "\(target.name): one input took \(slowest.seconds) s: \(String(decoding: slowest.input, as: UTF8.self).debugDescription)")
            #expect(counts.tried > 50, "\(target.name): only \(counts.tried) inputs tried")
            ReliabilityReport.record(
                test: "fuzz \(target.name)", load: "\(counts.tried) inputs, \(Int(ReliabilityScale.fuzzSeconds)) s",
                faults: "\(counts.rejected) rejected", runsLost: 0, crashes: 0,
                notes: "\(problems.count) unclear; slowest " + String(format: "%.3f s", slowest.seconds))
        }
    }
}
