import DsariCore

/// A check's state over time, as Nagios Core keeps it for a service: each
/// new result moves it on (`recording`). Stored with every check run in
/// `run_data.nagios`, so the latest run carries it across restarts.
///
/// The rules (Nagios Core 4, service checks):
/// - A non-OK result after OK starts attempt 1; it is SOFT while
///   `current_attempt < max_attempts` and HARD when it reaches it (at once
///   with `max_check_attempts: 1`). Each further non-OK result while SOFT
///   counts one more attempt, whatever non-OK state it is; a HARD problem
///   stays HARD with `current_attempt = max_attempts`.
/// - OK is always HARD, attempt 1 (a recovery is HARD at once).
/// - `last_state_change` moves on any change of state, `last_hard_state_change`
///   when the HARD state changes (`last_hard_state`); the first result ever
///   counts as a change of both.
/// - Flapping: the states of the last 21 HARD results (OK included) give a
///   weighted percent state change, recent changes weighing more (0.75 for
///   the oldest to 1.25 for the newest). At or above the high threshold the
///   check flaps; at or below the low one it stops; between, it stays as it was.
public struct CheckStatus: Sendable, Hashable {
    public enum StateType: Int, Sendable, Hashable {
        case soft = 0
        case hard = 1

        public var name: String { self == .hard ? "HARD" : "SOFT" }
    }

    public var currentState: CheckState = .ok
    public var stateType: StateType = .hard
    public var currentAttempt = 1
    public var maxAttempts = 1
    public var lastHardState: CheckState = .ok
    /// Epoch seconds (a run's start); nil before the first result.
    public var lastCheck: Double?
    public var lastStateChange: Double?
    public var lastHardStateChange: Double?
    /// `last_time_ok` … `last_time_unknown`, indexed by state: as in Nagios,
    /// each check stamps the state the check was in *before* it (so
    /// `last_time_ok` is when OK was last known to hold: the check that
    /// found the problem, or the latest check while OK).
    public var lastTimeInState: [Double?] = [nil, nil, nil, nil]
    /// The last `historyLength` recorded states, oldest first; starts all OK as in Nagios.
    public var stateHistory: [Int] = Array(repeating: 0, count: CheckStatus.historyLength)
    public var percentStateChange = 0.0
    public var isFlapping = false

    /// Nagios' `MAX_STATE_HISTORY_ENTRIES`.
    public static let historyLength = 21

    public init() {}

    /// True while a problem is SOFT: the next attempt comes after `retry_interval`.
    public var awaitsRetry: Bool { stateType == .soft && currentState != .ok }

    /// The status after one more result, checked at `time`.
    public func recording(_ state: CheckState, at time: Double, options: CheckOptions) -> CheckStatus {
        var next = self
        let first = lastCheck == nil
        next.maxAttempts = max(1, options.maxCheckAttempts)
        if state == .ok {
            next.currentAttempt = 1
            next.stateType = .hard
        } else if currentState == .ok || first {
            next.currentAttempt = 1
            next.stateType = next.maxAttempts <= 1 ? .hard : .soft
        } else if stateType == .soft {
            next.currentAttempt = min(currentAttempt + 1, next.maxAttempts)
            next.stateType = next.currentAttempt >= next.maxAttempts ? .hard : .soft
        } else {
            next.currentAttempt = next.maxAttempts
            next.stateType = .hard
        }
        next.currentState = state
        next.lastCheck = time
        // As Nagios (record_last_service_state_ended): the state the check
        // was in until now was last seen now; the first result records its own.
        next.lastTimeInState[first ? state.rawValue : currentState.rawValue] = time
        if first || state != currentState { next.lastStateChange = time }
        if first { next.lastHardStateChange = time }
        if next.stateType == .hard, first || state != lastHardState {
            next.lastHardState = state
            next.lastHardStateChange = time
        }
        if next.stateType == .hard {
            next.stateHistory = Array((stateHistory + [state.rawValue]).suffix(Self.historyLength))
            next.percentStateChange = Self.percentStateChange(next.stateHistory)
            if !options.flapDetection || next.percentStateChange <= options.lowFlapThreshold {
                next.isFlapping = false
            } else if next.percentStateChange >= options.highFlapThreshold {
                next.isFlapping = true
            }
        }
        return next
    }

