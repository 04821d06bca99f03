import DsariCore

/// One NRPE packet as NRPE 4.1 and check_nrpe exchange them, big-endian:
///
///     version 2:  int16 version, int16 type, uint32 crc32, int16 result_code,
///                 char buffer[1024], 2 bytes of padding   (always 1036 bytes)
///     version 3/4: int16 version, int16 type, uint32 crc32, int16 result_code,
///                 int16 alignment, int32 buffer_length, char buffer[buffer_length]
///                 (version 3 with 3 more bytes: NRPE 3 sized it as
///                 sizeof(struct) - 1 + length, the struct's tail padding included)
///
/// The CRC-32 (zlib's) covers the whole packet with the crc32 field zeroed.
/// The buffer holds a NUL-terminated string: the query (`command!arg1!arg2…`)
/// or the answer (plugin output). check_nrpe sends 1020-byte v4 buffers
/// (a 1036-byte packet, like v2) and reads answers of any length up to its
/// limit; NRPE answers v4 with buffer_length = text length + 1 (the NUL).
struct NRPEPacket: Equatable {
    enum Kind: Int16 {
        case query = 1
        case response = 2
    }

    var version: Int16
    var kind: Kind
    var resultCode: Int16
    /// The buffer's text, up to its first NUL.
    var text: [UInt8]

    static let version2Size = 1036
    static let version2BufferSize = 1024
    static let headerSize = 16
    /// The largest v3/v4 buffer accepted or sent (NRPE's 64 KiB).
    static let maximumBufferLength = 65_536

    /// Bytes after the buffer: 3 in version 3 (check_nrpe -3 sends and expects them), else none.
    static func tailPadding(version: Int16) -> Int { version == 3 ? 3 : 0 }

    /// The longest answer NRPE 4.1 sends in a packet of `version`: 1023
    /// bytes in versions 2 and 3 (its 1024-byte output buffer), 65504 in
    /// version 4 (its 64 KiB less the 32 bytes it keeps back); longer
    /// output is cut there, as NRPE cuts it.
    static func maximumTextLength(version: Int16) -> Int {
        version == 4 ? 65_504 : version2BufferSize - 1
    }

    enum DecodeError: Error, Equatable, CustomStringConvertible {
        case unsupportedVersion(Int16)
        case badLength(Int32)
        case badCRC(expected: UInt32, actual: UInt32)
        case notAQuery(Int16)

        var description: String {
            switch self {
            case .unsupportedVersion(let version): "unsupported packet version \(version) (2, 3 and 4 are known)"
            case .badLength(let length): "buffer length \(length) is out of bounds (1…\(NRPEPacket.maximumBufferLength))"
            case .badCRC(let expected, let actual): "CRC-32 mismatch (packet says \(expected), content gives \(actual))"
            case .notAQuery(let type): "packet type \(type) is not a query (1)"
            }
        }
    }

    /// How many bytes the whole packet has, once its first `available` bytes
    /// are known; nil while more are needed to tell. Throws for a version or
    /// length no NRPE packet has.
    static func expectedSize(of bytes: ArraySlice<UInt8>) throws -> Int? {
        guard bytes.count >= 2 else { return nil }
        let version = Int16(bitPattern: read16(bytes, at: 0))
        switch version {
        case 2:
            return version2Size
        case 3, 4:
            guard bytes.count >= headerSize else { return nil }
            let length = Int32(bitPattern: read32(bytes, at: 12))
            guard length > 0, length <= maximumBufferLength else { throw DecodeError.badLength(length) }
            return headerSize + Int(length) + tailPadding(version: version)
        default:
            throw DecodeError.unsupportedVersion(version)
        }
    }

    /// Decodes a whole query packet (`expectedSize` bytes), checking its CRC.
    init(decodingQuery bytes: ArraySlice<UInt8>) throws {
        let bytes = Array(bytes)
        version = Int16(bitPattern: Self.read16(bytes[...], at: 0))
        let type = Int16(bitPattern: Self.read16(bytes[...], at: 2))
        let crc = Self.read32(bytes[...], at: 4)
        var zeroed = bytes
        zeroed.replaceSubrange(4..<8, with: [0, 0, 0, 0])
        let actual = CRC32.checksum(zeroed)
        guard crc == actual else { throw DecodeError.badCRC(expected: crc, actual: actual) }
        guard type == Kind.query.rawValue else { throw DecodeError.notAQuery(type) }
        kind = .query
        resultCode = Int16(bitPattern: Self.read16(bytes[...], at: 8))
        let buffer =
            version == 2
            ? bytes[10..<(10 + Self.version2BufferSize)] : bytes[Self.headerSize..<(bytes.count - Self.tailPadding(version: version))]
        text = Array(buffer.prefix { $0 != 0 })
    }

    init(version: Int16, kind: Kind, resultCode: Int16, text: [UInt8]) {
        self.version = version
        self.kind = kind
        self.resultCode = resultCode
        self.text = text
    }

    /// The packet's bytes: the text cut to what the version carries, NUL
    /// terminated, zero padding (NRPE pads with random bytes; check_nrpe
    /// reads up to the NUL), and the CRC-32 filled in.
    func encoded() -> [UInt8] {
        let kept = text.prefix(Self.maximumTextLength(version: version))
        var bytes: [UInt8] = []
        func put16(_ value: Int16) { bytes += [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
        func put32(_ value: UInt32) {
            bytes += [UInt8(truncatingIfNeeded: value >> 24), UInt8(truncatingIfNeeded: value >> 16)]
            bytes += [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)]
        }
        put16(version)
        put16(kind.rawValue)
        put32(0)
        put16(resultCode)
        if version == 2 {
            bytes += kept
            bytes += [UInt8](repeating: 0, count: Self.version2Size - bytes.count)
        } else {
            put16(0)
            put32(UInt32(kept.count + 1))
            bytes += kept
            bytes.append(0)
            bytes += [UInt8](repeating: 0, count: Self.tailPadding(version: version))
        }
        let crc = CRC32.checksum(bytes)
        bytes.replaceSubrange(
            4..<8,
            with: [
                UInt8(crc >> 24), UInt8(truncatingIfNeeded: crc >> 16), UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc),
            ])
        return bytes
    }

    private static func read16(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt16 {
        let start = bytes.startIndex + offset
        return UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])
    }

    private static func read32(_ bytes: ArraySlice<UInt8>, at offset: Int) -> UInt32 {
        let start = bytes.startIndex + offset
        return UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16 | UInt32(bytes[start + 2]) << 8 | UInt32(bytes[start + 3])
    }
}
