/// Why a schedule cannot be used; `description` names the part and the reason.
public struct ScheduleError: Error, CustomStringConvertible, Sendable, Equatable {
    public let schedule: String
    public let reason: String

    public init(schedule: String, reason: String) {
        self.schedule = schedule
        self.reason = reason
    }

    public var description: String { "invalid schedule \"\(schedule)\": \(reason)" }
}
