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
        if bandBits.count != Self.paletteSize * width { bandBits = [UInt8](repeating: 0, count: Self.paletteSize * width) }
        if bandMark.count != Self.paletteSize { bandMark = [Int32](repeating: -1, count: Self.paletteSize) }
        var used = [Bool](repeating: false, count: Self.paletteSize)
        let dithers = dithers
        // Quantize: level = (value * 5 + 127 + dither) / 255, dither in (-½, ½) of a step.
        indices.withUnsafeMutableBufferPointer { indices in
            used.withUnsafeMutableBufferPointer { used in
                for y in 0 ..< height {
                    let row = y * width
                    for x in 0 ..< width {
                        let pixel = pixels[row + x]
                        let offset = dithers ? Self.bayerOffsets[(y & 3) << 2 | (x & 3)] : 0
                        let r = Self.level(Int(pixel >> 16 & 0xFF), offset)
                        let g = Self.level(Int(pixel >> 8 & 0xFF), offset)
                        let b = Self.level(Int(pixel & 0xFF), offset)
                        let index = r * 36 + g * 6 + b
                        indices[row + x] = UInt8(truncatingIfNeeded: index)
                        used[index] = true
                    }
                }
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
        var bandColors: [Int] = []
        bandColors.reserveCapacity(Self.paletteSize)
        indices.withUnsafeBufferPointer { indices in
        bandBits.withUnsafeMutableBufferPointer { bits in
        bandMark.withUnsafeMutableBufferPointer { mark in
            for index in 0 ..< Self.paletteSize { mark[index] = -1 }
            var band = 0
            while band * 6 < height {
                bandColors.removeAll(keepingCapacity: true)
                let top = band * 6, bottom = min(top + 6, height)
                let bandNumber = Int32(truncatingIfNeeded: band)
                for y in top ..< bottom {
                    let bit = UInt8(1) << UInt8(y - top)
                    let row = y * width
                    for x in 0 ..< width {
                        let color = Int(indices[row + x])
                        let base = color * width
                        if mark[color] != bandNumber {
                            mark[color] = bandNumber
                            bandColors.append(color)
                            for i in base ..< base + width { bits[i] = 0 }
                        }
                        bits[base + x] |= bit
                    }
                }
                for (position, color) in bandColors.enumerated() {
                    if position > 0 { output.append(UInt8(ascii: "$")) }
                    output.append(UInt8(ascii: "#"))
                    output.appendDecimal(color)
                    Self.appendRuns(UnsafeBufferPointer(rebasing: bits[(color * width) ..< (color * width + width)]), into: &output)
                }
                output.append(UInt8(ascii: "-"))
                band += 1
            }
        }}}
        output.append(contentsOf: [0x1B, UInt8(ascii: "\\")])
    }

    /// The 4x4 Bayer thresholds as offsets in (value × 5) units: (2t − 15) × 255 / 32.
    private static let bayerOffsets: [Int] = bayer.map { ($0 * 2 - 15) * 255 / 32 }

    @inline(__always)
    private static func level(_ value: Int, _ offset: Int) -> Int {
        min(max((value * 5 + 127 + offset) / 255, 0), 5)
    }

    /// One colour's sixels across a band, runs of 4 or more as `!n` + character; trailing
    /// empty sixels are left out.
    private static func appendRuns(_ bits: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        var end = bits.count
        while end > 0 && bits[end - 1] == 0 { end -= 1 }
        var x = 0
        while x < end {
            let value = bits[x]
            var run = 1
            while x + run < end && bits[x + run] == value { run += 1 }
            let character = 63 + value
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
