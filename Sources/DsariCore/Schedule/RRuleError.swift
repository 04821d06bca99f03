/// Why an RRULE text was refused, told as one sentence that names the part at
/// fault, e.g. `RRULE part "BYHOUR=25": hour 25 is out of range 0…23.`
struct RRuleError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The whole rule text, as given (surrounding white space removed).
    let rule: String
    /// The `NAME=VALUE` part at fault, or nil when the fault is the rule as a whole.
    let part: String?
    /// The end of the sentence: what is wrong, ending with a period.
    let reason: String

    init(rule: String, part: String? = nil, reason: String) {
        self.rule = rule
        self.part = part
        self.reason = reason
    }

    var description: String {
        if let part {
            return "RRULE part \"\(part)\": \(reason)"
        }
        return "RRULE \"\(rule)\": \(reason)"
    }
}
