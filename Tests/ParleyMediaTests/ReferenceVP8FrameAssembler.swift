@testable import ParleyMedia

/// The assembler as it was before its index (it rescans every buffered packet on each
/// insert): simple enough to be obviously right, so `VP8FrameAssembler` is checked
/// against it packet by packet (`VP8FrameAssemblerEquivalenceTests`). Not for use.
///
/// Reassembles VP8 frames from RTP packets (RFC 7741) by sequence number, timestamp,
/// the S bit and the marker. It never outputs an incomplete frame: when a packet is
/// missing (more than `reorderTolerance` later packets arrived, or skipped over by a
/// complete keyframe) the frame is dropped, delta frames are dropped until the next
/// keyframe, and `needsKeyframe` is set so the caller sends an RTCP PLI.
struct ReferenceVP8FrameAssembler: Sendable {
    /// How far (in sequence numbers) packets may arrive past a gap before it counts as loss.
    let reorderTolerance: Int
    /// The most packets held; beyond it everything is dropped and a keyframe requested.
    let capacity: Int
    /// Set on loss; cleared by `takeKeyframeRequest()`.
    private(set) var needsKeyframe = false
    private(set) var framesAssembled = 0
    private(set) var framesDropped = 0
    private(set) var packetsDiscarded = 0

    private struct Fragment: Sendable {
        var timestamp: UInt32
        var marker: Bool
        var startsFrame: Bool
        var pictureID: UInt16?
        var data: ArraySlice<UInt8>
    }

    private var sequences = RTPSequenceUnwrapper()
    private var fragments: [Int64: Fragment] = [:]
    /// The sequence number that follows the last frame handled; nil until the first keyframe.
    private var nextSequence: Int64?
    private var waitingForKeyframe = true

    init(reorderTolerance: Int = 3, capacity: Int = 2048) {
        self.reorderTolerance = reorderTolerance
        self.capacity = capacity
    }

    /// Returns whether a keyframe was requested since the last call, and clears it.
    mutating func takeKeyframeRequest() -> Bool {
        defer { needsKeyframe = false }
        return needsKeyframe
    }

    /// Adds one RTP packet of the VP8 stream; returns the frames it completed, in order.
    mutating func insert(_ packet: RTPPacket) throws(VP8PayloadError) -> [VP8AssembledFrame] {
        let (descriptor, size) = try VP8PayloadDescriptor.parse(packet.payload)
        let sequence = sequences.unwrap(packet.header.sequenceNumber)
        if let nextSequence, sequence < nextSequence {
            packetsDiscarded += 1   // late or duplicate: its frame was handled already
            return []
        }
        fragments[sequence] = Fragment(
            timestamp: packet.header.timestamp, marker: packet.header.marker, startsFrame: descriptor.startsFrame,
            pictureID: descriptor.pictureID?.value, data: packet.payload[size...])
        if fragments.count > capacity {
            packetsDiscarded += fragments.count
            fragments.removeAll()
            nextSequence = nil
            loss()
            return []
        }
        return drain()
    }

    private mutating func loss() {
        framesDropped += 1
        waitingForKeyframe = true
        needsKeyframe = true
    }

    /// The frame starting at `start` if all its packets are present.
    private func completeFrame(at start: Int64) -> (frame: VP8AssembledFrame, end: Int64)? {
        guard let first = fragments[start], first.startsFrame else { return nil }
        var sequence = start
        while let fragment = fragments[sequence], fragment.timestamp == first.timestamp {
            if sequence != start && fragment.startsFrame { return nil }
            if fragment.marker {
                var data: [UInt8] = []
                for part in start ... sequence { data += fragments[part]?.data ?? [] }
                let isKeyframe = first.data.first.map { $0 & 0x01 == 0 } ?? false
                let frame = VP8AssembledFrame(data: data, timestamp: first.timestamp, isKeyframe: isKeyframe, pictureID: first.pictureID)
                return (frame, sequence + 1)
            }
            sequence += 1
        }
        return nil
    }

    private func firstCompleteKeyframe(after sequence: Int64) -> Int64? {
        fragments.keys.filter { $0 > sequence }.sorted().first { start in
            completeFrame(at: start)?.frame.isKeyframe ?? false
        }
    }

    private mutating func skip(to sequence: Int64) {
        for key in fragments.keys where key < sequence {
            fragments[key] = nil
        }
        nextSequence = sequence
    }

    private mutating func drain() -> [VP8AssembledFrame] {
        var output: [VP8AssembledFrame] = []
        while true {
            guard let next = nextSequence else {
                // Not started: begin at the first complete keyframe.
                if let start = firstCompleteKeyframe(after: .min) {
                    skip(to: start)
                    continue
                }
                // Joined mid-stream: a complete delta frame and no keyframe to start from.
                if fragments.keys.contains(where: { completeFrame(at: $0) != nil }) {
                    needsKeyframe = true
                }
                return output
            }
            if let (frame, end) = completeFrame(at: next) {
                skip(to: end)
                if frame.isKeyframe { waitingForKeyframe = false }
                if waitingForKeyframe {
                    framesDropped += 1
                    needsKeyframe = true
                } else {
                    framesAssembled += 1
                    output.append(frame)
                }
                continue
            }
            // Something at `next` is missing.
            guard let highest = sequences.highest, highest >= next else { return output }
            if let keyframe = firstCompleteKeyframe(after: next) {
                // The frames before a keyframe are not needed to decode what follows: drop
                // them without asking for another keyframe.
                framesDropped += 1
                skip(to: keyframe)
                continue
            }
            var firstMissing = next
            while fragments[firstMissing] != nil { firstMissing += 1 }
            guard highest - firstMissing > Int64(reorderTolerance) else { return output }
            // Give up on the broken frame: resume at the next frame start with another timestamp.
            loss()
            let brokenTimestamp = fragments[next]?.timestamp
            let resume = fragments.filter { key, fragment in
                key > next && fragment.startsFrame && fragment.timestamp != brokenTimestamp
            }.keys.min()
            if let resume {
                skip(to: resume)
            } else {
                skip(to: highest + 1)
                // Keep the newest packets that may belong to a frame still arriving.
                return output
            }
        }
    }
}
