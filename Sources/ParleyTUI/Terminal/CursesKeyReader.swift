import CNCursesW

/// Reads curses input and decodes it into `KeyInput`s: control keys,
/// Alt-keys (Escape + key), bracketed pastes, and function keys including
/// the modified arrows that ncurses numbers at run time.
struct CursesKeyReader {
    private var extended: [Int32: KeyInput] = [:]

    /// Learns the codes ncurses gave to Ctrl/Alt-modified arrows for this terminal.
    mutating func bindExtendedKeys() {
        let capabilities: [(String, KeyInput)] = [
            ("kUP3", .altUp), ("kDN3", .altDown), ("kLFT5", .wordLeft), ("kRIT5", .wordRight),
            ("kLFT3", .wordLeft), ("kRIT3", .wordRight), ("kEND3", .altEnd), ("kEND5", .altEnd),
        ]
        for (capability, key) in capabilities {
            let code = capability.withCString { parley_key_code_for_capability($0) }
            if code > 0 { extended[code] = key }
        }
    }

    /// One raw read: a character, a key code, or nothing.
    private enum Raw { case character(UInt32), keyCode(Int32), none }

    private func next(timeoutMilliseconds: Int32) -> Raw {
        timeout(timeoutMilliseconds)
        var value: wint_t = 0
        let result = parley_get_wch(&value)
        if result == parley_key_code_yes() { return .keyCode(Int32(value)) }
        if result == OK { return .character(UInt32(value)) }
        return .none
    }

    /// Waits for the first input, then takes whatever else is already there —
    /// and, inside a bracketed paste, waits (up to a few seconds) for its end
    /// marker, so a large or slow paste stays one paste.
    mutating func read(timeoutMilliseconds: Int32) -> [KeyInput] {
        var raws: [Raw] = []
        var first = next(timeoutMilliseconds: timeoutMilliseconds)
        var waitedForPaste: Int32 = 0
        while true {
            if case .none = first {
                guard Self.insideUnfinishedPaste(raws), waitedForPaste < 3_000 else { break }
                waitedForPaste += 100
                first = next(timeoutMilliseconds: 100)
                continue
            }
            raws.append(first)
            if raws.count >= 4_194_304 { break }
            if raws.count % 65_536 == 0 && !Self.insideUnfinishedPaste(raws) { break }
            first = next(timeoutMilliseconds: 0)
        }
        return decode(raws)
    }

    /// Whether the last bracketed-paste start (ESC [ 2 0 0 ~) has no end (ESC [ 2 0 1 ~) after it.
    private static func insideUnfinishedPaste(_ raws: [Raw]) -> Bool {
        let characters = raws.map { raw -> UInt32 in if case .character(let value) = raw { value } else { 0 } }
        func marker(_ last: UInt32) -> Int? {
            let pattern: [UInt32] = [27, 91, 50, 48, last, 126]
            guard characters.count >= pattern.count else { return nil }
            return (0...(characters.count - pattern.count)).last { start in
                (0..<pattern.count).allSatisfy { characters[start + $0] == pattern[$0] }
            }
        }
        guard let start = marker(48) else { return false }
        guard let end = marker(49) else { return true }
        return end < start
    }

