import DsariTestSupport
import Foundation
import Testing

@testable import DsariRender

/// `report_run_output_start` / `report_run_output_end` on a run's output.
@Suite("Run output excerpt")
struct RunOutputExcerptTests {
    let text = Array("0123456789abcdefghij".utf8)  // 20 bytes

    func excerpt(_ start: Int, _ end: Int, _ bytes: [UInt8]? = nil) -> RunOutputExcerpt {
        RunOutputExcerpt.excerpt(bytes: bytes ?? text, startLimit: start, endLimit: end, fileName: "output.txt")
    }

    @Test(arguments: [(0, 0), (20, 0), (0, 20), (10, 10), (15, 15)])
    func withinTheLimitsEverythingIsShown(start: Int, end: Int) {
        let result = excerpt(start, end)
        #expect(result.head == "0123456789abcdefghij")
        #expect(result.tail.isEmpty)
        #expect(result.elidedBytes == 0)
        #expect(result.totalBytes == 20)
    }

    @Test func firstBytesOnly() {
        let result = excerpt(4, 0)
        #expect(result.head == "0123")
        #expect(result.tail.isEmpty)
        #expect(result.elidedBytes == 16)
    }

    @Test func lastBytesOnly() {
        let result = excerpt(0, 3)
        #expect(result.head.isEmpty)
        #expect(result.tail == "hij")
        #expect(result.elidedBytes == 17)
    }

    @Test func firstAndLastBytes() {
        let result = excerpt(5, 5)
        #expect(result.head == "01234")
        #expect(result.tail == "fghij")
        #expect(result.elidedBytes == 10)
    }

    /// "é" is two bytes: a cut never splits it, it keeps a byte less instead.
    @Test func cutsFallOnCharacterBoundaries() {
        let bytes = Array("aé-----éb".utf8)  // a(1) é(2) -----(5) é(2) b(1) = 11
        let head = excerpt(2, 0, bytes)
        #expect(head.head == "a")
        #expect(head.elidedBytes == 10)
        let tail = excerpt(0, 2, bytes)
        #expect(tail.tail == "b")
        #expect(tail.elidedBytes == 10)
        let both = excerpt(3, 3, bytes)
        #expect(both.head == "aé")
        #expect(both.tail == "éb")
        #expect(both.elidedBytes == 5)
    }

    @Test func readsOutputTxtAndFallsBackToGzip() throws {
        let directory = try TemporaryDirectory(prefix: "dsari-render-output")
        defer { directory.remove() }
        #expect(try RunOutputExcerpt.read(runDirectory: directory.path, startLimit: 0, endLimit: 0) == nil)
        let long = String(repeating: "line of output\n", count: 1000)
        try Data(try Gzip.compress(Array(long.utf8))).write(to: URL(fileURLWithPath: directory.url("output.txt.gz")))
        let compressed = try #require(try RunOutputExcerpt.read(runDirectory: directory.path, startLimit: 15, endLimit: 0))
        #expect(compressed.fileName == "output.txt.gz")
        #expect(compressed.head == "line of output\n")
        #expect(compressed.totalBytes == long.utf8.count)
        try directory.write("output.txt", long)
        let plain = try #require(try RunOutputExcerpt.read(runDirectory: directory.path, startLimit: 0, endLimit: 15))
        #expect(plain.fileName == "output.txt")
        #expect(plain.tail == "line of output\n")
        #expect(plain.elidedBytes == long.utf8.count - 15)
    }

    /// Our gzip is real gzip: `gzip -dc` reads it back.
    @Test func gzipOutputDecompressesWithGzip() throws {
        let directory = try TemporaryDirectory(prefix: "dsari-render-gzip")
        defer { directory.remove() }
        let text = "<p>héllo</p>\n" + String(repeating: "x", count: 100_000)
        let packed = try Gzip.compress(Array(text.utf8))
        #expect(packed.count < 2_000)
        #expect(try Gzip.compress(Array(text.utf8)) == packed, "equal input gives equal bytes")
        let file = directory.url("page.html.gz")
        try Data(packed).write(to: URL(fileURLWithPath: file))
        #expect(try RenderFixture.gunzip(file) == text)
        #expect(try Gzip.decompress(packed) == Array(text.utf8))
        #expect(throws: (any Error).self) { try Gzip.decompress(Array(packed.prefix(20))) }
    }
}
