/// Why an RTP payload is not a valid VP8 payload (RFC 7741). Drop the packet.
public enum VP8PayloadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The descriptor claims more bytes than the payload has.
    case truncatedDescriptor(needed: Int, available: Int)
    /// The descriptor is valid but no VP8 data follows it.
    case emptyPayload

    public var description: String {
        switch self {
        case let .truncatedDescriptor(needed, available):
            return "VP8 payload descriptor needs \(needed) bytes, the payload has \(available); drop the packet"
        case .emptyPayload:
            return "VP8 RTP payload has a descriptor but no data; drop the packet"
        }
    }
}

/// The VP8 payload descriptor at the start of every VP8 RTP payload (RFC 7741 §4.2).
public struct VP8PayloadDescriptor: Equatable, Sendable {
    /// A PictureID: 7 bits (M = 0) or 15 bits (M = 1).
    public enum PictureID: Equatable, Sendable {
        case short(UInt8)
        case long(UInt16)

        /// The numeric value.
        public var value: UInt16 {
            switch self {
            case let .short(value): UInt16(value & 0x7F)
            case let .long(value): value & 0x7FFF
            }
        }
    }

    /// N: the frame can be discarded without affecting others.
    public var isNonReference: Bool
    /// S: this packet starts a VP8 partition.
    public var isStartOfPartition: Bool
    /// PID: the partition index (0...7).
    public var partitionIndex: UInt8
    public var pictureID: PictureID?
    /// TL0PICIDX (L bit).
    public var temporalLevelZeroIndex: UInt8?
    /// TID (T bit): temporal layer index 0...3.
    public var temporalLayerIndex: UInt8?
    /// Y: layer sync (meaningful with T).
    public var isLayerSync: Bool
    /// KEYIDX (K bit): 0...31.
    public var keyIndex: UInt8?

    public init(
        isNonReference: Bool = false, isStartOfPartition: Bool, partitionIndex: UInt8 = 0, pictureID: PictureID? = nil,
        temporalLevelZeroIndex: UInt8? = nil, temporalLayerIndex: UInt8? = nil, isLayerSync: Bool = false, keyIndex: UInt8? = nil
    ) {
        self.isNonReference = isNonReference
        self.isStartOfPartition = isStartOfPartition
        self.partitionIndex = partitionIndex
        self.pictureID = pictureID
        self.temporalLevelZeroIndex = temporalLevelZeroIndex
        self.temporalLayerIndex = temporalLayerIndex
        self.isLayerSync = isLayerSync
        self.keyIndex = keyIndex
    }

    /// Whether this packet starts a frame (S = 1 and PID = 0).
    public var startsFrame: Bool { isStartOfPartition && partitionIndex == 0 }

    /// Parses the descriptor at the start of `payload`; returns it with its size in bytes.
    /// Requires at least one byte of VP8 data after it.
    public static func parse(_ payload: [UInt8]) throws(VP8PayloadError) -> (descriptor: VP8PayloadDescriptor, size: Int) {
        var offset = 0
        func next() throws(VP8PayloadError) -> UInt8 {
            guard offset < payload.count else { throw .truncatedDescriptor(needed: offset + 1, available: payload.count) }
            defer { offset += 1 }
            return payload[offset]
        }
        let first = try next()
        var descriptor = VP8PayloadDescriptor(
            isNonReference: first & 0x20 != 0, isStartOfPartition: first & 0x10 != 0, partitionIndex: first & 0x07)
        if first & 0x80 != 0 {
            let extensions = try next()
            if extensions & 0x80 != 0 {
                let high = try next()
                if high & 0x80 != 0 {
                    descriptor.pictureID = .long(UInt16(high & 0x7F) << 8 | UInt16(try next()))
                } else {
                    descriptor.pictureID = .short(high)
                }
            }
            if extensions & 0x40 != 0 { descriptor.temporalLevelZeroIndex = try next() }
            if extensions & 0x30 != 0 {
                let layers = try next()
                if extensions & 0x20 != 0 {
                    descriptor.temporalLayerIndex = layers >> 6
                    descriptor.isLayerSync = layers & 0x20 != 0
                }
                if extensions & 0x10 != 0 { descriptor.keyIndex = layers & 0x1F }
            }
        }
        guard offset < payload.count else { throw .emptyPayload }
        return (descriptor, offset)
    }

    /// The descriptor's bytes.
    public func serialized() -> [UInt8] {
        var first: UInt8 = partitionIndex & 0x07
        if isNonReference { first |= 0x20 }
        if isStartOfPartition { first |= 0x10 }
        var extensions: UInt8 = 0
        if pictureID != nil { extensions |= 0x80 }
        if temporalLevelZeroIndex != nil { extensions |= 0x40 }
        if temporalLayerIndex != nil { extensions |= 0x20 }
        if keyIndex != nil { extensions |= 0x10 }
        guard extensions != 0 else { return [first] }
        var bytes: [UInt8] = [first | 0x80, extensions]
        switch pictureID {
        case let .short(value): bytes.append(value & 0x7F)
        case let .long(value): bytes += [0x80 | UInt8(truncatingIfNeeded: value >> 8) & 0x7F, UInt8(truncatingIfNeeded: value)]
        case nil: break
        }
        if let temporalLevelZeroIndex { bytes.append(temporalLevelZeroIndex) }
        if temporalLayerIndex != nil || keyIndex != nil {
            var layers: UInt8 = 0
            if let temporalLayerIndex { layers |= (temporalLayerIndex & 0x03) << 6 | (isLayerSync ? 0x20 : 0) }
            if let keyIndex { layers |= keyIndex & 0x1F }
            bytes.append(layers)
        }
        return bytes
    }
}
