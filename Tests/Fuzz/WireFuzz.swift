// libFuzzer target for ParleyWire. Not part of the SwiftPM package: it is
// compiled together with the module's sources, see README.md.
//
// Input layout: byte 0 chooses how the rest is fed to FrameDecoder
// (0 = one append, k = chunks of k bytes, so 1 = byte at a time); the rest is
// the byte stream. Checked properties (any violation calls fatalError):
//  * chunking never changes the frames produced or the error reached;
//  * after an error the decoder keeps failing; without one, consumed plus
//    buffered bytes account for every byte appended;
//  * every frame re-encodes to bytes that decode to the same frame;
//  * a frame that decodes to a message: the message passes validate(), its
//    re-encoding decodes to an equal message, and for known types the
//    re-encoded payload is a prefix of the received one (decoding is exact).

#if canImport(ParleyWire)
import ParleyWire
#endif

private struct DecodeResult: Equatable {
    var frames: [Frame] = []
    var error: WireError?
}

private func decodeStream(_ stream: [UInt8], chunkSize: Int) -> DecodeResult {
    var decoder = FrameDecoder()
    var result = DecodeResult()
    var consumed = 0
    var index = 0
    repeat {
        let end = min(index + chunkSize, stream.count)
        decoder.append(stream[index ..< end])
        index = end
        do {
            while let frame = try decoder.nextFrame() {
                consumed += FrameHeader.size + frame.payload.count
                result.frames.append(frame)
            }
        } catch {
            result.error = error
            do {
                _ = try decoder.nextFrame()
                fatalError("decoder recovered after \(error)")
            } catch {}
            return result
        }
        if consumed + decoder.bufferedByteCount != index {
            fatalError("byte accounting: consumed \(consumed) + buffered \(decoder.bufferedByteCount) != \(index)")
        }
    } while index < stream.count
    return result
}

private func check(_ frame: Frame) {
    var redecoder = FrameDecoder()
    redecoder.append(frame.encoded())
    guard let again = try? redecoder.nextFrame(), again == frame, redecoder.bufferedByteCount == 0 else {
        fatalError("frame did not survive re-encoding: \(frame)")
    }

    let message: WireMessage
    do {
        message = try WireMessage(frame: frame)
    } catch {
        let close = CloseReason(protocolError: error)
        if (try? close.validate()) == nil { fatalError("CLOSE reason for \(error) breaks the limit") }
        return
    }
    do {
        try message.validate()
    } catch {
        fatalError("decoded message fails validate(): \(error) for \(message)")
    }
    let reencoded = message.frame()
    let roundTrip: WireMessage
    do {
        roundTrip = try WireMessage(frame: reencoded)
    } catch {
        fatalError("re-encoded message does not decode: \(error) for \(message)")
    }
    if roundTrip != message {
        fatalError("round trip changed the message: \(message) -> \(roundTrip)")
    }
    if case .unknown = message {
        if reencoded != Frame(type: frame.type, version: frame.version, flags: 0, payload: frame.payload) {
            fatalError("unknown frame not kept verbatim: \(frame)")
        }
    } else if reencoded.type != frame.type || !frame.payload.starts(with: reencoded.payload) {
        fatalError("re-encoded payload is not a prefix of the received one: \(frame) -> \(reencoded)")
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let stream = Array(input.dropFirst())
    let whole = decodeStream(stream, chunkSize: max(stream.count, 1))
    if input[0] != 0 {
        let chunked = decodeStream(stream, chunkSize: Int(input[0]))
        if chunked != whole {
            fatalError("chunks of \(input[0]) gave \(chunked), one append gave \(whole)")
        }
    }
    whole.frames.forEach(check)
    return 0
}
