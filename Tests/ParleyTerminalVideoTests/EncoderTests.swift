import Foundation
import ParleyMedia
import Testing
@testable import ParleyTerminalVideo

@Suite("Sixel and kitty encoders, the writer", .timeLimit(.minutes(1)))
struct EncoderTests {
    @Test func kittyChunksAreFramedAndCarryThePicture() throws {
        let width = 100, height = 100
        let rgb = (0 ..< width * height * 3).map { UInt8(truncatingIfNeeded: $0 * 7) }
        var output: [UInt8] = []
        KittyGraphicsEncoder.appendImage(rgb: rgb, width: width, height: height, imageID: 7, columns: 10, rows: 5, into: &output)
        let text = String(decoding: output, as: UTF8.self)
        let escapes = text.components(separatedBy: "\u{1B}\\").dropLast()
        #expect(escapes.count == 10)  // 40,000 bytes of base64: 9 x 4096 + 3136
        var payload = ""
        for (index, escape) in escapes.enumerated() {
            #expect(escape.hasPrefix("\u{1B}_G"))
            let parts = escape.dropFirst(3).split(separator: ";", maxSplits: 1).map(String.init)
            let keys = parts[0]
            if index == 0 {
                #expect(keys == "a=T,f=24,s=100,v=100,i=7,p=1,c=10,r=5,C=1,q=2,m=1")
            } else {
                #expect(keys == (index == escapes.count - 1 ? "m=0" : "m=1"))
            }
            #expect(parts[1].utf8.count <= 4096)
            payload += parts[1]
        }
        #expect(try #require(Data(base64Encoded: payload)) == Data(rgb))
        // A small picture is one escape with m=0.
        var small: [UInt8] = []
        KittyGraphicsEncoder.appendImage(rgb: [1, 2, 3, 4, 5, 6], width: 2, height: 1, imageID: 1, columns: 1, rows: 1, into: &small)
        #expect(String(decoding: small, as: UTF8.self) == "\u{1B}_Ga=T,f=24,s=2,v=1,i=1,p=1,c=1,r=1,C=1,q=2,m=0;AQIDBAUG\u{1B}\\")
        // Wrong sizes write nothing.
        var none: [UInt8] = []
        KittyGraphicsEncoder.appendImage(rgb: [1, 2, 3], width: 2, height: 1, imageID: 1, columns: 1, rows: 1, into: &none)
        #expect(none.isEmpty)
        #expect(String(decoding: KittyGraphicsEncoder.deleteImage(3), as: UTF8.self) == "\u{1B}_Ga=d,d=I,i=3,q=2\u{1B}\\")
    }

    @Test func base64MatchesFoundation() {
        for count in 0 ..< 20 {
            let bytes = (0 ..< count).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(String(decoding: Base64.encode(bytes), as: UTF8.self) == Data(bytes).base64EncodedString())
        }
    }