    /// Nagios' curved percent state change: each change between consecutive
    /// entries weighs from 0.75 (oldest) to 1.25 (newest); the sum over the
    /// 20 possible changes, in percent.
    static func percentStateChange(_ history: [Int]) -> Double {
        let count = Self.historyLength
        var changes = 0.0
        for index in 1..<history.count where history[index] != history[index - 1] {
            // `index` counts from the oldest pair as in Nagios (x = 1 … 20).
            let position = Double(index + count - history.count)
            changes += (position - 1) * (1.25 - 0.75) / Double(count - 2) + 0.75
        }
        return changes * 100 / Double(count - 1)
    }
}

extension CheckStatus {
    /// The keys this status adds to `run_data.nagios` (Nagios `status.dat`
    /// names; times in epoch seconds or null; `state_type` 1 HARD, 0 SOFT):
    ///
    ///     state_type, current_attempt, max_attempts, last_check,
    ///     last_state_change, last_hard_state, last_hard_state_change,
    ///     last_time_ok, last_time_warning, last_time_critical,
    ///     last_time_unknown, is_flapping, percent_state_change, state_history
    public var runDataEntries: [ConfigValue.Entry] {
        func time(_ value: Double?) -> ConfigValue { value.map(ConfigValue.double) ?? .null }
        var fields: [(NagiosField, ConfigValue)] = [
            (.stateType, .int(Int64(stateType.rawValue))),
            (.currentAttempt, .int(Int64(currentAttempt))),
            (.maxAttempts, .int(Int64(maxAttempts))),
            (.lastCheck, time(lastCheck)),
            (.lastStateChange, time(lastStateChange)),
            (.lastHardState, .int(Int64(lastHardState.rawValue))),
            (.lastHardStateChange, time(lastHardStateChange)),
        ]
        fields += zip(NagiosField.lastTimeInState, lastTimeInState).map { ($0, time($1)) }
        fields += [
            (.isFlapping, .bool(isFlapping)),
            (.percentStateChange, .double(percentStateChange)),
            (.stateHistory, .array(stateHistory.map { ConfigNode(.int(Int64($0))) })),
        ]
        return fields.map { ConfigValue.Entry(key: $0.0.rawValue, value: ConfigNode($0.1)) }
    }

    /// The status a run recorded in `run_data.nagios`, or nil when it holds
    /// no check result. Results recorded before state tracking (no
    /// `state_type`) read as HARD, attempt 1 of 1.
    public init?(runData nagios: ConfigValue) {
        guard case .int(let code)? = nagios[.currentState]?.value, let state = CheckState(rawValue: Int(code)) else {
            return nil
        }
        func integer(_ field: NagiosField) -> Int? {
            if case .int(let value)? = nagios[field]?.value { return Int(value) }
            return nil
        }
        func time(_ field: NagiosField) -> Double? {
            switch nagios[field]?.value {
            case .double(let value)?: value
            case .int(let value)?: Double(value)
            default: nil
            }
        }
        currentState = state
        stateType = integer(.stateType).flatMap(StateType.init(rawValue:)) ?? .hard
        maxAttempts = max(1, integer(.maxAttempts) ?? 1)
        currentAttempt = min(max(1, integer(.currentAttempt) ?? 1), maxAttempts)
        lastHardState = integer(.lastHardState).flatMap(CheckState.init(rawValue:)) ?? state
        lastCheck = time(.lastCheck)
        lastStateChange = time(.lastStateChange)
        lastHardStateChange = time(.lastHardStateChange)
        lastTimeInState = NagiosField.lastTimeInState.map { time($0) }
        if case .array(let items)? = nagios[.stateHistory]?.value {
            let states = items.compactMap { item -> Int? in
                if case .int(let value) = item.value, (0...3).contains(value) { return Int(value) }
                return nil
            }
            stateHistory = Array((Array(repeating: 0, count: Self.historyLength) + states).suffix(Self.historyLength))
        }
        percentStateChange = time(.percentStateChange) ?? 0
        isFlapping = nagios[.isFlapping]?.value == .bool(true)
    }
}
