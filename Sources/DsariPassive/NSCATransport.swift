import DsariCore
import Foundation

/// NSCA 2.x, protocol version 3, as send_nsca speaks it: the server sends
/// 132 bytes (a 128-byte IV and its time); the client answers one 4304-byte
/// data packet — version, CRC-32, the server's time echoed (nsca drops
/// packets older than `max_packet_age` by it), return code, host (64),
/// service (128) and output (4096), NUL-terminated, the rest random — XORed
/// with the IV and the password when `encryption` is 1. nsca answers
/// nothing; a packet written whole is a packet delivered.
struct NSCATransport: PassiveTransport {
    let host: String
    let port: UInt16
    let encryption: PassiveDestination.NSCAEncryption
    let password: String
    let timeout: Double

    static let initialPacketSize = 132
    static let ivSize = 128
    static let hostSize = 64
    static let serviceSize = 128
    static let outputSize = 4096
    /// int16 version, 2 bytes of padding, uint32 CRC, uint32 time, int16
    /// code, then the three strings, padded to 4 bytes: C's layout of
    /// nsca's `data_packet`.
    static let packetSize = 4304
    static let hostOffset = 14
    static let serviceOffset = hostOffset + hostSize
    static let outputOffset = serviceOffset + serviceSize

    func send(_ result: PassiveResult) throws(PassiveSendError) {
        let connection = try TCPConnection(host: host, port: port, timeout: timeout)
        let initial = try connection.read(count: Self.initialPacketSize)
        let iv = Array(initial[0..<Self.ivSize])
        let timestamp = initial[Self.ivSize..<Self.initialPacketSize].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        var packet = Self.packet(result, timestamp: timestamp)
        Self.encrypt(&packet, iv: iv, method: encryption, password: password)
        try connection.write(packet)
    }

    /// The data packet, before encryption.
    static func packet(_ result: PassiveResult, timestamp: UInt32, random: (inout [UInt8]) -> Void = fillRandomly) -> [UInt8] {
        var packet = [UInt8](repeating: 0, count: packetSize)
        random(&packet)
        func put16(_ value: UInt16, at offset: Int) {
            packet[offset] = UInt8(value >> 8)
            packet[offset + 1] = UInt8(value & 0xFF)
        }
        func put32(_ value: UInt32, at offset: Int) {
            for index in 0..<4 { packet[offset + index] = UInt8((value >> (24 - 8 * UInt32(index))) & 0xFF) }
        }
        func putString(_ text: String, at offset: Int, size: Int) {
            let bytes = Array(PassiveResult.truncated(text, toBytes: size - 1).utf8)
            packet.replaceSubrange(offset..<offset + bytes.count, with: bytes)
            packet[offset + bytes.count] = 0
        }
        put16(3, at: 0)
        put32(0, at: 4)
        put32(timestamp, at: 8)
        put16(UInt16(truncatingIfNeeded: result.returnCode), at: 12)
        putString(result.host, at: hostOffset, size: hostSize)
        putString(result.service, at: serviceOffset, size: serviceSize)
        putString(result.nagiosText, at: outputOffset, size: outputSize)
        put32(CRC32.checksum(packet), at: 4)
        return packet
    }

    /// nsca's `encrypt_buffer` for methods 0 and 1: XOR with the IV, then
    /// with the password (each repeated over the packet).
    static func encrypt(_ packet: inout [UInt8], iv: [UInt8], method: PassiveDestination.NSCAEncryption, password: String) {
        guard method == .xor else { return }
        for index in packet.indices { packet[index] ^= iv[index % iv.count] }
        let key = Array(password.utf8)
        guard !key.isEmpty else { return }
        for index in packet.indices { packet[index] ^= key[index % key.count] }
    }

    /// send_nsca fills the packet with random bytes first, so that the
    /// XOR-ed padding gives nothing away.
    static func fillRandomly(_ packet: inout [UInt8]) {
        var generator = SystemRandomNumberGenerator()
        for index in packet.indices { packet[index] = UInt8.random(in: 0...255, using: &generator) }
    }
}
