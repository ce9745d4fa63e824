/// One kind of media a side of a call offers or answers: what it sends and receives, and
/// the RTP parameters of what it sends.
public struct CallMediaOffer: Sendable, Equatable {
    /// The kind of media.
    public enum Kind: UInt8, Sendable, CaseIterable {
        case audio = 1
        case video = 2
    }

    /// Which ways the sender of the offer wants this kind to flow.
    public struct Direction: Sendable, Equatable {
        /// The side that wrote this offer sends this kind.
        public var send: Bool
        /// The side that wrote this offer receives this kind.
        public var receive: Bool

        public init(send: Bool, receive: Bool) {
            self.send = send
            self.receive = receive
        }

        public static let sendReceive = Direction(send: true, receive: true)
        public static let sendOnly = Direction(send: true, receive: false)
        public static let receiveOnly = Direction(send: false, receive: true)
        public static let inactive = Direction(send: false, receive: false)

        var rawValue: UInt8 { (send ? 1 : 0) | (receive ? 2 : 0) }

        init(rawValue: UInt8) {
            send = rawValue & 1 != 0
            receive = rawValue & 2 != 0
        }
    }

    public var kind: Kind
    public var direction: Direction
    /// The RTP payload type this side sends with (dynamic: 96…127).
    public var payloadType: UInt8
    /// The RTP clock rate (48,000 for Opus, 90,000 for VP8).
    public var clockRate: UInt32
    /// The SSRC this side sends this kind with.
    public var ssrc: UInt32
    /// The bit rate this side sends at, or the most it wants to receive (bits per second).
    public var bitrate: UInt32
    /// Video: the picture this side sends (0 for audio).
    public var width: UInt16
    public var height: UInt16
    /// Video: frames per second (0 for audio).
    public var frameRate: UInt8

    public init(kind: Kind, direction: Direction, payloadType: UInt8, clockRate: UInt32, ssrc: UInt32, bitrate: UInt32,
                width: UInt16 = 0, height: UInt16 = 0, frameRate: UInt8 = 0) {
        self.kind = kind
        self.direction = direction
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.ssrc = ssrc
        self.bitrate = bitrate
        self.width = width
        self.height = height
        self.frameRate = frameRate
    }

    /// Ranges every received offer must keep (checked where it is decoded).
    public enum Limits {
        public static let payloadTypes: ClosedRange<UInt64> = 96 ... 127
        public static let clockRates: ClosedRange<UInt64> = 8000 ... 90000
        public static let bitrates: ClosedRange<UInt64> = 6000 ... 20_000_000
        public static let dimensions: ClosedRange<UInt64> = 0 ... 4096
        public static let frameRates: ClosedRange<UInt64> = 0 ... 60
    }

    init(from reader: inout ByteReader, field: String) throws(WireError) {
        let rawKind = try reader.readUInt8(field: "\(field).kind")
        guard let kind = Kind(rawValue: rawKind) else { throw .invalidValue(field: "\(field).kind", value: UInt64(rawKind)) }
        self.kind = kind
        let rawDirection = try reader.readUInt8(field: "\(field).direction")
        guard rawDirection <= 3 else { throw .invalidValue(field: "\(field).direction", value: UInt64(rawDirection)) }
        direction = Direction(rawValue: rawDirection)
        payloadType = UInt8(try reader.readUInt8(field: "\(field).payloadType", allowed: Limits.payloadTypes))
        clockRate = UInt32(try reader.readUInt32(field: "\(field).clockRate", allowed: Limits.clockRates))
        ssrc = try reader.readUInt32(field: "\(field).ssrc")
        bitrate = UInt32(try reader.readUInt32(field: "\(field).bitrate", allowed: Limits.bitrates))
        width = UInt16(try reader.readUInt16(field: "\(field).width", allowed: Limits.dimensions))
        height = UInt16(try reader.readUInt16(field: "\(field).height", allowed: Limits.dimensions))
        frameRate = UInt8(try reader.readUInt8(field: "\(field).frameRate", allowed: Limits.frameRates))
    }

    func encode(to writer: inout ByteWriter) {
        writer.writeUInt8(kind.rawValue)
        writer.writeUInt8(direction.rawValue)
        writer.writeUInt8(payloadType)
        writer.writeUInt32(clockRate)
        writer.writeUInt32(ssrc)
        writer.writeUInt32(bitrate)
        writer.writeUInt16(width)
        writer.writeUInt16(height)
        writer.writeUInt8(frameRate)
    }

    func validate(field: String) throws(WireError) {
        try Limit.check(UInt64(payloadType), field: "\(field).payloadType", allowed: Limits.payloadTypes)
        try Limit.check(UInt64(clockRate), field: "\(field).clockRate", allowed: Limits.clockRates)
        try Limit.check(UInt64(bitrate), field: "\(field).bitrate", allowed: Limits.bitrates)
        try Limit.check(UInt64(width), field: "\(field).width", allowed: Limits.dimensions)
        try Limit.check(UInt64(height), field: "\(field).height", allowed: Limits.dimensions)
        try Limit.check(UInt64(frameRate), field: "\(field).frameRate", allowed: Limits.frameRates)
    }
}
