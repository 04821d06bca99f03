import DsariCore
import DsariEngine
import DsariNRPE
import DsariNagios
import DsariStore
import Foundation
import Synchronization

/// What dsari-daemon's NRPE listener answers: for a command, the latest
/// recorded result of the job that answers for it — the job whose
/// `nrpe_command` names it (every imported job has one), else a Nagios
/// check job of that very name; only Nagios check jobs answer. The text is the plugin's output as it
/// printed it (as NRPE sends it), the result code the check's current state.
final class NRPEAnswers: Sendable {
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
    private let store: any RunStore
    private let daemon: Daemon
    /// The listener's `nrpe_connection_timeout` (read at start, as the listener reads it).
    private let connectionTimeout: Double

    init(config: Config, store: any RunStore, daemon: Daemon) {
        self.table = Mutex(Table(config))
        self.store = store
        self.daemon = daemon
        self.connectionTimeout = config.nrpeListener.connectionTimeout
    }

    func reload(config fresh: Config) {
        let fresh = Table(fresh)
        table.withLock { $0 = fresh }
    }

    /// The job answering for `command`, and how to treat a check without a result.
    func job(for command: String) -> (Job?, NRPEListenerConfig.NoResult) {
        table.withLock { ($0.jobs[command], $0.noResult) }
    }

    func answer(_ query: NRPEQuery, reply: @escaping @Sendable (NRPEAnswer) -> Void) {
        if query.command == NRPEQuery.helloCommand {
            reply(NRPEAnswer(resultCode: 0, text: "NRPE v4.1.0 (dsari-swift \(DsariVersion.string))"))
            return
        }
        let (found, noResult) = job(for: query.command)
        guard let job = found else {
            reply(NRPEAnswer(resultCode: 3, text: "NRPE: Command '\(query.command)' not defined"))
            return
        }
        let recorded: ConfigValue?
        do {
            recorded = try store.latestCheckResult(jobName: job.name)
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
            // One answer, whichever comes first: the run's result, or NRPE's
            // timeout answer a second before the listener would drop the
            // connection (check_nrpe would otherwise retry, doubling the wait).
            let once = ReplyOnce(reply)
            let seconds = connectionTimeout
            DispatchQueue.global().asyncAfter(deadline: .now() + max(0.5, seconds - 1)) {
                once.send(NRPEAnswer(resultCode: 3, text: "NRPE: Command timed out after \(Int(seconds.rounded())) seconds"))
            }
            daemon.runNow(jobName: job.name) { run in
                guard let nagios = run?.runData["nagios"]?.value else {
                    once.send(NRPEAnswer(resultCode: 3, text: "NRPE: command '\(query.command)' did not give a check result"))
                    return
                }
                once.send(Self.answer(from: nagios))
            }
        }
    }

    /// A recorded `run_data.nagios` as check_nrpe shows it.
    static func answer(from nagios: ConfigValue) -> NRPEAnswer {
        var state: Int16 = 3
        if case .int(let value)? = nagios["current_state"]?.value, (0...3).contains(value) { state = Int16(value) }
        var text = nagios["output"]?.value.stringValue ?? ""
        if nagios["output"] == nil {
            // Recorded before the raw output was kept: put the parts back together.
            text = nagios["plugin_output"]?.value.stringValue ?? ""
            if let perf = nagios["performance_data"]?.value.stringValue, !perf.isEmpty { text += " | " + perf }
            if let long = nagios["long_plugin_output"]?.value.stringValue, !long.isEmpty { text += "\n" + long }
        }
        if text.isEmpty {
            // NRPE's answer for a plugin that printed nothing, whatever its exit code.
            return NRPEAnswer(resultCode: 3, text: CheckResult.nrpeNoOutput)
        }
        return NRPEAnswer(resultCode: state, text: text)
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
