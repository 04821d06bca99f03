import DsariCore
import Foundation

/// NRPE's `allowed_hosts`: IPv4 and IPv6 addresses, networks in CIDR
/// notation (`192.168.0.0/24`, `fd00::/8`), and host names, resolved to
/// their addresses once, when the list is made (NRPE resolves them at
/// start too). A peer is allowed when one entry matches its address; an
/// IPv4 peer seen on an IPv6 socket (`::ffff:a.b.c.d`) matches IPv4 entries.
public struct AllowedHosts: Sendable, CustomStringConvertible {
    public struct EntryError: Error, CustomStringConvertible {
        public let entry: String
        public let reason: String
        public var description: String { "allowed host \"\(entry)\": \(reason)" }
    }

    let entries: [String]
    let networks: [IPNetwork]

    /// Parses and resolves `entries`; throws for an entry that is neither an
    /// address, a network nor a name that resolves.
    public init(_ entries: [String]) throws {
        self.entries = entries
        var networks: [IPNetwork] = []
        for entry in entries {
            let text = entry.trimmingCharacters(in: .whitespaces)
            if text.contains("/") {
                guard let network = IPNetwork(text) else { throw EntryError(entry: entry, reason: "not a network ADDRESS/BITS") }
                networks.append(network)
            } else if let address = IPAddress(text) {
                networks.append(IPNetwork(address: address))
            } else {
                let resolved = Self.resolve(text)
                guard !resolved.isEmpty else { throw EntryError(entry: entry, reason: "not an address, and the name does not resolve") }
                networks += resolved.map { IPNetwork(address: $0) }
            }
        }
        self.networks = networks
    }

    public var description: String { entries.joined(separator: ",") }

    /// Whether a peer with this address may connect (an IPv4 client on a
    /// dual-stack socket matches IPv4 entries too).
    func allows(_ address: IPAddress) -> Bool {
        let candidates = [address] + (address.mappedIPv4.map { [$0] } ?? [])
        return candidates.contains { candidate in networks.contains { $0.contains(candidate) } }
    }

    static func resolve(_ name: String) -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let info = cursor {
            if let socketAddress = info.pointee.ai_addr, let address = IPAddress(socketAddress: socketAddress), !addresses.contains(address)
            {
                addresses.append(address)
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}
