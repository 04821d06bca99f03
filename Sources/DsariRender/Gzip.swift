import CZlib

/// gzip (RFC 1952) through zlib: report pages with `report_html_gz`, and run
/// output that was compressed to `output.txt.gz`. The only user of CZlib.
///
/// Each call owns its `z_stream` from init to end (`defer`), so nothing
/// outlives it. The header carries no name and mtime 0: the same page gives
/// the same bytes, which lets an unchanged page be recognised and left alone.
enum Gzip {
    /// A zlib call that did not succeed.
    struct Failure: Error, CustomStringConvertible {
        let call: String
        let code: Int32
        let message: String?
        var description: String {
            "zlib \(call) failed with code \(code)\(message.map { " (\($0))" } ?? "")."
        }
    }

    static func compress(_ input: [UInt8], level: Int32 = 9) throws -> [UInt8] {
        var stream = z_stream()
        try check(czlib_deflate_init_gzip(&stream, level), "deflateInit2", stream)
        defer { deflateEnd(&stream) }
        // deflateBound leaves no room for the gzip header and trailer (18 bytes).
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 64)
        var input = input
        let produced = try input.withUnsafeMutableBufferPointer { source in
            try output.withUnsafeMutableBufferPointer { target in
                stream.next_in = source.baseAddress
                stream.avail_in = uInt(source.count)
                stream.next_out = target.baseAddress
                stream.avail_out = uInt(target.count)
                let code = deflate(&stream, Z_FINISH)
                guard code == Z_STREAM_END else { throw Failure(call: "deflate", code: code, message: Self.message(stream)) }
                return target.count - Int(stream.avail_out)
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    static func decompress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        try check(czlib_inflate_init_gzip(&stream), "inflateInit2", stream)
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        try input.withUnsafeMutableBufferPointer { source in
            stream.next_in = source.baseAddress
            stream.avail_in = uInt(source.count)
            var code = Z_OK
            while code != Z_STREAM_END {
                let produced = try chunk.withUnsafeMutableBufferPointer { target in
                    stream.next_out = target.baseAddress
                    stream.avail_out = uInt(target.count)
                    code = inflate(&stream, Z_NO_FLUSH)
                    guard code == Z_OK || code == Z_STREAM_END else {
                        throw Failure(
                            call: "inflate", code: code,
                            message: code == Z_BUF_ERROR ? "the data ends too early" : Self.message(stream))
                    }
                    return target.count - Int(stream.avail_out)
                }
                output += chunk[..<produced]
                // Another member follows (gzip files may be concatenated, as `gzip -c a b` writes them).
                if code == Z_STREAM_END, stream.avail_in > 0 {
                    try check(inflateReset(&stream), "inflateReset", stream)
                    code = Z_OK
                }
            }
        }
        return output
    }

    private static func check(_ code: Int32, _ call: String, _ stream: z_stream) throws {
        guard code == Z_OK else { throw Failure(call: call, code: code, message: message(stream)) }
    }

    private static func message(_ stream: z_stream) -> String? {
        stream.msg.map { String(cString: $0) }
    }
}
