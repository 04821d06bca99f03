#if canImport(Glibc)
    import Glibc
#endif

/// An IPv4 or IPv6 address: the one parser of addresses for `http_listen`,
/// `nrpe_listen`, `nrpe_allowed_hosts` and the listeners that bind them.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), in network order.
    public let bytes: [UInt8]

    public var isIPv6: Bool { bytes.count == 16 }

    /// `127.0.0.1`, `::1`, or `[::1]` as written in `HOST:PORT`; nil for
    /// anything else (a host name is not an address).
    public init?(_ text: String) {
        let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        var v4 = in_addr()
        if inet_pton(AF_INET, bare, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, bare, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
            return
        }
        return nil
    }

    /// An address of 4 or 16 bytes.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    /// The address a socket address holds (IPv4 or IPv6), e.g. a peer's.
    public init?(socketAddress address: UnsafePointer<sockaddr>) {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            bytes = withUnsafeBytes(of: &value) { Array($0) }
        case AF_INET6:
            var value = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            bytes = withUnsafeBytes(of: &value) { Array($0) }
        default:
            return nil
        }
    }

    /// The IPv4 address of an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`,
    /// an IPv4 client on a dual-stack socket).
    public var mappedIPv4: IPAddress? {
        guard isIPv6, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return IPAddress(bytes: Array(bytes[12...]))
    }

    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = bytes.withUnsafeBytes { inet_ntop(isIPv6 ? AF_INET6 : AF_INET, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Calls `body` with a `sockaddr_in` or `sockaddr_in6` for this address and `port` (for bind(2)).
    public func withSocketAddress<T>(port: UInt16, _ body: (UnsafePointer<sockaddr>, socklen_t) throws -> T) rethrows -> T {
        if isIPv6 {
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: bytes) }
            return try withUnsafePointer(to: &address) {
                try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: bytes) }
        return try withUnsafePointer(to: &address) {
            try $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { try body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
    }
}

/// A network in CIDR notation (`192.168.0.0/24`, `fd00::/8`), or one address
/// (all its bits): an entry of `nrpe_allowed_hosts`.
public struct IPNetwork: Sendable, Hashable {
    public let address: IPAddress
    let prefixLength: Int

    public init(address: IPAddress, prefixLength: Int? = nil) {
        self.address = address
        self.prefixLength = min(prefixLength ?? address.bytes.count * 8, address.bytes.count * 8)
    }

    /// Why `text` is not a network (`ADDRESS/BITS`), or nil when it is one.
    public static func problem(with text: String) -> String? {
        guard let slash = text.firstIndex(of: "/") else { return IPAddress(text) == nil ? "is not an IP address" : nil }
        guard let address = IPAddress(String(text[..<slash])) else { return "is not a network (ADDRESS/BITS with an IP address)" }
        let width = address.bytes.count * 8
        guard let bits = Int(text[text.index(after: slash)...]), (0...width).contains(bits) else {
            return "has a prefix length that is not 0…\(width)"
        }
        return nil
    }

    /// `ADDRESS/BITS` or `ADDRESS`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        guard parts.count == 2 else {
            self.init(address: address)
            return
        }
        guard let bits = Int(parts[1]), (0...(address.bytes.count * 8)).contains(bits) else { return nil }
        self.init(address: address, prefixLength: bits)
    }

    public func contains(_ other: IPAddress) -> Bool {
        guard other.bytes.count == address.bytes.count else { return false }
        var remaining = prefixLength
        for index in address.bytes.indices where remaining > 0 {
            let bits = min(8, remaining)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if other.bytes[index] & mask != address.bytes[index] & mask { return false }
            remaining -= bits
        }
        return true
    }
}
