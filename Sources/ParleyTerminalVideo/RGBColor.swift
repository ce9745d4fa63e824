/// Colours as the renderers keep them: `0x00RRGGBB` in a `UInt32` (true colour), or a
/// palette index 16…255 in 256-colour mode.
public enum RGBColor {
    /// Packs 8-bit channels.
    @inline(__always)
    public static func pack(red: Int, green: Int, blue: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: red) << 16 | UInt32(truncatingIfNeeded: green) << 8 | UInt32(truncatingIfNeeded: blue)
    }

    @inline(__always) public static func red(_ color: UInt32) -> Int { Int(color >> 16 & 0xFF) }
    @inline(__always) public static func green(_ color: UInt32) -> Int { Int(color >> 8 & 0xFF) }
    @inline(__always) public static func blue(_ color: UInt32) -> Int { Int(color & 0xFF) }

    /// BT.601 limited range ("studio swing", what cameras, VP8 and Y4M files carry) to RGB,
    /// in integers: `R = (298(Y−16) + 409(V−128) + 128) >> 8`, and so on, clamped.
    @inline(__always)
    public static func fromYUV(y: Int, u: Int, v: Int) -> UInt32 {
        let c = 298 * (y - 16) + 128
        let d = u - 128
        let e = v - 128
        let red = (c + 409 * e) >> 8
        let green = (c - 100 * d - 208 * e) >> 8
        let blue = (c + 516 * d) >> 8
        return pack(red: clamp(red), green: clamp(green), blue: clamp(blue))
    }

    @inline(__always)
    static func clamp(_ value: Int) -> Int { value < 0 ? 0 : (value > 255 ? 255 : value) }

    /// Whether two packed colours differ by at most `tolerance` in every channel.
    @inline(__always)
    public static func isClose(_ a: UInt32, _ b: UInt32, tolerance: Int) -> Bool {
        if a == b { return true }
        if tolerance <= 0 { return false }
        return abs(red(a) - red(b)) <= tolerance && abs(green(a) - green(b)) <= tolerance && abs(blue(a) - blue(b)) <= tolerance
    }
}
