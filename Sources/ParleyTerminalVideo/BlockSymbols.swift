/// Which block characters draw the picture.
public enum BlockSymbols: String, CaseIterable, Equatable, Sendable {
    /// `▀`/`▄`: two pixels per cell, one above the other (foreground and background colour):
    /// square pixels in a cell about twice as tall as wide.
    case halfBlocks = "half"
    /// Quadrants (`▘▝▖▗▌▐▚▞▛▜▙▟`…): 2x2 pixels per cell, reduced per cell to the two
    /// colours that fit them best; more detail on edges, a little less colour accuracy.
    case quadrants

    /// Grid pixels per cell across.
    var pixelsAcross: Int { self == .halfBlocks ? 1 : 2 }
    /// Grid pixels per cell down.
    var pixelsDown: Int { 2 }
}

/// The 16 cell shapes: bit 0 top-left, bit 1 top-right, bit 2 bottom-left, bit 3
/// bottom-right quarter drawn in the foreground colour, the rest in the background colour.
enum BlockGlyph {
    static let upperHalf: UInt8 = 0b0011
    static let lowerHalf: UInt8 = 0b1100
    static let full: UInt8 = 0b1111

    /// The characters by mask.
    static let scalars: [Unicode.Scalar] = [
        " ", "\u{2598}", "\u{259D}", "\u{2580}", "\u{2596}", "\u{258C}", "\u{259E}", "\u{259B}",
        "\u{2597}", "\u{259A}", "\u{2590}", "\u{259C}", "\u{2584}", "\u{2599}", "\u{259F}", "\u{2588}",
    ]

    /// UTF-8 of each mask's character, 3 bytes each (a space is padded with zeros; its
    /// length is in `lengths`).
    static let utf8: [UInt8] = scalars.flatMap { scalar -> [UInt8] in
        var bytes = Array(String(scalar).utf8)
        while bytes.count < 3 { bytes.append(0) }
        return bytes
    }
    static let lengths: [Int] = scalars.map { String($0).utf8.count }

    /// The mask a character draws, for tests and tools reading output back.
    static func mask(of character: Character) -> UInt8? {
        guard let scalar = character.unicodeScalars.first, let index = scalars.firstIndex(of: scalar) else { return nil }
        return UInt8(index)
    }
}
