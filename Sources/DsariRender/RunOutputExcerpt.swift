import DsariCore
import Foundation

/// What a run page shows of the run's `output.txt`: all of it, or with
/// `report_run_output_start` / `report_run_output_end` (bytes, 0 = no
/// limit) its first and/or last bytes and how many were left out between.
/// Cuts fall on character boundaries, so a limit never splits a UTF-8
/// character (a cut may keep up to 3 bytes fewer than the limit).
///
/// `output.txt.gz` is read when `output.txt` is absent (dsari read it too:
/// a way to keep old output small).
struct RunOutputExcerpt: Sendable, Hashable {
    var head: String
    var tail: String
    /// Bytes between `head` and `tail` that are not shown.
    var elidedBytes: Int
    var totalBytes: Int
    /// The file read: `output.txt` or `output.txt.gz`.
    var fileName: String

    /// The excerpt of the output in `runDirectory`, or nil when the run left no output file.
    static func read(runDirectory: String, startLimit: Int, endLimit: Int) throws -> RunOutputExcerpt? {
        let plain = DsariPaths.join(runDirectory, DataLayout.outputFileName)
        if let handle = FileHandle(forReadingAtPath: plain) {
            defer { try? handle.close() }
            let size = Int(try handle.seekToEnd())
            return try excerpt(size: size, startLimit: startLimit, endLimit: endLimit, fileName: DataLayout.outputFileName) {
                offset, count in
                try handle.seek(toOffset: UInt64(offset))
                return [UInt8](try handle.read(upToCount: count) ?? Data())
            }
        }
        let compressed = DsariPaths.join(runDirectory, DataLayout.compressedOutputFileName)
        guard let data = FileManager.default.contents(atPath: compressed) else { return nil }
        let bytes = try Gzip.decompress([UInt8](data))
        return excerpt(bytes: bytes, startLimit: startLimit, endLimit: endLimit, fileName: DataLayout.compressedOutputFileName)
    }

    /// The excerpt of output already in memory.
    static func excerpt(bytes: [UInt8], startLimit: Int, endLimit: Int, fileName: String) -> RunOutputExcerpt {
        excerpt(size: bytes.count, startLimit: startLimit, endLimit: endLimit, fileName: fileName) { offset, count in
            Array(bytes[offset..<min(bytes.count, offset + count)])
        }
    }

    private static func excerpt<E: Error>(
        size: Int, startLimit: Int, endLimit: Int, fileName: String, read: (_ offset: Int, _ count: Int) throws(E) -> [UInt8]
    ) throws(E) -> RunOutputExcerpt {
        let startLimit = max(0, startLimit)
        let endLimit = max(0, endLimit)
        let unlimited = startLimit == 0 && endLimit == 0
        if unlimited || size <= startLimit + endLimit {
            return RunOutputExcerpt(
                head: String(decoding: try read(0, size), as: UTF8.self), tail: "", elidedBytes: 0, totalBytes: size,
                fileName: fileName)
        }
        var head: [UInt8] = []
        if startLimit > 0 {
            // One byte more shows whether the cut falls inside a character.
            let bytes = try read(0, startLimit + 1)
            var cut = min(startLimit, bytes.count)
            while cut > 0, cut < bytes.count, bytes[cut] & 0xC0 == 0x80 { cut -= 1 }
            head = Array(bytes[..<cut])
        }
        var tail: [UInt8] = []
        if endLimit > 0 {
            let bytes = try read(size - endLimit, endLimit)
            let start = bytes.prefix(3).prefix { $0 & 0xC0 == 0x80 }.count
            tail = Array(bytes[start...])
        }
        return RunOutputExcerpt(
            head: String(decoding: head, as: UTF8.self), tail: String(decoding: tail, as: UTF8.self),
            elidedBytes: size - head.count - tail.count, totalBytes: size, fileName: fileName)
    }
}
