/// A complete VP8 frame reassembled from RTP packets.
public struct VP8AssembledFrame: Equatable, Sendable {
    public var data: [UInt8]
    /// The 90 kHz RTP timestamp.
    public var timestamp: UInt32
    public var isKeyframe: Bool
    public var pictureID: UInt16?
}

/// Reassembles VP8 frames from RTP packets (RFC 7741) by sequence number, timestamp,
/// the S bit and the marker. It never outputs an incomplete frame: when a packet is
/// missing (more than `reorderTolerance` later packets arrived, or the caller gave up on
/// it with `abandon(through:)` when it waits for retransmissions, or it was skipped over
/// by a complete keyframe) the frame is dropped, delta frames are dropped until the next
/// keyframe, and `needsKeyframe` is set so the caller sends an RTCP PLI.
///
/// Waiting for retransmissions makes this the video jitter buffer: complete frames behind
/// a missing packet are held (they cannot be decoded without it) until the packet comes or
/// the caller gives up on it.
///
/// The packets are faced with hostile input, so nothing is rescanned per packet: buffered
/// packets are kept as segments (runs that can form one frame) indexed by first sequence
/// number, with the complete keyframes indexed apart. An insert costs O(log n) lookups
/// plus at most a few moves of the sorted index (n ≤ `capacity`), and the packets a frame
/// hands on or drops are visited once more.
public struct VP8FrameAssembler: Sendable {
    /// How far (in sequence numbers) packets may arrive past a gap before it counts as loss.
    public let reorderTolerance: Int
    /// When true a gap is only loss once the caller abandons it (or it grows past half the
    /// capacity); the caller asks for the missing packets meanwhile.
    public let waitsForRetransmission: Bool
    /// The most packets held; beyond it everything is dropped and a keyframe requested.
    public let capacity: Int
    /// Set on loss; cleared by `takeKeyframeRequest()`.
    public private(set) var needsKeyframe = false
    public private(set) var framesAssembled = 0
    public private(set) var framesDropped = 0
    public private(set) var packetsDiscarded = 0

    private struct Fragment: Sendable {
        var timestamp: UInt32
        var marker: Bool
        var startsFrame: Bool
        var pictureID: UInt16?
        var data: ArraySlice<UInt8>

        /// Whether `next`, one sequence number later, continues the frame this packet is in.
        func isContinued(by next: Fragment) -> Bool {
            !marker && !next.startsFrame && next.timestamp == timestamp
        }
    }

    /// Consecutive buffered packets, each continuing the one before (same timestamp, no S
    /// bit, no marker before it), and as long as that allows. A frame is complete exactly
    /// when a segment's first packet starts a frame and its last one carries the marker.
    private struct Segment: Sendable {
        var last: Int64
        var isCompleteFrame: Bool
        var isKeyframe: Bool
    }

    private var sequences = RTPSequenceUnwrapper()
    private var fragments: [Int64: Fragment] = [:]
    /// Every buffered packet is in exactly one segment; keyed by its first sequence number.
    private var segments: [Int64: Segment] = [:]
    private var segmentStarts = AscendingSequenceNumbers()
    private var completeKeyframeStarts = AscendingSequenceNumbers()
    private var completeFrameCount = 0
    /// The sequence number that follows the last frame handled; nil until the first keyframe.
    private var nextSequence: Int64?
    /// The last of the consecutive buffered packets from `nextSequence` on (nil when it is not
    /// buffered), kept up to date so a gap is found without walking the packets each time.
    private var lastConsecutive: Int64?
    private var waitingForKeyframe = true

    /// Everything up to here may be treated as lost (`waitsForRetransmission`).
    private var abandonedThrough: Int64 = .min
    /// The unwrapped sequence number of the last packet inserted.
    public private(set) var lastInserted: Int64?

    public init(reorderTolerance: Int = 3, capacity: Int = 2048, waitsForRetransmission: Bool = false) {
        self.reorderTolerance = reorderTolerance
        self.capacity = capacity
        self.waitsForRetransmission = waitsForRetransmission
    }

    /// The first sequence number not handled yet (packets before it are not needed any
    /// more); nil until the first keyframe.
    public var nextNeeded: Int64? { nextSequence }

    /// Gives up on the missing packets up to `sequence`: the frames they belong to are
    /// dropped. Returns the frames this lets through.
    public mutating func abandon(through sequence: Int64) -> [VP8AssembledFrame] {
        abandonedThrough = max(abandonedThrough, sequence)
        return drain()
    }

    /// Returns whether a keyframe was requested since the last call, and clears it.
    public mutating func takeKeyframeRequest() -> Bool {
        defer { needsKeyframe = false }
        return needsKeyframe
    }

