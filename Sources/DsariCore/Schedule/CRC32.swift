/// CRC-32 with the zlib/IEEE polynomial (reflected 0xEDB88320), as Python's
/// `binascii.crc32` computes it: dsari hashes job names with it, so a job
/// migrated from dsari keeps its minute.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = crc & 1 != 0 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
        return crc
    }

    /// The checksum of `bytes`, continuing from `crc` when one is given.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32
    where Bytes.Element == UInt8 {
        var value = ~crc
        for byte in bytes {
            value = table[Int((value ^ UInt32(byte)) & 0xFF)] ^ (value >> 8)
        }
        return ~value
    }

    /// The checksum of a string's UTF-8 bytes ("hello" → 907060870).
    public static func checksum(_ text: String) -> UInt32 {
        checksum(text.utf8)
    }
}
