/// Draws the frames of Parley's test pattern: colour bars, a white square that moves
/// across the picture, and the frame number burnt in at the top left (large digits, so
/// it survives compression and can be read back by `TestPatternGenerator.readFrameNumber`).
public struct TestPatternGenerator: Sendable {
    public let width: Int
    public let height: Int
    /// Digits of the counter (it wraps at 10^digitCount).
    public static let digitCount = 6
    /// Pixels per cell of the 3x5 digit font.
    public let digitScale: Int

    public init(width: Int, height: Int) {
        precondition(width % 2 == 0 && height % 2 == 0 && width >= 64 && height >= 48, "test pattern needs an even size of at least 64x48")
        self.width = width
        self.height = height
        digitScale = max(2, min(width / 80, height / 40))
    }

    // YUV of the bars: white, yellow, cyan, green, magenta, red, blue, black (BT.601, 75 %).
    private static let bars: [(y: UInt8, u: UInt8, v: UInt8)] = [
        (180, 128, 128), (162, 44, 142), (131, 156, 44), (112, 72, 58),
        (84, 184, 198), (65, 100, 212), (35, 212, 114), (16, 128, 128),
    ]

    /// 3x5 bitmaps of 0–9, one row per 3 bits (most significant bit = left column).
    private static let font: [[UInt8]] = [
        [7, 5, 5, 5, 7], [2, 6, 2, 2, 7], [7, 1, 7, 4, 7], [7, 1, 7, 1, 7], [5, 5, 7, 1, 1],
        [7, 4, 7, 1, 7], [7, 4, 7, 5, 7], [7, 1, 1, 1, 1], [7, 5, 7, 5, 7], [7, 5, 7, 1, 7],
    ]

    /// The square's side and top-left corner in frame `index`: it crosses the width in
    /// about four seconds at 30 fps and bounces back.
    public func squarePosition(frame index: Int) -> (x: Int, y: Int, side: Int) {
        let side = max(16, height / 6) & ~1
        let travel = width - side
        let step = max(2, travel / 120)
        var x = (index * step) % (2 * travel)
        if x > travel { x = 2 * travel - x }
        let y = (height - side) / 2
        return (x & ~1, y & ~1, side)
    }

    /// The frame with number `index`.
    public func frame(_ index: Int) -> I420Frame {
        var frame = I420Frame(width: width, height: height)
        let chromaWidth = width / 2
        frame.planes.withUnsafeMutableBufferPointer { planes in
            let uBase = width * height
            let vBase = uBase + chromaWidth * (height / 2)
            // Bars.
            for x in 0 ..< width {
                let bar = Self.bars[x * Self.bars.count / width]
                for y in 0 ..< height { planes[y * width + x] = bar.y }
                if x % 2 == 0 {
                    for y in 0 ..< height / 2 {
                        planes[uBase + y * chromaWidth + x / 2] = bar.u
                        planes[vBase + y * chromaWidth + x / 2] = bar.v
                    }
                }
            }
            // Moving square (white, neutral chroma).
            let square = squarePosition(frame: index)
            fill(&planes, x: square.x, y: square.y, width: square.side, height: square.side, luma: 235)
            // Counter on a black plate.
            let cell = digitScale
            let plateWidth = (Self.digitCount * 4 + 1) * cell
            fill(&planes, x: 0, y: 0, width: plateWidth, height: 7 * cell, luma: 16)
            var value = index
            var digits = [Int](repeating: 0, count: Self.digitCount)
            for position in (0 ..< Self.digitCount).reversed() {
                digits[position] = value % 10
                value /= 10
            }
            for (position, digit) in digits.enumerated() {
                for row in 0 ..< 5 {
                    let bits = Self.font[digit][row]
                    for column in 0 ..< 3 where bits & (4 >> UInt8(column)) != 0 {
                        fill(&planes, x: (1 + position * 4 + column) * cell, y: (1 + row) * cell, width: cell, height: cell, luma: 235)
                    }
                }
            }
        }
        return frame
    }

    /// Reads the burnt-in frame number back from a (possibly decoded, lossy) frame; nil
    /// when the counter is not legible.
    public func readFrameNumber(from frame: I420Frame) -> Int? {
        guard frame.width == width, frame.height == height else { return nil }
        let cell = digitScale
        var value = 0
        for position in 0 ..< Self.digitCount {
            var rows: [UInt8] = []
            for row in 0 ..< 5 {
                var bits: UInt8 = 0
                for column in 0 ..< 3 {
                    let x = (1 + position * 4 + column) * cell + cell / 2
                    let y = (1 + row) * cell + cell / 2
                    if frame.planes[y * width + x] > 125 { bits |= 4 >> UInt8(column) }
                }
                rows.append(bits)
            }
            guard let digit = Self.font.firstIndex(of: rows) else { return nil }
            value = value * 10 + digit
        }
        return value
    }

    private func fill(_ planes: inout UnsafeMutableBufferPointer<UInt8>, x: Int, y: Int, width rectWidth: Int, height rectHeight: Int, luma: UInt8) {
        let chromaWidth = width / 2
        let uBase = width * height
        let vBase = uBase + chromaWidth * (height / 2)
        let right = min(width, x + rectWidth), bottom = min(height, y + rectHeight)
        guard x < right, y < bottom else { return }
        for row in y ..< bottom {
            for column in x ..< right { planes[row * width + column] = luma }
        }
        for row in (y / 2) ..< ((bottom + 1) / 2) {
            for column in (x / 2) ..< ((right + 1) / 2) {
                planes[uBase + row * chromaWidth + column] = 128
                planes[vBase + row * chromaWidth + column] = 128
            }
        }
    }
}
