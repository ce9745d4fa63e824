import ParleyCore

/// A colour as written in the config file: one of the eight ANSI names, a
/// palette index 0–255, or `#rrggbb`.
public enum ColorSpec: Sendable, Equatable {
    case ansi(Int)
    case palette(Int)
    case rgb(red: Int, green: Int, blue: Int)

    public static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    public init?(parsing text: String) {
        let text = text.trimmingWhitespace().lowercased()
        if let index = Self.names.firstIndex(of: text) {
            self = .ansi(index)
        } else if let number = Int(text), (0...255).contains(number) {
            self = .palette(number)
        } else if text.hasPrefix("#"), text.count == 7, let value = Int(text.dropFirst(), radix: 16) {
            self = .rgb(red: value >> 16 & 0xFF, green: value >> 8 & 0xFF, blue: value & 0xFF)
        } else {
            return nil
        }
    }

    /// The colour number to give curses on a terminal of this depth.
    public func terminalColor(for depth: ColorDepth) -> Int {
        switch (self, depth) {
        case (.ansi(let index), _): return index
        case (.palette(let index), .eight): return index < 8 ? index : (index < 16 ? index - 8 : Self.nearestANSI(Self.paletteRGB(index)))
        case (.palette(let index), .direct) where index >= 8:
            // Direct-colour terminals read numbers from 8 up as RGB values.
            let (r, g, b) = Self.paletteRGB(index)
            return r << 16 | g << 8 | b
        case (.palette(let index), _): return index
        case (.rgb(let r, let g, let b), .direct): return r << 16 | g << 8 | b
        case (.rgb(let r, let g, let b), .palette256): return Self.nearestPalette256(r, g, b)
        case (.rgb(let r, let g, let b), .eight), (.rgb(let r, let g, let b), .none): return Self.nearestANSI((r, g, b))
        }
    }

    /// The xterm 256-colour palette index closest to an RGB colour (the 6×6×6 cube or the grey ramp).
    public static func nearestPalette256(_ r: Int, _ g: Int, _ b: Int) -> Int {
        let levels = [0, 95, 135, 175, 215, 255]
        func cubeIndex(_ value: Int) -> Int {
            levels.indices.min { abs(levels[$0] - value) < abs(levels[$1] - value) } ?? 0
        }
        let (cr, cg, cb) = (cubeIndex(r), cubeIndex(g), cubeIndex(b))
        let cube = 16 + 36 * cr + 6 * cg + cb
        let cubeDistance = distance((r, g, b), (levels[cr], levels[cg], levels[cb]))
        let grey = (r + g + b) / 3
        let greyStep = max(0, min(23, (grey - 8 + 5) / 10))
        let greyValue = 8 + 10 * greyStep
        let greyDistance = distance((r, g, b), (greyValue, greyValue, greyValue))
        return greyDistance < cubeDistance ? 232 + greyStep : cube
    }

    static func nearestANSI(_ rgb: (Int, Int, Int)) -> Int {
        let basic = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
                     (229, 229, 229)]
        return basic.indices.min { distance(basic[$0], rgb) < distance(basic[$1], rgb) } ?? 7
    }

    static func paletteRGB(_ index: Int) -> (Int, Int, Int) {
        if index < 16 {
            let ansi = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205),
                        (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255),
                        (255, 0, 255), (0, 255, 255), (255, 255, 255)]
            return ansi[max(0, index)]
        }
        if index >= 232 { let v = 8 + 10 * (index - 232); return (v, v, v) }
        let levels = [0, 95, 135, 175, 215, 255]
        let cube = index - 16
        return (levels[cube / 36], levels[cube / 6 % 6], levels[cube % 6])
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        let dr = a.0 - b.0, dg = a.1 - b.1, db = a.2 - b.2
        return dr * dr + dg * dg + db * db
    }
}

/// How many colours the terminal shows.
public enum ColorDepth: Sendable, Equatable {
    /// NO_COLOR, or a terminal without colours: attributes only.
    case none
    case eight
    case palette256
    /// 24-bit colour (a `*-direct` terminfo entry).
    case direct

    /// Picks the depth from what curses reports and the environment.
    public static func detect(colors: Int, hasColors: Bool, environment: [String: String]) -> ColorDepth {
        if environment["NO_COLOR"].map({ !$0.isEmpty }) ?? false { return .none }
        guard hasColors else { return .none }
        if colors >= 0x1000000 { return .direct }
        if colors >= 256 { return .palette256 }
        return colors >= 8 ? .eight : .none
    }
}
