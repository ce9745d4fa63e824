import ParleyCore
import Testing

@Suite("Contact IDs")
struct ContactIDTests {
    let id = ContactID(subjectPublicKeyInfo: Array("some public key".utf8))

    @Test func groupedFormHasNineGroupsOfFour() {
        let groups = id.grouped.split(separator: "-")
        #expect(groups.count == 9)
        #expect(groups.allSatisfy { $0.count == 4 })
        #expect(id.canonical.count == ContactID.length)
    }

    @Test func parsesAnySpellingOfTheSameID() throws {
        #expect(try ContactID(parsing: id.grouped) == id)
        #expect(try ContactID(parsing: id.canonical.lowercased()) == id)
        #expect(try ContactID(parsing: " " + id.grouped.replacingOccurrences(of: "-", with: " ") + " ") == id)
        let misread = id.canonical.replacingOccurrences(of: "1", with: "l").replacingOccurrences(of: "0", with: "O")
        #expect(try ContactID(parsing: misread) == id)
    }

    @Test func checkCharacterCatchesEverySingleCharacterTypo() {
        let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
        var symbols = Array(id.canonical)
        for position in symbols.indices {
            let original = symbols[position]
            for replacement in alphabet where replacement != original {
                symbols[position] = replacement
                #expect(throws: ContactIDError.checkCharacterMismatch) { try ContactID(parsing: String(symbols)) }
            }
            symbols[position] = original
        }
    }

    @Test func checkCharacterCatchesMostAdjacentSwaps() {
        var symbols = Array(id.canonical)
        var caught = 0, swaps = 0
        for position in 0..<(symbols.count - 1) where symbols[position] != symbols[position + 1] {
            symbols.swapAt(position, position + 1)
            swaps += 1
            if (try? ContactID(parsing: String(symbols))) == nil { caught += 1 }
            symbols.swapAt(position, position + 1)
        }
        #expect(caught * 10 >= swaps * 9, "caught \(caught) of \(swaps) swaps")
    }

    @Test func rejectsWrongLengthAndForeignCharacters() {
        #expect(throws: ContactIDError.wrongLength(found: 35, expected: 36)) {
            try ContactID(parsing: String(id.canonical.dropLast()))
        }
        #expect(throws: ContactIDError.invalidCharacter("U")) { try ContactID(parsing: "U" + id.canonical.dropFirst()) }
        #expect(throws: ContactIDError.invalidCharacter("é")) { try ContactID(parsing: "é") }
    }

    @Test func differentKeysGiveDifferentIDs() {
        #expect(ContactID(subjectPublicKeyInfo: [1, 2, 3]) != ContactID(subjectPublicKeyInfo: [1, 2, 4]))
    }
}
