import DsariCore
import DsariNagios
import Foundation
import Synchronization

/// Where the NRPE answers come from: the recorded check results and the
/// daemon that can run a check now. The CLI wires the run store and the
/// engine in; tests can give an in-memory history.
public protocol NRPECheckSource: Sendable {
    /// `run_data.nagios` of the job's latest finished run that carries a check result.
    func latestCheckResult(jobName: String) throws -> ConfigValue?
    /// Runs the job now (trigger type `nrpe`; `arguments` for
    /// `nrpe_arguments: query`) and calls `completion` with the finished
    /// run's `run_data`, or nil when no run happened (unknown job, shutdown).
    func runNow(jobName: String, arguments: [String], completion: @escaping @Sendable (ConfigValue?) -> Void)
}

/// What dsari-daemon's NRPE listener answers: for a command, the latest
/// recorded result of the job that answers for it — the job whose
/// `nrpe_command` names it (every imported job has one), else a Nagios
/// check job of that very name; only Nagios check jobs answer. The text is the plugin's output as it
/// printed it (as NRPE sends it), the result code the check's current state.
///
/// Arguments (`check_nrpe -a`, with `nrpe_allow_arguments`): a job with
/// `nrpe_arguments: query` runs for every query with them in its `$ARGn$`;
/// one made with fixed values answers only queries without arguments or
/// with those values (UNKNOWN otherwise); any other job's command has no
/// macros, so NRPE would ignore the arguments and its recorded result answers.
public final class NRPEAnswers: Sendable {
    /// Which job answers each command, made once per configuration (not per query).
    private struct Table {
        var jobs: [String: Job] = [:]
        var noResult: NRPEListenerConfig.NoResult = .unknown

        init(_ config: Config) {
            noResult = config.nrpeListener.noResult
            // A check job of the command's name, unless a job declares the command;
            // of several declaring it, the first by name.
            for job in config.jobs.values where job.nagiosCheck {
                jobs[job.name] = job
            }
            for job in config.jobs.values.sorted(by: { $0.name > $1.name }) where job.nagiosCheck {
                if let command = job.nrpeCommand { jobs[command] = job }
            }
        }
    }

    private let table: Mutex<Table>
    private let source: any NRPECheckSource
    /// The listener's `nrpe_connection_timeout` (read at start, as the listener reads it).
    private let connectionTimeout: Double

    public init(config: Config, source: any NRPECheckSource) {
        self.table = Mutex(Table(config))
        self.source = source
        self.connectionTimeout = config.nrpeListener.connectionTimeout
    }

    /// Answers for the jobs of a configuration a SIGHUP brought in.
    public func reload(config fresh: Config) {
        let fresh = Table(fresh)
        table.withLock { $0 = fresh }
    }

    /// The job answering for `command`, and how to treat a check without a result.
    func job(for command: String) -> (Job?, NRPEListenerConfig.NoResult) {
        table.withLock { ($0.jobs[command], $0.noResult) }
    }

    /// The answer to `query`, given to `reply` once (now, or when a run ends).
    public func answer(_ query: NRPEQuery, reply: @escaping @Sendable (NRPEAnswer) -> Void) {
        if query.command == NRPEQuery.helloCommand {
            reply(NRPEAnswer(resultCode: 0, text: "NRPE v4.1.0 (dsari-swift \(DsariVersion.string))"))
            return
        }
        let (found, noResult) = job(for: query.command)
        guard let job = found else {
            reply(NRPEAnswer(resultCode: 3, text: "NRPE: Command '\(query.command)' not defined"))
            return
        }
        switch job.nrpeArguments {
        case .fromQuery?:
            // As NRPE: every query runs the command, its $ARGn$ filled from the query.
            runNow(job, for: query, reply: reply)
            return
        case .fixed(let values)? where !query.arguments.isEmpty && query.arguments != values:
            // The recorded result is for other arguments: never answer it as theirs.
            reply(
                NRPEAnswer(
                    resultCode: 3,
                    text: "NRPE: command '\(query.command)' is checked by dsari with the arguments "
                        + "'\(values.joined(separator: "!"))' (job \(job.name)), not '\(query.arguments.joined(separator: "!"))'"))
            return
        default:
            // No $ARGn$ in the command: NRPE would ignore the arguments, so the recorded result is its answer.
            break
        }
        let recorded: ConfigValue?
        do {
            recorded = try source.latestCheckResult(jobName: job.name)
        } catch {
            reply(NRPEAnswer(resultCode: 3, text: "NRPE: cannot read the result of '\(query.command)': \(error)"))
            return
        }
        if let recorded {
            reply(Self.answer(from: recorded))
            return
        }
        switch noResult {
        case .unknown:
            reply(NRPEAnswer(resultCode: 3, text: "NRPE: no result recorded yet for command '\(query.command)' (job \(job.name))"))
        case .run:
            runNow(job, for: query, reply: reply)
        }
    }

    /// Runs the job now for the query and answers its result — or NRPE's
    /// timeout answer a second before the listener would drop the connection
    /// (check_nrpe would otherwise retry, doubling the wait), whichever comes first.
    private func runNow(_ job: Job, for query: NRPEQuery, reply: @escaping @Sendable (NRPEAnswer) -> Void) {
        let once = ReplyOnce(reply)
        let seconds = connectionTimeout
        DispatchQueue.global().asyncAfter(deadline: .now() + max(0.5, seconds - 1)) {
            once.send(NRPEAnswer(resultCode: 3, text: "NRPE: Command timed out after \(Int(seconds.rounded())) seconds"))
        }
        source.runNow(jobName: job.name, arguments: query.arguments) { runData in
            guard let nagios = runData?[NagiosField.runDataKey]?.value else {
                once.send(NRPEAnswer(resultCode: 3, text: "NRPE: command '\(query.command)' did not give a check result"))
                return
            }
            once.send(Self.answer(from: nagios))
        }
    }

    /// A recorded `run_data.nagios` as check_nrpe shows it.
    static func answer(from nagios: ConfigValue) -> NRPEAnswer {
        guard let recorded = RecordedCheck(nagios: nagios), !recorded.printedOutput.isEmpty else {
            // NRPE's answer for a plugin that printed nothing, whatever its exit code.
            return NRPEAnswer(resultCode: 3, text: CheckResult.nrpeNoOutput)
        }
        return NRPEAnswer(resultCode: Int16(recorded.state.rawValue), text: recorded.printedOutput)
    }
}

/// Sends at most one answer on a connection, from whichever thread comes first.
private final class ReplyOnce: Sendable {
    private let reply: @Sendable (NRPEAnswer) -> Void
    private let sent = Mutex(false)

    init(_ reply: @escaping @Sendable (NRPEAnswer) -> Void) { self.reply = reply }

    func send(_ answer: NRPEAnswer) {
        let first = sent.withLock { sent in
            defer { sent = true }
            return !sent
        }
        if first { reply(answer) }
    }
}
