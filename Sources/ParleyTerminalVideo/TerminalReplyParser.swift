/// Reads a terminal's answers to the capability queries (pure: bytes in, facts out).
///
/// Understood, anywhere in the bytes and in any order, everything else skipped (keys the
/// person typed, replies to other queries, garbage):
/// - kitty graphics: `ESC _ G … i=31 … ; OK ESC \` (or ended by BEL): supported; any other
///   message (`ENOTSUPPORTED:…`) is not;
/// - DECRPM for mode 2026: `ESC [ ? 2026 ; Ps $ y` with Ps 1, 2 or 3: synchronized output;
/// - the primary device attributes (the sentinel, asked last): `ESC [ ? Ps ; … c`; a 4
///   among the parameters means sixel;
/// - the cell size in pixels: `ESC [ 6 ; height ; width t`.
public struct TerminalReplyParser: Sendable {
    /// The image id the kitty query uses (`i=31`).
    public static let kittyQueryImageID = 31

    /// The capabilities found so far.
    public private(set) var capabilities = TerminalCapabilities.none
    /// True once the DA1 reply came: every terminal answers in order, so all the replies to
    /// the queries sent before it are in.
    public private(set) var sawDeviceAttributes = false

    private var buffer: [UInt8] = []
    private var scanned = 0
    /// Replies are short; more than this is not a terminal answering (the rest is ignored).
    public static let maximumBytes = 16 * 1024

    public init() {}

    /// Parses a whole reply at once.
    public static func parse(_ bytes: [UInt8]) -> TerminalReplyParser {
        var parser = TerminalReplyParser()
        parser.consume(bytes)
        return parser
    }

    /// Adds bytes as they arrive (a sequence may be split between calls).
    public mutating func consume(_ bytes: some Sequence<UInt8>) {
        for byte in bytes where buffer.count < Self.maximumBytes { buffer.append(byte) }
        scan()
    }

    private mutating func scan() {
        var index = scanned
        while index < buffer.count {
            guard buffer[index] == 0x1B else {
                index += 1
                scanned = index
                continue
            }
            guard index + 1 < buffer.count else { return }  // wait for more
            switch buffer[index + 1] {
            case UInt8(ascii: "["):
                guard let end = csiEnd(from: index + 2) else { return }
                if end == -1 {  // malformed: skip the ESC
                    index += 1
                } else {
                    handleCSI(parameters: index + 2, final: end)
                    index = end + 1
                }
            case UInt8(ascii: "_"):
                guard let (contentEnd, next) = stringEnd(from: index + 2) else { return }
                handleAPC(buffer[(index + 2) ..< contentEnd])
                index = next
            case UInt8(ascii: "P"), UInt8(ascii: "]"), UInt8(ascii: "^"):
                guard let (_, next) = stringEnd(from: index + 2) else { return }
                index = next
            default:
                index += 1
            }
            scanned = index
        }
    }

    /// The index of a CSI sequence's final byte; nil when incomplete, -1 when malformed.
    private func csiEnd(from start: Int) -> Int? {
        var index = start
        while index < buffer.count {
            let byte = buffer[index]
            if (0x40 ... 0x7E).contains(byte) { return index }
            if !(0x20 ... 0x3F).contains(byte) { return -1 }
            if index - start > 64 { return -1 }
            index += 1
        }
        return nil
    }

    /// The end of a string sequence (APC, DCS, OSC): ST (`ESC \`) or BEL; returns the end of
    /// the content and the index after the terminator, nil while incomplete.
    private func stringEnd(from start: Int) -> (Int, Int)? {
        var index = start
        while index < buffer.count {
            if buffer[index] == 0x07 { return (index, index + 1) }
            if buffer[index] == 0x1B {
                guard index + 1 < buffer.count else { return nil }
                if buffer[index + 1] == UInt8(ascii: "\\") { return (index, index + 2) }
            }
            index += 1
        }
        return nil
    }

    private mutating func handleCSI(parameters start: Int, final: Int) {
        let body = Array(buffer[start ..< final])
        let finalByte = buffer[final]
        let isPrivate = body.first == UInt8(ascii: "?")
        let numbers = Self.numbers(isPrivate ? Array(body.dropFirst()) : body)
        switch finalByte {
        case UInt8(ascii: "c") where isPrivate:
            sawDeviceAttributes = true
            if numbers.contains(4) { capabilities.sixel = true }
        case UInt8(ascii: "y") where isPrivate && body.last == UInt8(ascii: "$"):
            if numbers.count >= 2, numbers[0] == 2026, (1 ... 3).contains(numbers[1]) { capabilities.synchronizedOutput = true }
        case UInt8(ascii: "R") where !isPrivate:
            // The cursor after the probe sequence, written from column 1: column 3 when it took two cells.
            if numbers.count == 2, numbers[1] == 3 { capabilities.joinsEmojiSequences = true }
        case UInt8(ascii: "t") where !isPrivate:
            if numbers.count == 3, numbers[0] == 6, (1 ... 1000).contains(numbers[1]), (1 ... 1000).contains(numbers[2]) {
                capabilities.cellPixelSize = PixelSize(width: numbers[2], height: numbers[1])
            }
        default:
            break
        }
    }

    private mutating func handleAPC(_ content: ArraySlice<UInt8>) {
        guard content.first == UInt8(ascii: "G"), let semicolon = content.firstIndex(of: UInt8(ascii: ";")) else { return }
        let keys = String(decoding: content[content.index(after: content.startIndex) ..< semicolon], as: UTF8.self)
        let message = String(decoding: content[content.index(after: semicolon)...], as: UTF8.self)
        guard keys.split(separator: ",").contains("i=\(Self.kittyQueryImageID)") else { return }
        if message == "OK" { capabilities.kittyGraphics = true }
    }

    /// Decimal parameters separated by `;` (intermediate bytes such as `$` end the list);
    /// an empty or over-long parameter is -1.
    private static func numbers(_ bytes: [UInt8]) -> [Int] {
        var result: [Int] = []
        var current = 0
        var digits = 0
        for byte in bytes {
            if (0x30 ... 0x39).contains(byte) {
                if digits < 9 { current = current * 10 + Int(byte - 0x30) }
                digits += 1
            } else if byte == UInt8(ascii: ";") {
                result.append(digits == 0 || digits > 9 ? -1 : current)
                current = 0
                digits = 0
            } else {
                break
            }
        }
        result.append(digits == 0 || digits > 9 ? -1 : current)
        return result
    }
}
