import Foundation

/// How long a run took, for people: `4.2s`, `3m 05s`, `2h 03m`, `3d 04h`
/// (`dsari-info run list`, the `dsari-render` pages).
public enum RunDuration {
    public static func describe(_ seconds: Double) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 {
            return String(format: "%.1fs", (seconds * 10).rounded(.down) / 10)
        }
        let whole = Int(seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if whole < 3600 { return "\(whole / 60)m \(two(whole % 60))s" }
        if whole < 86_400 { return "\(whole / 3600)h \(two(whole / 60 % 60))m" }
        return "\(whole / 86_400)d \(two(whole / 3600 % 24))h"
    }
}
