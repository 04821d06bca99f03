import Testing

/// The reliability suite (issue #7): kill -9 recovery, fault injection,
/// fuzzing, HTTP load and a soak. Short by default (it runs in CI inside
/// `swift test`); `DSARI_RELIABILITY=full` (script/reliability) runs the long
/// version. One test at a time: each loads the machine on purpose, and
/// their timings must not depend on one another.
@Suite("Reliability", .serialized)
struct ReliabilityTests {}
