import ParleyMedia
@testable import ParleyTerminalVideo

/// A tiny terminal for the tests: applies cursor moves (CUP, CUF), SGR colours, DECSC/DECRC
/// and UTF-8 characters to a grid, and remembers which cells were written.
struct TerminalModel {
    struct Cell: Equatable {
        var character: Character = " "
        var foreground: String? = nil
        var background: String? = nil

        /// The colours of the top and bottom halves as drawn (half blocks, space, full block).
        var halves: (top: String?, bottom: String?) {
            switch character {
            case "▀": (foreground, background)
            case "▄": (background, foreground)
            case "█": (foreground, foreground)
            default: (background, background)
            }
        }
    }

    var cells: [Int: Cell] = [:]
    var written: Set<Int> = []
    var row = 0, column = 0
    var foreground: String? = nil, background: String? = nil
    var sequences: [String] = []
    var unknown: [String] = []

    static func key(_ row: Int, _ column: Int) -> Int { row * 10_000 + column }

    func cell(_ row: Int, _ column: Int) -> Cell { cells[Self.key(row, column)] ?? Cell() }

    mutating func apply(_ bytes: [UInt8]) {
        var index = 0
        var saved = (0, 0, String?.none, String?.none)
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x1B {
                let next = bytes[index + 1]
                if next == UInt8(ascii: "7") {
                    saved = (row, column, foreground, background)
                    index += 2
                    continue
                }
                if next == UInt8(ascii: "8") {
                    (row, column, foreground, background) = saved
                    index += 2
                    continue
                }
                precondition(next == UInt8(ascii: "["), "unexpected escape")
                var end = index + 2
                while !(0x40 ... 0x7E).contains(bytes[end]) { end += 1 }
                let body = String(decoding: bytes[(index + 2) ..< end], as: UTF8.self)
                let final = Character(UnicodeScalar(bytes[end]))
                sequences.append(body + String(final))
                handle(body, final)
                index = end + 1
                continue
            }
            // One UTF-8 character.
            let length = byte < 0x80 ? 1 : (byte < 0xE0 ? 2 : (byte < 0xF0 ? 3 : 4))
            let character = Character(String(decoding: bytes[index ..< index + length], as: UTF8.self))
            cells[Self.key(row, column)] = Cell(character: character, foreground: foreground, background: background)
            written.insert(Self.key(row, column))
            column += 1
            index += length
        }
    }

    private mutating func handle(_ body: String, _ final: Character) {
        let numbers = body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        switch final {
        case "H":
            row = (numbers.first ?? 1) - 1
            column = (numbers.count > 1 ? numbers[1] : 1) - 1
        case "C":
            column += body.isEmpty ? 1 : (numbers.first ?? 1)
        case "m":
            var i = 0
            while i < numbers.count {
                switch numbers[i] {
                case 0:
                    foreground = nil
                    background = nil
                    i += 1
                case 38, 48:
                    let isForeground = numbers[i] == 38
                    let value: String
                    if numbers[i + 1] == 2 {
                        value = "\(numbers[i + 2]),\(numbers[i + 3]),\(numbers[i + 4])"
                        i += 5
                    } else {
                        value = "p\(numbers[i + 2])"
                        i += 3
                    }
                    if isForeground { foreground = value } else { background = value }
                default:
                    unknown.append(body + "m")
                    i += 1
                }
            }
        case "h", "l":
            if body != "?2026" { unknown.append(body + String(final)) }
        default:
            unknown.append(body + String(final))
        }
    }
}

/// Frames for the tests.
enum TestFrames {
    /// Y, U, V of a few colours (BT.601 limited range).
    static let white = (235, 128, 128)
    static let black = (16, 128, 128)
    static let red = (81, 90, 240)
    static let blue = (41, 240, 110)

    /// A frame whose pixel (x, y) has `color(x, y)` (chroma from the top-left pixel of each 2x2 block).
    static func frame(width: Int, height: Int, _ color: (Int, Int) -> (Int, Int, Int)) -> I420Frame {
        var frame = I420Frame(width: width, height: height)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let (luma, u, v) = color(x, y)
                frame.planes[y * width + x] = UInt8(luma)
                if x % 2 == 0 && y % 2 == 0 {
                    let chroma = (y / 2) * (width / 2) + x / 2
                    frame.planes[frame.uOffset + chroma] = UInt8(u)
                    frame.planes[frame.vOffset + chroma] = UInt8(v)
                }
            }
        }
        return frame
    }

    static func uniform(width: Int, height: Int, _ color: (Int, Int, Int)) -> I420Frame {
        frame(width: width, height: height) { _, _ in color }
    }
}
