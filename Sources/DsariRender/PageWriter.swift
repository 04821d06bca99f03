import DsariCore
import Foundation

/// Writes the report's files under `DATA_DIR/html`, each atomically: the
/// bytes go to a temporary file in the same directory, which is then
/// renamed over the page, so a reader (a web server, a browser) sees the
/// old page or the new one, never half of one.
///
/// With `report_html_gz` a page is written as `index.html.gz` only, as dsari
/// did (a web server then serves it with e.g. nginx `gzip_static always`);
/// the other form of the same page, left by a run with the option the other
/// way, is removed, so that no stale copy is served.
struct PageWriter {
    /// `DATA_DIR/html`.
    let root: String
    let compress: Bool

    /// The file a page is kept in: `relative`, or `relative.gz`.
    func file(forPage relative: String) -> String {
        path(compress ? relative + ".gz" : relative)
    }

    func pageExists(_ relative: String) -> Bool {
        FileManager.default.fileExists(atPath: file(forPage: relative))
    }

    /// Writes a page unless `onlyIfChanged` and the file already holds
    /// exactly these bytes (gzip output is deterministic). True when written.
    @discardableResult
    func writePage(_ relative: String, html: String, onlyIfChanged: Bool) throws -> Bool {
        let bytes = compress ? try compressed(html, page: relative) : Array(html.utf8)
        let other = path(compress ? relative : relative + ".gz")
        if FileManager.default.fileExists(atPath: other) {
            guard unlink(other) == 0 || errno == ENOENT else { throw failure("remove the stale page", other) }
        }
        return try write(bytes, to: file(forPage: relative), onlyIfChanged: onlyIfChanged)
    }

    /// Writes a file as is (the stylesheet); true when written.
    @discardableResult
    func writeFile(_ relative: String, bytes: [UInt8], onlyIfChanged: Bool) throws -> Bool {
        try write(bytes, to: path(relative), onlyIfChanged: onlyIfChanged)
    }

    private func write(_ bytes: [UInt8], to target: String, onlyIfChanged: Bool) throws -> Bool {
        if onlyIfChanged, let existing = FileManager.default.contents(atPath: target), existing.elementsEqual(bytes) {
            return false
        }
        let directory = (target as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError("cannot create the directory \(directory): \(error.localizedDescription)")
        }
        do {
            // Not synced: a page lost in a crash is written again at the next render.
            try DurableFile.write(bytes, to: target, mode: DurableFile.creationMode(0o644), sync: false)
        } catch {
            throw ReportError("\(error)")
        }
        return true
    }

    private func compressed(_ html: String, page: String) throws -> [UInt8] {
        do {
            return try Gzip.compress(Array(html.utf8))
        } catch {
            throw ReportError("cannot compress \(path(page)): \(error)")
        }
    }

    private func path(_ relative: String) -> String { DsariPaths.join(root, relative) }

    /// An error for the failed call, with errno's text, read before anything else can change it.
    private func failure(_ action: String, _ path: String) -> ReportError {
        let reason = String(cString: strerror(errno))
        return ReportError("cannot \(action) \(path): \(reason)")
    }
}
