import DsariCore
import DsariPassive
import Foundation

/// Passive results (`passive_results`): what each destination's queue on
/// this host's data directory shows, for /metrics, /status.json and /status.
extension MetricsCollector {
    func passiveSnapshots(config: Config, oldest: Bool = true) -> [PassiveQueueSnapshot] {
        PassiveQueueSnapshot.all(dataDirectory: config.dataDir, oldest: oldest)
    }

    func addPassiveMetrics(_ snapshots: [PassiveQueueSnapshot], to writer: inout ExpositionWriter) {
        for snapshot in snapshots {
            let label = [("destination", snapshot.destination)]
            writer.add(
                "dsari_passive_results_sent_total", help: "Check results delivered to a passive_results destination", type: "counter",
                .init(label, .integer(Int(snapshot.state.sent))))
            writer.add(
                "dsari_passive_results_failed_total",
                help: "Delivery attempts to a passive_results destination that failed (the result waits and is tried again)",
                type: "counter", .init(label, .integer(Int(snapshot.state.failed))))
            writer.add(
                "dsari_passive_results_dropped_total",
                help: "Check results given up: older than max_age (expired), or refused for good by the destination (rejected)",
                type: "counter",
                [
                    .init(label + [("reason", "expired")], .integer(Int(snapshot.state.droppedExpired))),
                    .init(label + [("reason", "rejected")], .integer(Int(snapshot.state.droppedRejected))),
                ])
            writer.add(
                "dsari_passive_results_queue_length", help: "Check results waiting on disk for a passive_results destination",
                type: "gauge", .init(label, .integer(snapshot.pending)))
            if let last = snapshot.state.lastSuccess {
                writer.add(
                    "dsari_passive_results_last_success_timestamp_seconds",
                    help: "When a check result was last delivered to the destination, seconds since epoch", type: "gauge",
                    .init(label, .float(last)))
            }
        }
    }

    /// `/status.json`'s `passive_results`.
    func passiveStatus(_ snapshots: [PassiveQueueSnapshot], now: Double) -> ConfigValue {
        .array(
            snapshots.map { snapshot in
                let fields: [(StatusField, ConfigValue)] = [
                    (.destination, .string(snapshot.destination)), (.pending, .int(Int64(snapshot.pending))),
                    (.oldestPendingAge, snapshot.oldestPendingEndTime.map { .double(max(0, now - $0)) } ?? .null),
                    (.sent, .int(snapshot.state.sent)), (.failed, .int(snapshot.state.failed)),
                    (.droppedExpired, .int(snapshot.state.droppedExpired)), (.droppedRejected, .int(snapshot.state.droppedRejected)),
                    (.lastSuccess, snapshot.state.lastSuccess.map(ConfigValue.double) ?? .null),
                    (.lastError, snapshot.state.lastError.map(ConfigValue.string) ?? .null),
                    (.lastErrorTime, snapshot.state.lastErrorTime.map(ConfigValue.double) ?? .null),
                ]
                return ConfigNode(.mapping(fields.map { ConfigValue.Entry(key: $0.0.rawValue, value: ConfigNode($0.1)) }))
            })
    }
}
