import Foundation

/// `passive_results`: the destinations check results are submitted to.
extension ConfigInterpreter {
    /// The destination types, and the keys each may have (from `ConfigKeys`).
    static let passiveTypes = ["nsca", "command_file", "icinga2"]
    static let passiveKeys: [String: [String]] = Dictionary(
        uniqueKeysWithValues: passiveTypes.map { type in
            (
                type,
                ConfigKeys.all.filter { $0.place == .passiveResult && ($0.passiveTypes.isEmpty || $0.passiveTypes.contains(type)) }.map(
                    \.name)
            )
        })

    mutating func passiveResults(_ node: ConfigNode) throws -> [PassiveDestination] {
        if node.value.isNull { return [] }
        guard case .array(let items) = node.value else {
            throw typeError(
                node, key: "passive_results", expected: "a list of destinations ({type: nsca|command_file|icinga2, …})", subject: nil)
        }
        var destinations: [PassiveDestination] = []
        for (index, item) in items.enumerated() {
            let destination = try passiveDestination(item, place: "passive_results[\(index)]")
            if let twin = destinations.first(where: { $0.name == destination.name }) {
                throw ConfigError(
                    "\"passive_results[\(index)]\" has the same name as an earlier destination (\(twin.name.quotedForMessage)); give one a \"name\"",
                    location: item.location, key: "name")
            }
            destinations.append(destination)
        }
        return destinations
    }

    private mutating func passiveDestination(_ node: ConfigNode, place: String) throws -> PassiveDestination {
        guard case .mapping(let entries) = node.value else {
            throw typeError(node, key: place, expected: "a mapping with \"type\" (nsca, command_file or icinga2)", subject: nil)
        }
        var values: [String: ConfigNode] = [:]
        for entry in entries { values[entry.key] = entry.value }
        guard let typeNode = values["type"], case .string(let type) = typeNode.value, let typeKeys = Self.passiveKeys[type] else {
            throw ConfigError(
                "\"\(place).type\" must be nsca, command_file or icinga2", location: values["type"]?.location ?? node.location, key: "type",
                expected: "nsca, command_file or icinga2")
        }
        for entry in entries where !typeKeys.contains(entry.key) {
            warnUnknown(entry, known: typeKeys, subject: nil, inside: place)
        }
        func text(_ key: String, secret: Bool = false) throws -> String? {
            guard let value = values[key], !value.value.isNull else { return nil }
            guard case .string(let string) = value.value else {
                throw typeError(value, key: key, expected: "a string", subject: nil, secret: secret, inside: place)
            }
            return string
        }
        func file(_ key: String) throws -> String? {
            guard let value = values[key], !value.value.isNull else { return nil }
            return try path(value, key: key, subject: nil, inside: place)
        }
        func required<T>(_ key: String, _ value: T?, _ what: String) throws -> T {
            guard let value else {
                throw ConfigError("\"\(place)\" (type \(type)) needs \"\(key)\" (\(what))", location: node.location, key: key)
            }
            return value
        }
        let kind: PassiveDestination.Kind
        switch type {
        case "nsca":
            let addressText = try required(
                "address", try text("address"), "\"HOST:PORT\" of the nsca daemon, e.g. \"nagios.example.com:5667\"")
            guard let (host, port) = Self.hostAndPort(addressText) else {
                throw ConfigError(
                    "\"\(place).address\" \(addressText.quotedForMessage) is not HOST:PORT (a host name or address and a port)",
                    location: values["address"]?.location, key: "address", expected: "\"HOST:PORT\"")
            }
            var encryption = PassiveDestination.NSCAEncryption.xor
            if let value = values["encryption"], !value.value.isNull {
                guard case .int(let number) = value.value, let method = PassiveDestination.NSCAEncryption(rawValue: Int(number)) else {
                    throw ConfigError(
                        "\"\(place).encryption\" must be 0 (none) or 1 (XOR), not \(value.value.briefDescription): NSCA's mcrypt methods (2–26) are not offered (libmcrypt is unmaintained; use encryption 0 inside a VPN or SSH tunnel, or the Icinga 2 API over TLS)",
                        location: value.location, key: "encryption", expected: "0 or 1")
                }
                encryption = method
            }
            kind = .nsca(host: host, port: port, encryption: encryption, password: try text("password", secret: true) ?? "")
        case "command_file":
            switch (try file("path"), try file("check_result_path")) {
            case (let path?, nil): kind = .commandFile(path: path)
            case (nil, let directory?): kind = .checkResultSpool(directory: directory)
            default:
                throw ConfigError(
                    "\"\(place)\" (type command_file) needs exactly one of \"path\" (Nagios' external command file) and \"check_result_path\" (its check result directory)",
                    location: node.location, key: "path")
            }
        default:
            let url = try required("url", try text("url"), "the Icinga 2 API, e.g. \"https://icinga.example.com:5665\"")
            guard let parsed = URLComponents(string: url), ["https", "http"].contains(parsed.scheme ?? ""), parsed.host?.isEmpty == false,
                parsed.path.isEmpty || parsed.path == "/", parsed.query == nil
            else {
                throw ConfigError(
                    "\"\(place).url\" \(url.quotedForMessage) is not an Icinga 2 API address such as \"https://HOST:5665\"",
                    location: values["url"]?.location, key: "url", expected: "\"https://HOST:PORT\"")
            }
            let endpoint = PassiveDestination.Icinga2Endpoint(
                url: url.hasSuffix("/") ? String(url.dropLast()) : url, caFile: try file("ca_file"), certFile: try file("cert_file"),
                keyFile: try file("key_file"), user: try text("user"), password: try text("password", secret: true))
            if (endpoint.certFile == nil) != (endpoint.keyFile == nil) {
                throw ConfigError(
                    "\"\(place)\" needs both \"cert_file\" and \"key_file\" for a client certificate", location: node.location,
                    key: "cert_file")
            }
            if endpoint.user == nil, endpoint.certFile == nil {
                throw ConfigError(
                    "\"\(place)\" needs \"user\" and \"password\" (an ApiUser) or \"cert_file\" and \"key_file\" (a client certificate)",
                    location: node.location, key: "user")
            }
            kind = .icinga2(endpoint)
        }
        func seconds(_ key: String, _ defaultValue: Double) throws -> Double {
            guard let value = values[key], !value.value.isNull else { return defaultValue }
            return try self.seconds(value, key: key, subject: nil, allowZero: false)
        }
        let name = try text("name")
        if let name, name.isEmpty || name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw ConfigError("\"\(place).name\" must be a non-empty line of text", location: values["name"]?.location, key: "name")
        }
        return PassiveDestination(
            kind: kind, name: name, maxAge: try seconds("max_age", PassiveDestination.defaultMaxAge),
            timeout: try seconds("timeout", PassiveDestination.defaultTimeout))
    }

    /// `HOST:PORT` or `[V6]:PORT`, HOST a name or an address.
    static func hostAndPort(_ text: String) -> (String, UInt16)? {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()), port > 0, !host.isEmpty else { return nil }
            return (host, port)
        }
        guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":"), let port = UInt16(text[text.index(after: colon)...]),
            port > 0
        else { return nil }
        let host = String(text[..<colon])
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        return (host, port)
    }
}
