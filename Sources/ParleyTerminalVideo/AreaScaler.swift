import ParleyMedia

/// Scales an `I420Frame` into a grid of packed RGB pixels (`0x00RRGGBB`), averaging every
/// source pixel an output pixel covers (a box filter: no aliasing of fine detail when
/// shrinking a lot), with the BT.601 conversion done once per output pixel.
///
/// Buffers and the column and row spans are kept between frames and rebuilt only when a size
/// changes, so a frame costs no allocation. Work per frame: one pass over the planes (the rows
/// an output row covers are summed column by column, which the compiler vectorizes), then one
/// short sum per output pixel.
public final class AreaScaler {
    /// The output grid, `gridWidth * gridHeight` pixels, row by row.
    public private(set) var pixels: [UInt32] = []
    public private(set) var gridWidth = 0
    public private(set) var gridHeight = 0
    /// Where the picture is in the grid (the rest is black).
    public private(set) var fit = ImageFit(x: 0, y: 0, width: 0, height: 0)

    private var sourceWidth = 0
    private var sourceHeight = 0
    // Spans in source pixels for each output column / row (luma and chroma).
    private var columnStart: [Int32] = [], columnEnd: [Int32] = []
    private var chromaColumnStart: [Int32] = [], chromaColumnEnd: [Int32] = []
    private var rowStart: [Int32] = [], rowEnd: [Int32] = []
    private var chromaRowStart: [Int32] = [], chromaRowEnd: [Int32] = []
    // One source row's worth of column sums.
    private var lumaSums: [UInt32] = [], uSums: [UInt32] = [], vSums: [UInt32] = []
    // 2^24 / (pixels averaged) for each output column, by the number of rows summed (spans
    // have one or two lengths, so a few tables): a multiply instead of three divisions a pixel.
    private var lumaReciprocals: [Int: [Int]] = [:], chromaReciprocals: [Int: [Int]] = [:]
    private static let reciprocalShift = 24

    public init() {}

    /// Scales `frame` into a `gridWidth`x`gridHeight` grid with `pixelAspect` (see
    /// `ImageFit`). Returns false, leaving a black grid, when the frame's planes do not match
    /// its size (a frame is never trusted to be consistent).
    @discardableResult
    public func scale(_ frame: I420Frame, gridWidth: Int, gridHeight: Int, pixelAspect: Double = 1) -> Bool {
        let gridWidth = max(0, gridWidth), gridHeight = max(0, gridHeight)
        let width = frame.width, height = frame.height
        let valid = width >= 2 && height >= 2 && width % 2 == 0 && height % 2 == 0
            && width <= 16384 && height <= 16384
            && frame.planes.count == I420Frame.byteCount(width: width, height: height)
        if gridWidth != self.gridWidth || gridHeight != self.gridHeight {
            self.gridWidth = gridWidth
            self.gridHeight = gridHeight
            pixels = [UInt32](repeating: 0, count: gridWidth * gridHeight)
            sourceWidth = 0  // spans and letterbox again
        }
        guard valid, gridWidth > 0, gridHeight > 0 else {
            for index in pixels.indices { pixels[index] = 0 }
            sourceWidth = 0
            fit = ImageFit(x: 0, y: 0, width: 0, height: 0)
            return false
        }
        let newFit = ImageFit.fit(sourceWidth: width, sourceHeight: height, gridWidth: gridWidth, gridHeight: gridHeight, pixelAspect: pixelAspect)
        if width != sourceWidth || height != sourceHeight || newFit != fit {
            sourceWidth = width
            sourceHeight = height
            fit = newFit
            prepareSpans()
            for index in pixels.indices { pixels[index] = 0 }
        }
        frame.planes.withUnsafeBufferPointer { planes in
            pixels.withUnsafeMutableBufferPointer { output in
                render(planes, into: output)
            }
        }
        return true
    }

    private func prepareSpans() {
        func spans(source: Int, output: Int) -> ([Int32], [Int32]) {
            var starts = [Int32](repeating: 0, count: output), ends = [Int32](repeating: 0, count: output)
            for index in 0 ..< output {
                let start = index * source / output
                let end = max(start + 1, (index + 1) * source / output)
                starts[index] = Int32(min(start, source - 1))
                ends[index] = Int32(min(end, source))
            }
            return (starts, ends)
        }
        (columnStart, columnEnd) = spans(source: sourceWidth, output: fit.width)
        (rowStart, rowEnd) = spans(source: sourceHeight, output: fit.height)
        func chroma(_ starts: [Int32], _ ends: [Int32], limit: Int) -> ([Int32], [Int32]) {
            let s = starts.map { $0 / 2 }
            let e = zip(s, ends).map { start, end in min(max(start + 1, (end + 1) / 2), Int32(limit)) }
            return (s, e)
        }
        (chromaColumnStart, chromaColumnEnd) = chroma(columnStart, columnEnd, limit: sourceWidth / 2)
        (chromaRowStart, chromaRowEnd) = chroma(rowStart, rowEnd, limit: sourceHeight / 2)
        lumaReciprocals = [:]
        chromaReciprocals = [:]
        lumaSums = [UInt32](repeating: 0, count: sourceWidth)
        uSums = [UInt32](repeating: 0, count: sourceWidth / 2)
        vSums = [UInt32](repeating: 0, count: sourceWidth / 2)
    }

