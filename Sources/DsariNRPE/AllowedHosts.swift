import Foundation

/// NRPE's `allowed_hosts`: IPv4 and IPv6 addresses, networks in CIDR
/// notation (`192.168.0.0/24`, `fd00::/8`), and host names, resolved to
/// their addresses once, when the list is made (NRPE resolves them at
/// start too). A peer is allowed when one entry matches its address; an
/// IPv4 peer seen on an IPv6 socket (`::ffff:a.b.c.d`) matches IPv4 entries.
public struct AllowedHosts: Sendable, CustomStringConvertible {
    /// An address (16 bytes for IPv6, 4 for IPv4) and how many leading bits must match.
    struct Network: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != bytes[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    public struct EntryError: Error, CustomStringConvertible {
        public let entry: String
        public let reason: String
        public var description: String { "allowed host \"\(entry)\": \(reason)" }
    }

    let entries: [String]
    let networks: [Network]

    /// Parses and resolves `entries`; throws for an entry that is neither an
    /// address, a network nor a name that resolves.
    public init(_ entries: [String]) throws {
        self.entries = entries
        var networks: [Network] = []
        for entry in entries {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if let slash = text.firstIndex(of: "/") {
                guard let address = Self.parseAddress(String(text[..<slash])), let bits = Int(text[text.index(after: slash)...]),
                    (0...(address.count * 8)).contains(bits)
                else { throw EntryError(entry: entry, reason: "not a network ADDRESS/BITS") }
                networks.append(Network(bytes: address, prefixLength: bits))
            } else if let address = Self.parseAddress(text) {
                networks.append(Network(bytes: address, prefixLength: address.count * 8))
            } else {
                let resolved = Self.resolve(text)
                guard !resolved.isEmpty else { throw EntryError(entry: entry, reason: "not an address, and the name does not resolve") }
                networks += resolved.map { Network(bytes: $0, prefixLength: $0.count * 8) }
            }
        }
        self.networks = networks
    }

    public var description: String { entries.joined(separator: ",") }

    /// Whether a peer with this address (4 or 16 bytes) may connect.
    func allows(_ address: [UInt8]) -> Bool {
        var candidates = [address]
        // ::ffff:a.b.c.d, an IPv4 client on a dual-stack socket.
        if address.count == 16, address[0..<10].allSatisfy({ $0 == 0 }), address[10] == 0xFF, address[11] == 0xFF {
            candidates.append(Array(address[12...]))
        }
        return candidates.contains { candidate in networks.contains { $0.contains(candidate) } }
    }

    static func parseAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    static func resolve(_ name: String) -> [[UInt8]] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [[UInt8]] = []
        var cursor = list
        while let info = cursor {
            if let address = info.pointee.ai_addr, let bytes = Self.bytes(of: address) {
                if !addresses.contains(bytes) { addresses.append(bytes) }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }

    /// The address bytes of a socket address (IPv4 or IPv6).
    static func bytes(of address: UnsafePointer<sockaddr>) -> [UInt8]? {
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                var value = pointer.pointee.sin_addr
                return withUnsafeBytes(of: &value) { Array($0) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                var value = pointer.pointee.sin6_addr
                return withUnsafeBytes(of: &value) { Array($0) }
            }
        default:
            return nil
        }
    }

    /// Text form of address bytes, for logs.
    static func text(of address: [UInt8]) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = address.count == 4 ? AF_INET : AF_INET6
        _ = address.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
