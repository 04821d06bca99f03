/// Where an HTTP server listens: `HOST:PORT` with an IP address,
/// `[::1]:PORT` for IPv6 (e.g. the daemon's `http_listen: "127.0.0.1:50575"`).
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// The host as an address (nil when it is not one: the listeners bind addresses, not names).
    public var address: IPAddress? { IPAddress(host) }

    /// Parses `HOST:PORT` with an IP address as HOST; nil otherwise (a host
    /// name would pass a configuration check and fail at the daemon's start).
    public init?(_ text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
        }
        guard !hostPart.isEmpty, IPAddress(String(hostPart)) != nil, let port = UInt16(portPart) else { return nil }
        self.init(host: String(hostPart), port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
