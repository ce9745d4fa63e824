/// Turns a grid of pixels (from `AreaScaler`) into block cells: 1x2 pixels per cell for half
/// blocks, 2x2 for quadrants (the two colours and the split that fit the four pixels best).
enum BlockCellBuilder {
    static func build(
        pixels: UnsafeBufferPointer<UInt32>, gridWidth: Int, symbols: BlockSymbols, colors: TerminalColorMode, into grid: inout CellGrid
    ) {
        let columns = grid.columns, rows = grid.rows
        guard pixels.count >= columns * symbols.pixelsAcross * rows * 2 else { return }
        let palette = colors == .palette256
        grid.masks.withUnsafeMutableBufferPointer { masks in
        grid.foregrounds.withUnsafeMutableBufferPointer { foregrounds in
        grid.backgrounds.withUnsafeMutableBufferPointer { backgrounds in
            for row in 0 ..< rows {
                let topLine = 2 * row * gridWidth, bottomLine = topLine + gridWidth
                for column in 0 ..< columns {
                    var mask: UInt8
                    var foreground: UInt32
                    var background: UInt32
                    switch symbols {
                    case .halfBlocks:
                        let top = pixels[topLine + column], bottom = pixels[bottomLine + column]
                        (mask, foreground, background) = (BlockGlyph.upperHalf, top, bottom)
                    case .quadrants:
                        let x = 2 * column
                        (mask, foreground, background) = bestSplit(
                            pixels[topLine + x], pixels[topLine + x + 1], pixels[bottomLine + x], pixels[bottomLine + x + 1])
                    }
                    if palette {
                        foreground = UInt32(XtermPalette.nearestIndex(to: foreground))
                        background = UInt32(XtermPalette.nearestIndex(to: background))
                    }
                    let index = row * columns + column
                    (masks[index], foregrounds[index], backgrounds[index]) = CellGrid.canonical(
                        mask: mask, foreground: foreground, background: background)
                }
            }
        }}}
    }

    /// The mask and two colours that represent four pixels (top-left, top-right,
    /// bottom-left, bottom-right) with the least squared error: each of the 7 ways to split
    /// them in two groups, or one colour, with each group's mean colour.
    @inline(__always)
    static func bestSplit(_ p0: UInt32, _ p1: UInt32, _ p2: UInt32, _ p3: UInt32) -> (UInt8, UInt32, UInt32) {
        if p0 == p1 && p1 == p2 && p2 == p3 { return (0, p0, p0) }
        let r = (RGBColor.red(p0), RGBColor.red(p1), RGBColor.red(p2), RGBColor.red(p3))
        let g = (RGBColor.green(p0), RGBColor.green(p1), RGBColor.green(p2), RGBColor.green(p3))
        let b = (RGBColor.blue(p0), RGBColor.blue(p1), RGBColor.blue(p2), RGBColor.blue(p3))
        let totalR = r.0 + r.1 + r.2 + r.3, totalG = g.0 + g.1 + g.2 + g.3, totalB = b.0 + b.1 + b.2 + b.3
        // Least error = largest Σ (group sum)² / group size; 12 / size keeps it in integers.
        let weight = (0, 12, 6, 4, 3)
        func w(_ n: Int) -> Int {
            switch n {
            case 1: weight.1
            case 2: weight.2
            case 3: weight.3
            default: weight.4
            }
        }
        var bestMask = 0
        var bestScore = (totalR * totalR + totalG * totalG + totalB * totalB) * weight.4
        var bestSums = (0, 0, 0, 0)
        for mask in 1 ... 7 {
            let in0 = mask & 1 != 0, in1 = mask & 2 != 0, in2 = mask & 4 != 0
            let setR = (in0 ? r.0 : 0) + (in1 ? r.1 : 0) + (in2 ? r.2 : 0)
            let setG = (in0 ? g.0 : 0) + (in1 ? g.1 : 0) + (in2 ? g.2 : 0)
            let setB = (in0 ? b.0 : 0) + (in1 ? b.1 : 0) + (in2 ? b.2 : 0)
            let count = (in0 ? 1 : 0) + (in1 ? 1 : 0) + (in2 ? 1 : 0)
            let restR = totalR - setR, restG = totalG - setG, restB = totalB - setB
            let score = (setR * setR + setG * setG + setB * setB) * w(count) + (restR * restR + restG * restG + restB * restB) * w(4 - count)
            if score > bestScore {
                bestScore = score
                bestMask = mask
                bestSums = (setR, setG, setB, count)
            }
        }
        guard bestMask != 0 else {
            let color = RGBColor.pack(red: (totalR + 2) / 4, green: (totalG + 2) / 4, blue: (totalB + 2) / 4)
            return (0, color, color)
        }
        let count = bestSums.3, rest = 4 - count
        let foreground = RGBColor.pack(
            red: (bestSums.0 + count / 2) / count, green: (bestSums.1 + count / 2) / count, blue: (bestSums.2 + count / 2) / count)
        let background = RGBColor.pack(
            red: (totalR - bestSums.0 + rest / 2) / rest, green: (totalG - bestSums.1 + rest / 2) / rest,
            blue: (totalB - bestSums.2 + rest / 2) / rest)
        return (UInt8(bestMask), foreground, background)
    }
}
