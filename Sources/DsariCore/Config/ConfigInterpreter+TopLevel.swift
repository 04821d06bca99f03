import Foundation

/// The top-level keys' readers that take more than one call (each key's
/// reader is in `ConfigKeys`; these are what some of them call).
extension ConfigInterpreter {
    func hostName(_ node: ConfigNode, key: String) throws -> String {
        guard case .string(let name) = node.value, !name.isEmpty, name.count <= 255,
            !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
        else {
            throw typeError(node, key: key, expected: "a host name (a non-empty string without spaces)", subject: nil)
        }
        return name
    }

    /// `metrics_duration_buckets`: increasing positive bounds.
    func durationBuckets(_ node: ConfigNode, key: String) throws -> [Double] {
        let expected = "a list of increasing positive numbers of seconds (histogram bucket bounds)"
        guard case .array(let items) = node.value else { throw typeError(node, key: key, expected: expected, subject: nil) }
        var bounds: [Double] = []
        for item in items {
            let bound: Double
            switch item.value {
            case .int(let number): bound = Double(number)
            case .double(let number): bound = number
            default: throw typeError(item, key: key, expected: expected, subject: nil)
            }
            guard bound.isFinite, bound > 0, bound > (bounds.last ?? 0) else {
                throw typeError(item, key: key, expected: expected, subject: nil)
            }
            bounds.append(bound)
        }
        guard !bounds.isEmpty else { throw typeError(node, key: key, expected: expected, subject: nil) }
        return bounds
    }

    /// `http_listen`, `nrpe_listen`: "HOST:PORT" with an IP address, or null.
    func listenAddress(_ node: ConfigNode, key: String, purpose: String, example: String) throws -> ListenAddress? {
        let expected = "an address \(purpose), \"HOST:PORT\" (e.g. \(example)), or null"
        guard let text = try optionalString(node, key: key, subject: nil, expected: expected) else { return nil }
        guard let address = ListenAddress(text) else {
            throw ConfigError(
                "\"\(key)\" \(text.quotedForMessage) is not HOST:PORT with an IP address as HOST", location: node.location,
                key: key, expected: expected)
        }
        return address
    }

    /// `http_web_config`: a path, checked now so that `config check` and a
    /// reload find the file's mistakes; or null.
    func webConfigPath(_ node: ConfigNode, key: String) throws -> String? {
        guard !node.value.isNull else { return nil }
        let webConfig = try path(node, key: key, subject: nil)
        _ = try WebConfig.read(path: webConfig)
        return webConfig
    }

    /// `nrpe_allowed_hosts`: a list, or one comma-separated string, each entry checked.
    func allowedHosts(_ node: ConfigNode, key: String) throws -> [String] {
        let expected = "a list of addresses, CIDR networks and host names, or one string of them separated by commas"
        let hosts: [String]
        switch node.value {
        case .string(let text):
            hosts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        case .array(let items):
            hosts = try items.map { item in
                guard case .string(let text) = item.value else { throw typeError(item, key: key, expected: expected, subject: nil) }
                return text
            }
        default:
            throw typeError(node, key: key, expected: expected, subject: nil)
        }
        for host in hosts {
            if let problem = Self.allowedHostProblem(host) {
                throw ConfigError(
                    "\"nrpe_allowed_hosts\" entry \(host.quotedForMessage) \(problem)", location: node.location, key: key,
                    expected: expected)
            }
        }
        return hosts
    }

    /// A string naming one of `Choice`'s cases.
    func choice<Choice: RawRepresentable<String>>(
        _ node: ConfigNode, key: String, subject: ConfigError.Subject?, expected: String
    ) throws -> Choice {
        guard case .string(let text) = node.value, let choice = Choice(rawValue: text) else {
            throw typeError(node, key: key, expected: expected, subject: subject)
        }
        return choice
    }
}
