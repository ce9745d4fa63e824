import Foundation
import ParleyWire
import Testing

@Suite("ByteWriter and ByteReader")
struct ByteIOTests {
    @Test func integersAreBigEndian() throws {
        var writer = ByteWriter()
        writer.writeUInt8(0xAB)
        writer.writeUInt16(0x0102)
        writer.writeUInt32(0x0304_0506)
        writer.writeUInt64(0x0708_090A_0B0C_0D0E)
        #expect(writer.bytes == hex("AB 0102 03040506 0708090A0B0C0D0E"))

        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUInt8(field: "a") == 0xAB)
        #expect(try reader.readUInt16(field: "b") == 0x0102)
        #expect(try reader.readUInt32(field: "c") == 0x0304_0506)
        #expect(try reader.readUInt64(field: "d") == 0x0708_090A_0B0C_0D0E)
        #expect(reader.isAtEnd)
    }

    @Test func stringsBytesUUIDsAndLists() throws {
        var writer = ByteWriter()
        writer.writeString("hé")
        writer.writeBytes([9, 8])
        writer.writeUUID(otherID)
        writer.writeBool(true)
        writer.writeList([UInt16(1), 2]) { $0.writeUInt16($1) }
        #expect(writer.bytes == hex("""
            00000003 68C3A9
            00000002 0908
            00112233445566778899AABBCCDDEEFF
            01
            0002 0001 0002
            """))

        var reader = ByteReader(writer.bytes)
        #expect(try reader.readString(field: "s", maxBytes: 3) == "hé")
        #expect(try reader.readBytes(field: "b", maxLength: 2) == [9, 8])
        #expect(try reader.readUUID(field: "u") == otherID)
        #expect(try reader.readBool(field: "f") == true)
        let list = try reader.readList(field: "l", allowedCount: 0 ... 2) {
            (r: inout ByteReader) throws(WireError) in try r.readUInt16(field: "l[]")
        }
        #expect(list == [1, 2])
        #expect(reader.remainingCount == 0)
    }

    @Test func lengthIsCheckedBeforeReading() {
        // Announces 2^32-1 bytes but carries none: must be "too long", not "truncated".
        var reader = ByteReader(hex("FFFFFFFF"))
        #expect(wireError { _ = try reader.readString(field: "s", maxBytes: 10) }
            == .fieldTooLong(field: "s", length: 0xFFFF_FFFF, limit: 10))
        #expect(reader.offset == 0, "a failed read leaves the reader in place")
    }

    @Test func truncatedPrimitives() {
        var reader = ByteReader([1, 2, 3])
        #expect(wireError { _ = try reader.readUInt32(field: "x") } == .truncated(field: "x"))
        #expect(wireError { _ = try reader.readUUID(field: "u") } == .truncated(field: "u"))
        #expect(wireError { _ = try reader.readString(field: "s", maxBytes: 100) } == .truncated(field: "s"))
        #expect(reader.offset == 0)
    }

    @Test(arguments: [
        "FF", "C0 80", "ED A0 80", "F4 90 80 80", "E2 82", "80", "F8 88 80 80 80",
    ])
    func invalidUTF8IsRejected(bytes: String) {
        let utf8 = hex(bytes)
        var writer = ByteWriter()
        writer.writeBytes(utf8)
        var reader = ByteReader(writer.bytes)
        #expect(wireError { _ = try reader.readString(field: "s", maxBytes: 100) } == .invalidUTF8(field: "s"))
    }

    @Test func validUTF8EdgeCasesAreAccepted() throws {
        for text in ["", "\u{1}", "\u{10FFFF}", "\u{FFFD}", "日本語", "e\u{301}"] {
            var writer = ByteWriter()
            writer.writeString(text)
            var reader = ByteReader(writer.bytes)
            let decoded = try reader.readString(field: "s", maxBytes: 100)
            #expect(Array(decoded.utf8) == Array(text.utf8))
        }
    }

    @Test func nulIsRefusedInStrings() {
        var writer = ByteWriter()
        writer.writeString("a\u{0}")
        var reader = ByteReader(writer.bytes)
        #expect(wireError { _ = try reader.readString(field: "s", maxBytes: 100) } == .nulCharacter(field: "s"))
        #expect(reader.offset == 0, "a failed read leaves the reader where it was")
    }

    @Test func boolOtherThanZeroOrOneIsInvalid() {
        var reader = ByteReader([2])
        #expect(wireError { _ = try reader.readBool(field: "b") } == .invalidValue(field: "b", value: 2))
    }

    @Test func listCountIsCheckedBeforeItems() {
        var reader = ByteReader(hex("FFFF"))
        let error = wireError {
            _ = try reader.readList(field: "l", allowedCount: 1 ... 4) {
                (r: inout ByteReader) throws(WireError) in try r.readUInt8(field: "l[]")
            }
        }
        #expect(error == .invalidCount(field: "l", count: 0xFFFF, allowed: 1 ... 4))
    }
}
