/// The xterm 256-colour palette above the 16 theme colours: a 6x6x6 cube (16…231, levels
/// 0, 95, 135, 175, 215, 255) and a 24-step grey ramp (232…255, 8 to 238 by 10).
public enum XtermPalette {
    /// The six levels of each channel of the cube.
    public static let cubeLevels: [Int] = [0, 95, 135, 175, 215, 255]

    /// The RGB of palette entry `index` (16…255; others give black).
    public static func color(of index: Int) -> UInt32 {
        switch index {
        case 16 ... 231:
            let cube = index - 16
            return RGBColor.pack(red: cubeLevels[cube / 36], green: cubeLevels[cube / 6 % 6], blue: cubeLevels[cube % 6])
        case 232 ... 255:
            let grey = 8 + (index - 232) * 10
            return RGBColor.pack(red: grey, green: grey, blue: grey)
        default:
            return 0
        }
    }

    /// The entry (16…255) nearest to `color` (squared distance in RGB): the nearest cube
    /// colour or the nearest grey, whichever is closer.
    public static func nearestIndex(to color: UInt32) -> UInt8 {
        let red = RGBColor.red(color), green = RGBColor.green(color), blue = RGBColor.blue(color)
        let cr = nearestLevel(red), cg = nearestLevel(green), cb = nearestLevel(blue)
        let cubeDistance = square(cubeLevels[cr] - red) + square(cubeLevels[cg] - green) + square(cubeLevels[cb] - blue)
        // The grey ramp: nearest step to the mean.
        let mean = (red + green + blue) / 3
        let step = min(max((mean - 8 + 5) / 10, 0), 23)
        let grey = 8 + step * 10
        let greyDistance = square(grey - red) + square(grey - green) + square(grey - blue)
        if greyDistance < cubeDistance { return UInt8(232 + step) }
        return UInt8(16 + cr * 36 + cg * 6 + cb)
    }

    /// The nearest of the six cube levels to an 8-bit value.
    @inline(__always)
    static func nearestLevel(_ value: Int) -> Int {
        // Midpoints between 0, 95, 135, 175, 215, 255: 47.5, 115, 155, 195, 235.
        if value < 48 { return 0 }
        if value < 115 { return 1 }
        return min((value - 115) / 40 + 2, 5)
    }

    @inline(__always)
    private static func square(_ value: Int) -> Int { value * value }
}
