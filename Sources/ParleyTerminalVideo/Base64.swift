/// Standard base64 (RFC 4648, with padding) into a byte buffer, for the kitty graphics
/// protocol's payloads.
enum Base64 {
    private static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Bytes of the encoding of `count` bytes.
    static func encodedCount(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    /// Appends the encoding of `bytes` to `output`.
    static func encode(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        let count = bytes.count
        let start = output.count
        output.append(contentsOf: repeatElement(UInt8(ascii: "="), count: encodedCount(count)))
        alphabet.withUnsafeBufferPointer { alphabet in
            output.withUnsafeMutableBufferPointer { output in
                var index = 0
                var out = start
                while index + 3 <= count {
                    let value = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
                    output[out] = alphabet[value >> 18 & 63]
                    output[out + 1] = alphabet[value >> 12 & 63]
                    output[out + 2] = alphabet[value >> 6 & 63]
                    output[out + 3] = alphabet[value & 63]
                    index += 3
                    out += 4
                }
                let rest = count - index
                if rest > 0 {
                    let value = Int(bytes[index]) << 16 | (rest == 2 ? Int(bytes[index + 1]) << 8 : 0)
                    output[out] = alphabet[value >> 18 & 63]
                    output[out + 1] = alphabet[value >> 12 & 63]
                    if rest == 2 { output[out + 2] = alphabet[value >> 6 & 63] }
                }
            }
        }
    }

    static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        bytes.withUnsafeBufferPointer { encode($0, into: &output) }
        return output
    }
}
