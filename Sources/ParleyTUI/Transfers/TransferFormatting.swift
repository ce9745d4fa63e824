import ParleyCore

/// Text for transfer rows: progress bars, sizes, rates and times left.
public enum TransferFormatting {
    /// `[#######-------]` style bar `width` columns wide (brackets included), with partial cells.
    public static func bar(fraction: Double, width: Int) -> String {
        let inner = max(1, width - 2)
        let clamped = max(0, min(1, fraction.isFinite ? fraction : 0))
        let eighths = Int((clamped * Double(inner * 8)).rounded(.down))
        let full = eighths / 8
        let partials = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
        var text = String(repeating: "█", count: full)
        if full < inner {
            text += partials[eighths % 8]
        }
        text += String(repeating: " ", count: max(0, inner - text.count))
        return "[" + text + "]"
    }

    /// 1023 B, 1.5 KiB, 12.0 MiB…
    public static func size(_ bytes: Int64) -> String {
        ByteCount.readable(UInt64(max(0, bytes)))
    }

    /// `2.3 MiB/s`.
    public static func rate(bytesPerSecond: Double) -> String {
        size(Int64(max(0, bytesPerSecond))) + "/s"
    }

    /// `ETA 1:05`, `ETA 2:03:09`, or `ETA --` when unknown.
    public static func eta(remainingBytes: Int64, bytesPerSecond: Double) -> String {
        guard bytesPerSecond > 0, remainingBytes >= 0 else { return "ETA --" }
        let seconds = Int((Double(remainingBytes) / bytesPerSecond).rounded(.up))
        let h = seconds / 3600, m = seconds / 60 % 60, s = seconds % 60
        let two = { (n: Int) in n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "ETA \(h):\(two(m)):\(two(s))" : "ETA \(m):\(two(s))"
    }
}