    /// Adds one RTP packet of the VP8 stream; returns the frames it completed, in order.
    public mutating func insert(_ packet: RTPPacket) throws(VP8PayloadError) -> [VP8AssembledFrame] {
        let (descriptor, size) = try VP8PayloadDescriptor.parse(packet.payload)
        let sequence = sequences.unwrap(packet.header.sequenceNumber)
        lastInserted = sequence
        if let nextSequence, sequence < nextSequence {
            packetsDiscarded += 1   // late or duplicate: its frame was handled already
            return []
        }
        store(Fragment(
            timestamp: packet.header.timestamp, marker: packet.header.marker, startsFrame: descriptor.startsFrame,
            pictureID: descriptor.pictureID?.value, data: packet.payload[size...]), at: sequence)
        if fragments.count > capacity {
            packetsDiscarded += fragments.count
            removeEverything()
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

    // MARK: - The index

    /// Adds (or replaces: a duplicate overwrites) the packet at `sequence` and rebuilds the
    /// segments next to it; only the links to `sequence - 1` and `sequence + 1` can change.
    private mutating func store(_ fragment: Fragment, at sequence: Int64) {
        let isNew = fragments[sequence] == nil
        let previous = fragments[sequence - 1], next = fragments[sequence + 1]
        let before = previous == nil ? nil : segmentStart(containing: sequence - 1)
        let after = next == nil ? nil : segmentStart(containing: sequence + 1)
        let lastAfter = after.flatMap { segments[$0]?.last }
        let own = isNew ? nil : segmentStart(containing: sequence)
        fragments[sequence] = fragment

        // The segments now around `sequence`: the piece before it, its own, the piece after it.
        var first = sequence, last = sequence
        var pieceBefore: Int64?, pieceAfter: Int64?
        if let before, let previous {
            if previous.isContinued(by: fragment) { first = before } else { pieceBefore = before }
        }
        if let lastAfter, let next {
            if fragment.isContinued(by: next) { last = lastAfter } else { pieceAfter = sequence + 1 }
        }
        // Segments that no longer start where they did (up to three; fewer when they coincide).
        for old in [before, own, after] {
            if let old, old != first, old != pieceBefore, old != pieceAfter { removeSegment(startingAt: old) }
        }
        if let pieceBefore { setSegment(from: pieceBefore, to: sequence - 1) }
        if let pieceAfter, let lastAfter { setSegment(from: pieceAfter, to: lastAfter) }
        setSegment(from: first, to: last, head: first == sequence ? fragment : nil, tail: last == sequence ? fragment : nil)

        // A new packet right after the consecutive ones from `nextSequence` extends them (with
        // any that arrived earlier behind it); each packet is passed over once this way.
        if isNew, let nextSequence, sequence == (lastConsecutive ?? nextSequence - 1) + 1 {
            lastConsecutive = lastBuffered(from: sequence)
        }
    }

    /// The last of the consecutive buffered packets from `sequence` on (itself buffered).
    private func lastBuffered(from sequence: Int64) -> Int64 {
        var last = sequence
        while fragments[last + 1] != nil { last += 1 }
        return last
    }

    /// The first sequence number of the segment holding the buffered packet `sequence`.
    private func segmentStart(containing sequence: Int64) -> Int64? {
        segmentStarts.last(atMost: sequence)
    }

    /// Records the segment `first...last`, replacing one that starts at `first`; `head` and
    /// `tail` are its first and last packets when the caller has them at hand.
    private mutating func setSegment(from first: Int64, to last: Int64, head: Fragment? = nil, tail: Fragment? = nil) {
        guard let head = head ?? fragments[first], let tail = tail ?? fragments[last] else { return }
        let isCompleteFrame = head.startsFrame && tail.marker
        let isKeyframe = isCompleteFrame && (head.data.first.map { $0 & 0x01 == 0 } ?? false)
        let replaced = segments.updateValue(Segment(last: last, isCompleteFrame: isCompleteFrame, isKeyframe: isKeyframe), forKey: first)
        if replaced == nil { segmentStarts.insert(first) }
        completeFrameCount += (isCompleteFrame ? 1 : 0) - (replaced?.isCompleteFrame == true ? 1 : 0)
        if isKeyframe && replaced?.isKeyframe != true { completeKeyframeStarts.insert(first) }
        if !isKeyframe && replaced?.isKeyframe == true { completeKeyframeStarts.remove(first) }
    }

    private mutating func removeSegment(startingAt first: Int64) {
        guard let segment = segments.removeValue(forKey: first) else { return }
        segmentStarts.remove(first)
        if segment.isCompleteFrame { completeFrameCount -= 1 }
        if segment.isKeyframe { completeKeyframeStarts.remove(first) }
    }

    /// Drops every buffered packet before `sequence`. A segment reaching past it keeps its
    /// part from `sequence` on.
    private mutating func removeAll(before sequence: Int64) {
        completeKeyframeStarts.removeAll(before: sequence)
        let removedSegments = segmentStarts.count(before: sequence)
        var reachingPast: Int64?
        for index in 0 ..< removedSegments {
            let first = segmentStarts[index]
            guard let segment = segments.removeValue(forKey: first) else { continue }
            if segment.isCompleteFrame { completeFrameCount -= 1 }
            if segment.last >= sequence { reachingPast = segment.last }
            for removed in first ... min(segment.last, sequence - 1) { fragments[removed] = nil }
        }
        segmentStarts.removeAll(before: sequence)
        if let reachingPast { setSegment(from: sequence, to: reachingPast) }
    }

    private mutating func removeEverything() {
        fragments.removeAll()
        segments.removeAll()
        segmentStarts.removeAll()
        completeKeyframeStarts.removeAll()
        completeFrameCount = 0
        lastConsecutive = nil
    }

    // MARK: - Assembly

    /// The frame starting at `start` if all its packets are present.
    private func completeFrame(at start: Int64) -> (frame: VP8AssembledFrame, end: Int64)? {
        guard let segment = segments[start], segment.isCompleteFrame, let first = fragments[start] else { return nil }
        var data: [UInt8] = []
        for part in start ... segment.last { data += fragments[part]?.data ?? [] }
        let frame = VP8AssembledFrame(data: data, timestamp: first.timestamp, isKeyframe: segment.isKeyframe, pictureID: first.pictureID)
        return (frame, segment.last + 1)
    }

    private func firstCompleteKeyframe(after sequence: Int64) -> Int64? {
        completeKeyframeStarts.first(after: sequence)
    }

    /// The first sequence number from `nextSequence` on that no buffered packet has.
    private func firstMissing(from next: Int64) -> Int64 {
        (lastConsecutive ?? next - 1) + 1
    }

    /// The first frame start after `sequence` whose timestamp is not `timestamp`.
    private func firstFrameStart(after sequence: Int64, timestampOtherThan timestamp: UInt32?) -> Int64? {
        // Every frame start begins a segment; the segments passed over here are dropped next.
        segmentStarts.elements(after: sequence).first { start in
            guard let fragment = fragments[start] else { return false }
            return fragment.startsFrame && fragment.timestamp != timestamp
        }
    }

    private mutating func skip(to sequence: Int64) {
        removeAll(before: sequence)
        nextSequence = sequence
        // Still consecutive from `sequence` when it was inside the old run; else look again
        // (the packets looked at are then dropped before this is needed once more).
        if let last = lastConsecutive, last >= sequence { return }
        lastConsecutive = fragments[sequence] == nil ? nil : lastBuffered(from: sequence)
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
                if completeFrameCount > 0 {
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
            let missing = firstMissing(from: next)
            if waitsForRetransmission {
                guard missing <= abandonedThrough || highest - missing > Int64(capacity / 2) else { return output }
            } else {
                guard highest - missing > Int64(reorderTolerance) else { return output }
            }
            // Give up on the broken frame: resume at the next frame start with another timestamp.
            loss()
            if let resume = firstFrameStart(after: next, timestampOtherThan: fragments[next]?.timestamp) {
                skip(to: resume)
            } else {
                skip(to: highest + 1)
                // Keep the newest packets that may belong to a frame still arriving.
                return output
            }
        }
    }
}

/// Distinct sequence numbers in ascending order, with binary-search lookups. Inserting
/// and removing move at most `count` 8-byte values, so the cost per packet stays small
/// and bounded by the assembler's capacity.
struct AscendingSequenceNumbers: Sendable {
    private var values: [Int64] = []

    /// The index of the first value that is not below `value`.
    private func index(notBelow value: Int64) -> Int {
        var low = 0, high = values.count
        while low < high {
            let middle = (low + high) / 2
            if values[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    mutating func insert(_ value: Int64) {
        let index = index(notBelow: value)
        if index == values.count || values[index] != value { values.insert(value, at: index) }
    }

    mutating func remove(_ value: Int64) {
        let index = index(notBelow: value)
        if index < values.count && values[index] == value { values.remove(at: index) }
    }

    /// The greatest value that is at most `value`.
    func last(atMost value: Int64) -> Int64? {
        let index = index(notBelow: value)
        if index < values.count && values[index] == value { return value }
        return index == 0 ? nil : values[index - 1]
    }

    /// The least value greater than `value`.
    func first(after value: Int64) -> Int64? {
        let index = value == .max ? values.count : index(notBelow: value + 1)
        return index < values.count ? values[index] : nil
    }

    /// The values greater than `value`, ascending.
    func elements(after value: Int64) -> ArraySlice<Int64> {
        values[(value == .max ? values.count : index(notBelow: value + 1))...]
    }

    subscript(index: Int) -> Int64 { values[index] }

    /// How many values are below `value` (they are the first ones).
    func count(before value: Int64) -> Int { index(notBelow: value) }

    /// Removes the values below `value`.
    mutating func removeAll(before value: Int64) {
        values.removeSubrange(..<index(notBelow: value))
    }

    mutating func removeAll() {
        values.removeAll(keepingCapacity: true)
    }
}
