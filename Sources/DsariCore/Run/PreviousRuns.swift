/// A job's latest finished runs: any, successful (exit 0), failed (any
/// other exit code) — the source of `PREVIOUS_*`, `PREVIOUS_GOOD_*`, `PREVIOUS_BAD_*`.
public struct PreviousRuns: Sendable {
    public var last: RunRecord?
    public var good: RunRecord?
    public var bad: RunRecord?

    public init(last: RunRecord? = nil, good: RunRecord? = nil, bad: RunRecord? = nil) {
        self.last = last
        self.good = good
        self.bad = bad
    }
}