    private func render(_ planes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt32>) {
        let width = sourceWidth, height = sourceHeight
        let chromaWidth = width / 2, chromaHeight = height / 2
        let uOffset = width * height, vOffset = uOffset + chromaWidth * chromaHeight
        let fit = fit, gridWidth = gridWidth
        for outRow in 0 ..< fit.height {
            let lumaRows = Int(rowEnd[outRow] - rowStart[outRow]), chromaRows = Int(chromaRowEnd[outRow] - chromaRowStart[outRow])
            if lumaReciprocals[lumaRows] == nil { lumaReciprocals[lumaRows] = reciprocals(columnStart, columnEnd, rows: lumaRows) }
            if chromaReciprocals[chromaRows] == nil {
                chromaReciprocals[chromaRows] = reciprocals(chromaColumnStart, chromaColumnEnd, rows: chromaRows)
            }
        }
        let shift = Self.reciprocalShift, half = 1 << (Self.reciprocalShift - 1)
        lumaSums.withUnsafeMutableBufferPointer { luma in
        uSums.withUnsafeMutableBufferPointer { uSum in
        vSums.withUnsafeMutableBufferPointer { vSum in
        columnStart.withUnsafeBufferPointer { x0 in
        columnEnd.withUnsafeBufferPointer { x1 in
        chromaColumnStart.withUnsafeBufferPointer { cx0 in
        chromaColumnEnd.withUnsafeBufferPointer { cx1 in
            for outRow in 0 ..< fit.height {
                let y0 = Int(rowStart[outRow]), y1 = Int(rowEnd[outRow])
                let cy0 = Int(chromaRowStart[outRow]), cy1 = Int(chromaRowEnd[outRow])
                Self.sumRows(planes, offset: 0, stride: width, rows: y0 ..< y1, into: luma)
                Self.sumRows(planes, offset: uOffset, stride: chromaWidth, rows: cy0 ..< cy1, into: uSum)
                Self.sumRows(planes, offset: vOffset, stride: chromaWidth, rows: cy0 ..< cy1, into: vSum)
                let lumaTable = lumaReciprocals[y1 - y0] ?? [], chromaTable = chromaReciprocals[cy1 - cy0] ?? []
                guard lumaTable.count == fit.width, chromaTable.count == fit.width else { continue }
                let outBase = (fit.y + outRow) * gridWidth + fit.x
                lumaTable.withUnsafeBufferPointer { lumaScale in
                chromaTable.withUnsafeBufferPointer { chromaScale in
                    for outColumn in 0 ..< fit.width {
                        let a = Int(x0[outColumn]), b = Int(x1[outColumn])
                        var y = 0
                        for x in a ..< b { y &+= Int(luma[x]) }
                        let ca = Int(cx0[outColumn]), cb = Int(cx1[outColumn])
                        var u = 0, v = 0
                        for x in ca ..< cb {
                            u &+= Int(uSum[x])
                            v &+= Int(vSum[x])
                        }
                        let lumaFactor = lumaScale[outColumn], chromaFactor = chromaScale[outColumn]
                        output[outBase + outColumn] = RGBColor.fromYUV(
                            y: (y &* lumaFactor &+ half) >> shift,
                            u: (u &* chromaFactor &+ half) >> shift,
                            v: (v &* chromaFactor &+ half) >> shift)
                    }
                }}
            }
        }}}}}}}
    }

    /// ⌈2^24 / (span width × rows)⌉ per output column: (sum × it + 2^23) >> 24 is the rounded
    /// mean (exact for sums that are multiples; sums ≤ 255 × pixels cannot overflow).
    private func reciprocals(_ starts: [Int32], _ ends: [Int32], rows: Int) -> [Int] {
        zip(starts, ends).map { start, end in
            let count = max(1, Int(end - start) * max(rows, 1))
            return ((1 << Self.reciprocalShift) + count - 1) / count
        }
    }

    /// Column sums of `rows` of a plane into `sums` (its count is the plane's width).
    @inline(__always)
    private static func sumRows(
        _ planes: UnsafeBufferPointer<UInt8>, offset: Int, stride: Int, rows: Range<Int>, into sums: UnsafeMutableBufferPointer<UInt32>
    ) {
        guard let base = planes.baseAddress, let target = sums.baseAddress else { return }
        let count = sums.count
        var first = true
        for row in rows {
            let source = base + offset + row * stride
            if first {
                for x in 0 ..< count { target[x] = UInt32(source[x]) }
                first = false
            } else {
                for x in 0 ..< count { target[x] &+= UInt32(source[x]) }
            }
        }
    }
}
