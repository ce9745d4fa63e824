/// The kitty graphics protocol's framing: an RGB picture sent in base64 chunks of at most
/// 4096 bytes, each in its own APC escape (`ESC _ G keys ; payload ESC \`), `m=1` on every
/// chunk but the last (`m=0`). The first carries the keys:
/// `a=T` (transmit and display at the cursor), `f=24` (RGB), `s`/`v` (width/height in
/// pixels), `i` (image id: sending the same id again replaces the picture, so video does not
/// pile up images), `p=1` (one placement, replaced too), `c`/`r` (scaled into that many
/// columns and rows), `C=1` (the cursor does not move), `q=2` (no replies, which would
/// arrive as keys).
public enum KittyGraphicsEncoder {
    /// Largest base64 payload per escape.
    public static let chunkSize = 4096

    /// Appends the escapes that show `rgb` (`width * height * 3` bytes) at the cursor,
    /// scaled into `columns` x `rows` cells. Writes nothing when the sizes do not match.
    public static func appendImage(
        rgb: [UInt8], width: Int, height: Int, imageID: UInt32, columns: Int, rows: Int, into output: inout [UInt8]
    ) {
        guard width > 0, height > 0, columns > 0, rows > 0, width <= 10_000, height <= 10_000, rgb.count == width * height * 3 else { return }
        var payload: [UInt8] = []
        rgb.withUnsafeBufferPointer { Base64.encode($0, into: &payload) }
        var offset = 0
        var first = true
        repeat {
            let end = min(offset + chunkSize, payload.count)
            let more = end < payload.count
            output.append(contentsOf: [0x1B, UInt8(ascii: "_"), UInt8(ascii: "G")])
            if first {
                output.appendASCII("a=T,f=24,s=")
                output.appendDecimal(width)
                output.appendASCII(",v=")
                output.appendDecimal(height)
                output.appendASCII(",i=")
                output.appendDecimal(Int(imageID))
                output.appendASCII(",p=1,c=")
                output.appendDecimal(columns)
                output.appendASCII(",r=")
                output.appendDecimal(rows)
                output.appendASCII(",C=1,q=2,")
                first = false
            }
            output.appendASCII(more ? "m=1;" : "m=0;")
            output.append(contentsOf: payload[offset ..< end])
            output.append(contentsOf: [0x1B, UInt8(ascii: "\\")])
            offset = end
        } while offset < payload.count
    }

    /// The escape that deletes image `imageID` and its placements (`a=d,d=I`).
    public static func deleteImage(_ imageID: UInt32) -> [UInt8] {
        var output: [UInt8] = [0x1B, UInt8(ascii: "_"), UInt8(ascii: "G")]
        output.appendASCII("a=d,d=I,i=")
        output.appendDecimal(Int(imageID))
        output.appendASCII(",q=2")
        output.append(contentsOf: [0x1B, UInt8(ascii: "\\")])
        return output
    }
}