    @Test func sixelFraming() {
        // 12x8 red: two bands (6 + 2 rows), one colour register (red = cube 5,0,0 = 180).
        let encoder = SixelEncoder(dithers: false)
        var output: [UInt8] = []
        let pixels = [UInt32](repeating: 0xFF0000, count: 12 * 8)
        pixels.withUnsafeBufferPointer { encoder.append(pixels: $0, width: 12, height: 8, into: &output) }
        #expect(String(decoding: output, as: UTF8.self)
            == "\u{1B}P0;1;0q\"1;1;12;8#180;2;100;0;0#180!12~-#180!12B-\u{1B}\\")
        // Two colours in a band: separated by $ (carriage return), short runs written out.
        var two: [UInt8] = []
        let halves = (0 ..< 6 * 6).map { $0 % 6 < 3 ? UInt32(0xFFFFFF) : 0x000000 }
        halves.withUnsafeBufferPointer { encoder.append(pixels: $0, width: 6, height: 6, into: &two) }
        #expect(String(decoding: two, as: UTF8.self)
            == "\u{1B}P0;1;0q\"1;1;6;6#0;2;0;0;0#215;2;100;100;100#215~~~$#0???~~~-\u{1B}\\")
        var none: [UInt8] = []
        pixels.withUnsafeBufferPointer { encoder.append(pixels: $0, width: 13, height: 8, into: &none) }
        #expect(none.isEmpty)
    }

    @Test func pixelRenderersPlaceTheImageAndSkipUnchangedFrames() {
        let frame = TestFrames.uniform(width: 320, height: 240, TestFrames.red)
        var configuration = TerminalVideoRenderer.Configuration(kind: .sixel, cellPixelSize: PixelSize(width: 10, height: 20))
        let sixel = TerminalVideoRenderer(region: CellRect(row: 2, column: 4, columns: 40, rows: 12), configuration: configuration)
        let first = String(decoding: sixel.render(frame), as: UTF8.self)
        // 40x12 cells of 10x20 = 400x240 pixels: the 4:3 picture is 320x240, 32 cells wide, centred.
        #expect(first.contains("\u{1B}[3;9H\u{1B}P0;1;0q\"1;1;320;240"))
        #expect(first.hasSuffix("\u{1B}\\"))
        #expect(sixel.render(frame).isEmpty)
        sixel.invalidate()
        #expect(!sixel.render(frame).isEmpty)

        configuration.kind = .kitty
        configuration.blocks.synchronizedOutput = true
        let kitty = TerminalVideoRenderer(region: CellRect(row: 0, column: 0, columns: 40, rows: 12), configuration: configuration)
        let bytes = kitty.render(frame)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("\u{1B}[?2026h"))
        #expect(text.hasSuffix("\u{1B}[?2026l"))
        #expect(text.contains("\u{1B}[1;5H\u{1B}_Ga=T,f=24,s=320,v=240,i=1,p=1,c=32,r=12,C=1,q=2,m=1;"))
        #expect(kitty.render(frame).isEmpty)
        #expect(kitty.clearBytes() == KittyGraphicsEncoder.deleteImage(1))
    }

    /// A call's sender halves its picture on a narrow path: the same picture at half the size
    /// lands on the same cells and pixels, so nothing is sent again for it.
    @Test func aPictureAtHalfTheSizeKeepsItsPlace() {
        let full = TestFrames.uniform(width: 640, height: 480, TestFrames.red)
        let half = TestFrames.uniform(width: 320, height: 240, TestFrames.red)
        var configuration = TerminalVideoRenderer.Configuration(kind: .kitty, cellPixelSize: PixelSize(width: 10, height: 20))
        let kitty = TerminalVideoRenderer(region: CellRect(row: 0, column: 0, columns: 40, rows: 12), configuration: configuration)
        #expect(String(decoding: kitty.render(full), as: UTF8.self).contains("\u{1B}[1;5H\u{1B}_Ga=T,f=24,s=320,v=240,i=1,p=1,c=32,r=12,"))
        #expect(kitty.render(half).isEmpty, "the same picture at the same pixels and cells: nothing to send")
        configuration.kind = .sixel
        let sixel = TerminalVideoRenderer(region: CellRect(row: 2, column: 4, columns: 40, rows: 12), configuration: configuration)
        _ = sixel.render(full)
        #expect(sixel.render(half).isEmpty, "the same picture, scaled to the same pixels: nothing to send")
        configuration.kind = .blocks
        let blocks = TerminalVideoRenderer(region: CellRect(row: 0, column: 0, columns: 40, rows: 12), configuration: configuration)
        _ = blocks.render(full)
        _ = blocks.render(half)
        #expect(blocks.cellsSent == 0, "no cell changes")
    }

    @Test func mailboxKeepsOnlyTheNewest() {
        let mailbox = LatestFrameMailbox<Int>()
        #expect(mailbox.put(1))
        #expect(!mailbox.put(2))
        #expect(!mailbox.put(3))
        #expect(mailbox.dropped == 2)
        #expect(mailbox.take() == 3)
        #expect(mailbox.take(timeout: 0.05) == nil)
        mailbox.close()
        #expect(mailbox.take() == nil)
    }

    @Test func writerDrawsOnItsThreadAndDropsWhenBehind() throws {
        var descriptors: [Int32] = [0, 0]
        #expect(pipe(&descriptors) == 0)
        defer { close(descriptors[0]) }
        let writer = TerminalVideoWriter(
            descriptor: descriptors[1], region: CellRect(columns: 20, rows: 5), configuration: .init(kind: .blocks),
            overlay: { report in Array("[\(report.statistics.framesRendered)]".utf8) })
        let frames = (0 ..< 200).map { index in TestFrames.uniform(width: 40, height: 20, (16 + index, 128, 128)) }
        for frame in frames { writer.submit(frame) }
        writer.write(Array("end".utf8))
        writer.stop()
        close(descriptors[1])
        let statistics = writer.statistics
        #expect(statistics.framesSubmitted == 200)
        #expect(statistics.framesRendered + statistics.framesDropped == 200)
        #expect(statistics.framesRendered >= 1)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptors[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0 ..< count]
        }
        #expect(output.count == statistics.bytesWritten)
        let text = String(decoding: output, as: UTF8.self)
        #expect(text.contains("[\(statistics.framesRendered)]"))
        #expect(text.contains("end"))
    }
}
