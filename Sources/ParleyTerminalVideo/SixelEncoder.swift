/// Encodes RGB pixels as sixel graphics (DCS `ESC P 0;1;0 q` … `ESC \`) with a fixed
/// 6x6x6 colour cube (216 registers, levels 0–100 %) and a 4x4 ordered dither, run-length
/// encoded (`!n`). Only the colours used are defined. Raster attributes `"1;1;W;H` give
/// square pixels and the picture's size. Buffers are kept between frames.
public final class SixelEncoder {
    /// Registers in the palette.
    public static let paletteSize = 216

    private var indices: [UInt8] = []
    private var bandBits: [UInt8] = []
    private var bandMark: [Int32] = []
    private var used = [Bool](repeating: false, count: 216)

    /// Dither the picture (smoother gradients with 216 colours); off: nearest colour.
    public var dithers: Bool

    public init(dithers: Bool = true) {
        self.dithers = dithers
    }

    private static let bayer: [Int] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5]

    /// Appends the sixel image of `pixels` (`0x00RRGGBB`, `width * height`, row by row).
    /// Writes nothing when the sizes do not match.
    public func append(pixels: UnsafeBufferPointer<UInt32>, width: Int, height: Int, into output: inout [UInt8]) {
        guard width > 0, height > 0, width <= 10_000, height <= 10_000, pixels.count == width * height else { return }
        let count = width * height
        if indices.count != count { indices = [UInt8](repeating: 0, count: count) }
        for index in 0 ..< Self.paletteSize { used[index] = false }
        // Quantize: level = (value * 5 + 127 + dither) / 255.
        for y in 0 ..< height {
            for x in 0 ..< width {
                let pixel = pixels[y * width + x]
                let offset = dithers ? (Self.bayer[(y & 3) * 4 + (x & 3)] * 2 - 15) * 255 / 32 : 0
                let r = level(RGBColor.red(pixel), offset), g = level(RGBColor.green(pixel), offset), b = level(RGBColor.blue(pixel), offset)
                let index = r * 36 + g * 6 + b
                indices[y * width + x] = UInt8(index)
                used[index] = true
            }
        }
        output.append(contentsOf: [0x1B, UInt8(ascii: "P")])
        output.appendASCII("0;1;0q\"1;1;")
        output.appendDecimal(width)
        output.append(0x3B)
        output.appendDecimal(height)
        for index in 0 ..< Self.paletteSize where used[index] {
            output.append(UInt8(ascii: "#"))
            output.appendDecimal(index)
            output.appendASCII(";2;")
            output.appendDecimal(index / 36 * 20)
            output.append(0x3B)
            output.appendDecimal(index / 6 % 6 * 20)
            output.append(0x3B)
            output.appendDecimal(index % 6 * 20)
        }
        if bandBits.count != Self.paletteSize * width { bandBits = [UInt8](repeating: 0, count: Self.paletteSize * width) }
        if bandMark.count != Self.paletteSize { bandMark = [Int32](repeating: -1, count: Self.paletteSize) }
        for index in 0 ..< Self.paletteSize { bandMark[index] = -1 }
        var bandColors: [Int] = []
        bandColors.reserveCapacity(Self.paletteSize)
        var band = 0
        while band * 6 < height {
            bandColors.removeAll(keepingCapacity: true)
            let top = band * 6, bottom = min(top + 6, height)
            for y in top ..< bottom {
                let bit = UInt8(1) << UInt8(y - top)
                for x in 0 ..< width {
                    let color = Int(indices[y * width + x])
                    if bandMark[color] != Int32(band) {
                        bandMark[color] = Int32(band)
                        bandColors.append(color)
                        for i in 0 ..< width { bandBits[color * width + i] = 0 }
                    }
                    bandBits[color * width + x] |= bit
                }
            }
            for (position, color) in bandColors.enumerated() {
                if position > 0 { output.append(UInt8(ascii: "$")) }
                output.append(UInt8(ascii: "#"))
                output.appendDecimal(color)
                appendRuns(row: color * width, width: width, into: &output)
            }
            output.append(UInt8(ascii: "-"))
            band += 1
        }
        output.append(contentsOf: [0x1B, UInt8(ascii: "\\")])
    }

    @inline(__always)
    private func level(_ value: Int, _ offset: Int) -> Int {
        min(max((value * 5 + 127 + offset) / 255, 0), 5)
    }

    /// One colour's sixels across a band, runs of 4 or more as `!n` + character; trailing
    /// empty sixels are left out.
    private func appendRuns(row: Int, width: Int, into output: inout [UInt8]) {
        var end = width
        while end > 0 && bandBits[row + end - 1] == 0 { end -= 1 }
        var x = 0
        while x < end {
            let bits = bandBits[row + x]
            var run = 1
            while x + run < end && bandBits[row + x + run] == bits { run += 1 }
            let character = 63 + bits
            if run >= 4 {
                output.append(UInt8(ascii: "!"))
                output.appendDecimal(run)
                output.append(character)
            } else {
                for _ in 0 ..< run { output.append(character) }
            }
            x += run
        }
    }
}
