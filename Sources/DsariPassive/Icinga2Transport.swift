import CCurl
import DsariCore
import DsariNagios
import Foundation

/// The Icinga 2 API's `POST /v1/actions/process-check-result` over HTTPS
/// (libcurl): the API's certificate checked against `ca_file`, and a client
/// certificate or an ApiUser's basic auth. The service is chosen with a
/// filter whose values travel as `filter_vars` (no quoting of names in
/// Icinga's DSL); `plugin_output` is the text and long output without
/// performance data, which goes in `performance_data`, one item each.
struct Icinga2Transport: PassiveTransport {
    let endpoint: PassiveDestination.Icinga2Endpoint
    let timeout: Double

    static func body(_ result: PassiveResult) -> String {
        var output = result.pluginOutput
        if !result.longPluginOutput.isEmpty { output += "\n" + result.longPluginOutput }
        let performance = PerfDataParser.parse(result.performanceData).data.map { ConfigNode(.string($0.raw)) }
        var entries: [(String, ConfigValue)] = [
            ("type", .string("Service")),
            ("filter", .string("host.name==host_name && service.name==service_name")),
            ("filter_vars", .sortedMapping(["host_name": result.host, "service_name": result.service])),
            ("exit_status", .int(Int64(result.returnCode))),
            // The API takes Nagios' names for these two.
            (NagiosField.pluginOutput.rawValue, .string(output)),
            (NagiosField.performanceData.rawValue, .array(performance)),
            ("check_source", .string(result.checkSource)),
            ("execution_start", .double(result.startTime)),
            ("execution_end", .double(result.endTime)),
        ]
        if let ttl = result.ttl { entries.append(("ttl", .int(Int64(ttl.rounded(.up))))) }
        return ConfigValue.mapping(entries.map { ConfigValue.Entry(key: $0.0, value: ConfigNode($0.1)) }).jsonString(pretty: false)
    }

    /// A NUL-terminated C buffer's text.
    private static func text(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func send(_ result: PassiveResult) throws(PassiveSendError) {
        let body = Self.body(result)
        var status = 0
        var answer = [CChar](repeating: 0, count: 2048)
        var error = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let url = endpoint.url + "/v1/actions/process-check-result"
        let code = withOptionalCStrings([url, body, endpoint.caFile, endpoint.certFile, endpoint.keyFile, endpoint.user, endpoint.password])
        {
            strings in
            var post = dsari_curl_post(
                url: strings[0], body: strings[1], ca_file: strings[2], cert_file: strings[3], key_file: strings[4], user: strings[5],
                password: strings[6], timeout_milliseconds: Int(timeout * 1000))
            return dsari_curl_post_json(&post, &status, &answer, answer.count, &error)
        }
        let answerText = Self.text(answer)
        guard code == 0 else { throw .unavailable("\(endpoint.url): \(Self.text(error))") }
        switch status {
        case 200 where answerText.contains("\"code\":200"):
            return
        case 500 where answerText.replacingOccurrences(of: " ", with: "").contains("\"results\":[]"):
            // Icinga 2.13's answer when the filter matches no object: it knows no such service.
            throw .rejected("\(endpoint.url) has no service \(result.host)!\(result.service) (HTTP 500, no object matched)")
        case 200, 400, 404, 409, 422:
            // Understood and refused: no such service, or a result it will not take. Sending it again changes nothing.
            throw .rejected(
                "\(endpoint.url) refused the result for \(result.host)!\(result.service) (HTTP \(status)): \(answerText.prefix(300))")
        default:
            // 401/403 (credentials or permissions being fixed), 5xx, 429: later.
            throw .unavailable("\(endpoint.url) answered HTTP \(status): \(answerText.prefix(300))")
        }
    }
}

/// Calls `body` with C strings for each (nil stays NULL), valid during the call.
private func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let duplicates = strings.map { $0.map { strdup($0) } ?? nil }
    defer { for pointer in duplicates { free(pointer) } }
    return body(duplicates.map { $0.map { UnsafePointer($0) } })
}
