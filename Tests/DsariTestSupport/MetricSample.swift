/// The value of `name{job_name="job"}` in a Prometheus exposition, or nil
/// when the series is not there.
public func metricSample(_ text: String, _ name: String, job: String) -> Double? {
    let prefix = "\(name){job_name=\"\(job)\"} "
    guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else { return nil }
    return Double(line.dropFirst(prefix.count))
}