    private func decode(_ raws: [Raw]) -> [KeyInput] {
        var keys: [KeyInput] = []
        var index = 0
        func character(at offset: Int) -> UInt32? {
            guard offset < raws.count, case .character(let value) = raws[offset] else { return nil }
            return value
        }
        while index < raws.count {
            switch raws[index] {
            case .none:
                index += 1
            case .keyCode(let code):
                keys.append(key(forCode: code))
                index += 1
            case .character(let value):
                if value == 27 {
                    // Bracketed paste: ESC [ 2 0 0 ~ … ESC [ 2 0 1 ~
                    let start: [UInt32] = [91, 50, 48, 48, 126]
                    if (0..<5).allSatisfy({ character(at: index + 1 + $0) == start[$0] }) {
                        var pasted = String.UnicodeScalarView()
                        var cursor = index + 6
                        let end: [UInt32] = [27, 91, 50, 48, 49, 126]
                        while cursor < raws.count, !(0..<6).allSatisfy({ character(at: cursor + $0) == end[$0] }) {
                            if let scalar = character(at: cursor).flatMap(Unicode.Scalar.init) { pasted.append(scalar) }
                            cursor += 1
                        }
                        keys.append(.paste(String(pasted).replacingCarriageReturns()))
                        index = min(raws.count, cursor + 6)
                        continue
                    }
                    if let next = character(at: index + 1) {
                        if next == 91 || next == 79 {
                            // An escape sequence curses did not know (TERM says another terminal,
                            // as in tmux or over SSH): Home and End in their common spellings are
                            // understood, the rest is skipped.
                            var cursor = index + 2
                            while let byte = character(at: cursor), !(0x40...0x7E).contains(byte) { cursor += 1 }
                            let body = (index + 1 ... min(cursor, raws.count - 1)).compactMap { character(at: $0) }
                            if let known = Self.homeOrEnd(body) { keys.append(known) }
                            index = cursor + 1
                            continue
                        }
                        if next == 95 || next == 80 || next == 93 {
                            // ESC _ / ESC P / ESC ] … ST or BEL: a string a terminal sent (a late
                            // answer to the capability query), never keys: skipped whole.
                            var cursor = index + 2
                            while let byte = character(at: cursor), byte != 7, !(byte == 27 && character(at: cursor + 1) == 92) {
                                cursor += 1
                            }
                            index = cursor + (character(at: cursor) == 7 ? 1 : 2)
                            continue
                        }
                        if let scalar = Unicode.Scalar(next) {
                            keys.append(.alt(Character(scalar)))
                            index += 2
                            continue
                        }
                    }
                    if index + 1 < raws.count, case .keyCode(let code) = raws[index + 1] {
                        let inner = key(forCode: code)
                        keys.append(inner == .up ? .altUp : inner == .down ? .altDown : inner)
                        index += 2
                        continue
                    }
                    keys.append(.escape)
                    index += 1
                    continue
                }
                keys.append(key(forCharacter: value))
                index += 1
            }
        }
        return Self.groupingPastedBursts(keys)
    }

    /// Home and End as terminals other than the one TERM names send them (after ESC):
    /// `[1~` `[7~` `[H` `OH` and `[4~` `[8~` `[F` `OF`; Alt/Ctrl-End `[1;3F` `[1;5F`.
    static func homeOrEnd(_ body: [UInt32]) -> KeyInput? {
        switch String(String.UnicodeScalarView(body.compactMap(Unicode.Scalar.init))) {
        case "[1~", "[7~", "[H", "OH": .home
        case "[4~", "[8~", "[F", "OF": .end
        case "[1;3F", "[1;5F": .altEnd
        default: nil
        }
    }

    /// Without bracketed paste, a multi-line paste arrives as text with Enter
    /// keys inside one burst: keep it as one paste instead of sending each line.
    static func groupingPastedBursts(_ keys: [KeyInput]) -> [KeyInput] {
        guard let lastEnter = keys.lastIndex(of: .enter), lastEnter < keys.count - 1,
              keys.filter({ if case .text = $0 { return true } else { return false } }).count > 1,
              keys.allSatisfy({ if case .text = $0 { return true }; return $0 == .enter })
        else { return keys }
        let text = keys.map { key -> String in
            if case .text(let text) = key { return text }
            return "\n"
        }.joined()
        return [.paste(text)]
    }

    private func key(forCharacter value: UInt32) -> KeyInput {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(value + 96)!))
        case 0, 28...31: return .text("")
        default:
            guard let scalar = Unicode.Scalar(value) else { return .text("") }
            return .text(String(Character(scalar)))
        }
    }

    private func key(forCode code: Int32) -> KeyInput {
        if let mapped = extended[code] { return mapped }
        switch code {
        case parley_key_resize(): return .resize
        case parley_key_up(): return .up
        case parley_key_down(): return .down
        case parley_key_left(): return .left
        case parley_key_right(): return .right
        case parley_key_home(): return .home
        case parley_key_end(): return .end
        case parley_key_backspace(): return .backspace
        case parley_key_delete(): return .delete
        case parley_key_page_up(): return .pageUp
        case parley_key_page_down(): return .pageDown
        case parley_key_back_tab(): return .backTab
        case parley_key_enter(): return .enter
        default:
            for number in 1...12 where code == parley_key_f(Int32(number)) { return .function(number) }
            return .text("")
        }
    }
}

extension String {
    func replacingCarriageReturns() -> String {
        replacing("\r\n", with: "\n").replacing("\r", with: "\n")
    }
}
