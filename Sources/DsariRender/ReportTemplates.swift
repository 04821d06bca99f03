import DsariCore
import Foundation

/// The templates and stylesheet a render uses: for each of `index.html`,
/// `job.html`, `run.html` and `dsari.css`, the file in `template_dir` when
/// it has one, else the built-in one. All are read and parsed before
/// anything is written, so a broken template changes nothing.
struct ReportTemplates: Sendable {
    let index: Template
    let job: Template
    let run: Template
    let stylesheet: String
    /// Where each came from, for `--debug`: `index.html ← /etc/dsari/templates/index.html`.
    let origins: [String]
    /// Things worth saying that are not errors (a `template_dir` that does not exist).
    let warnings: [String]

    static func load(templateDirectory: String?) throws -> ReportTemplates {
        var origins: [String] = []
        var warnings: [String] = []
        var directory = templateDirectory
        if let path = templateDirectory {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || !isDirectory.boolValue {
                warnings.append("template_dir \(path) is not a directory; the built-in templates are used")
                directory = nil
            }
        }
        func source(_ name: String, builtIn: String) throws -> (text: String, file: String) {
            if let directory {
                let path = DsariPaths.join(directory, name)
                if FileManager.default.fileExists(atPath: path) {
                    guard let data = FileManager.default.contents(atPath: path) else {
                        throw ReportError("cannot read the template \(path)")
                    }
                    guard let text = String(validating: data, as: UTF8.self) else {
                        throw ReportError("the template \(path) is not UTF-8 text")
                    }
                    origins.append("\(name) ← \(path)")
                    return (text, path)
                }
            }
            origins.append("\(name) ← built-in")
            return (builtIn, "built-in \(name)")
        }
        func template(_ name: String, builtIn: String) throws -> Template {
            let (text, file) = try source(name, builtIn: builtIn)
            return try Template(source: text, file: file)
        }
        return ReportTemplates(
            index: try template("index.html", builtIn: BuiltInTemplates.index),
            job: try template("job.html", builtIn: BuiltInTemplates.job),
            run: try template("run.html", builtIn: BuiltInTemplates.run),
            stylesheet: try source("dsari.css", builtIn: BuiltInTemplates.stylesheet).text,
            origins: origins, warnings: warnings)
    }
}
