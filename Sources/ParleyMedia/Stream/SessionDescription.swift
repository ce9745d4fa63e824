/// A session description (SDP, RFC 8866) for one-way RTP streams: the parts Parley
/// writes and reads — connection address, one audio and one video section, their
/// payload type, rtpmap, fmtp, rtcp-mux, `a=rtcp:` port and SDES SRTP key (RFC 4568).
///
/// What Parley writes, ffmpeg reads (`ffmpeg -protocol_whitelist file,udp,rtp -i x.sdp`),
/// and what ffmpeg writes (`-sdp_file`), Parley reads.
public struct SessionDescription: Equatable, Sendable {
    /// `s=` line.
    public var sessionName: String
    /// Session-level `c=` address (IPv4 or IPv6 literal, or a host name).
    public var connectionAddress: String
    public var media: [MediaDescription]

    public init(sessionName: String = "Parley", connectionAddress: String, media: [MediaDescription]) {
        self.sessionName = sessionName
        self.connectionAddress = connectionAddress
        self.media = media
    }

    /// The first audio section, if any.
    public var audio: MediaDescription? { media.first { $0.kind == .audio } }
    /// The first video section, if any.
    public var video: MediaDescription? { media.first { $0.kind == .video } }

    /// The SDP text (CRLF line ends, as RFC 8866 asks).
    public var text: String {
        let family = connectionAddress.contains(":") ? "IP6" : "IP4"
        var lines = [
            "v=0",
            "o=- 0 0 IN \(family) \(connectionAddress)",
            "s=\(sessionName)",
            "c=IN \(family) \(connectionAddress)",
            "t=0 0",
        ]
        for section in media { lines += section.lines }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// Parses SDP text. Sections of other media, disabled sections (port 0) and payload
    /// types other than Opus and VP8 are skipped; a section with neither is an error.
    public init(parsing text: String) throws(SessionDescriptionError) {
        var sessionName = ""
        var sessionAddress: String?
        var sections: [MediaDescription.Builder] = []
        var sawVersion = false
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(rawLine)
            guard !line.isEmpty else { continue }
            let number = index + 1
            guard line.count >= 2, line.dropFirst().first == "=" else {
                throw .malformedLine(number: number, line: line, reason: "an SDP line is TYPE=VALUE")
            }
            guard let type = line.first else { continue }
            let value = String(line.dropFirst(2))
            switch type {
            case "v":
                guard value == "0" else { throw .malformedLine(number: number, line: line, reason: "only SDP version 0 exists") }
                sawVersion = true
            case "s" where sections.isEmpty:
                sessionName = value
            case "c":
                let address = try Self.connectionAddress(value, line: line, number: number)
                if sections.isEmpty { sessionAddress = address } else { sections[sections.count - 1].connectionAddress = address }
            case "m":
                sections.append(try MediaDescription.Builder(mediaLine: value, line: line, number: number))
            case "a" where !sections.isEmpty:
                try sections[sections.count - 1].attribute(value, line: line, number: number)
            default:
                continue   // o=, t=, b=, session attributes and the rest: not needed to receive
            }
        }
        guard sawVersion else { throw .missingLine("v=0 (is this an SDP file?)") }
        var media: [MediaDescription] = []
        for builder in sections {
            if let section = try builder.build() { media.append(section) }
        }
        guard !media.isEmpty else { throw .noUsableMedia }
        guard let address = sessionAddress ?? media.first?.connectionAddress else { throw .missingLine("c= (the address the media goes to)") }
        self.init(sessionName: sessionName, connectionAddress: address, media: media)
    }

    private static func connectionAddress(_ value: String, line: String, number: Int) throws(SessionDescriptionError) -> String {
        let fields = value.split(separator: " ")
        guard fields.count == 3, fields[0] == "IN", fields[1] == "IP4" || fields[1] == "IP6" else {
            throw .malformedLine(number: number, line: line, reason: "expected c=IN IP4 ADDRESS or c=IN IP6 ADDRESS")
        }
        // Multicast addresses may carry /TTL; the address is what comes before it.
        return String(fields[2].split(separator: "/").first ?? fields[2])
    }
}

/// One `m=` section: where one RTP stream goes and how it is encoded.
public struct MediaDescription: Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case audio, video
    }

    public var kind: Kind
    /// UDP port of the RTP stream (RTCP on the same port with rtcp-mux, else `rtcpPort`).
    public var port: Int
    public var payloadType: UInt8
    /// `opus` or `VP8`.
    public var encodingName: String
    public var clockRate: Int
    /// Channel count of the rtpmap (2 for Opus per RFC 7587, whatever is sent).
    public var channels: Int?
    /// The `a=fmtp:` parameters of the payload type.
    public var formatParameters: String?
    /// RTCP shares the RTP port (RFC 5761).
    public var rtcpMultiplexed: Bool
    /// `a=rtcp:` port; without it RTCP uses port + 1 (RFC 3605) unless multiplexed.
    public var explicitRTCPPort: Int?
    /// A media-level `c=` address overriding the session's.
    public var connectionAddress: String?
    /// SDES key (`a=crypto:… AES_CM_128_HMAC_SHA1_80 inline:…`); nil for plain RTP.
    public var srtpKey: SRTPKeyingMaterial?
    /// Video: the sender answers generic NACKs (`a=rtcp-fb:PT nack`, RFC 4585) by sending
    /// the packets again, so the receiver asks for lost ones and waits for them.
    public var acceptsNegativeAcknowledgements: Bool

    public static let opusPayloadType: UInt8 = 111
    public static let vp8PayloadType: UInt8 = 96

    // The ranges every number of a section is checked against where the SDP is parsed
    // (and by `validate()` before a description is used on sockets): the numbers come from
    // whoever wrote the SDP, and everything downstream may rely on them.
    /// UDP ports of an active section (0 disables a section and is skipped when parsing);
    /// without rtcp-mux or `a=rtcp:` the RTCP port, port + 1, must be one too.
    public static let portRange = 1 ... 65535
    /// RTP clock rates: 8 kHz telephony up to 192 kHz audio; VP8 and Opus use 90 and 48 kHz.
    /// (1000 Hz is the lowest accepted so that the RTP arithmetic stays meaningful.)
    public static let clockRateRange = 1000 ... 192_000
    /// Dynamic and static RTP payload types (7 bits in the RTP header).
    public static let payloadTypeRange = 0 ... 127
    /// Channel counts of an rtpmap (Opus always says 2).
    public static let channelRange = 1 ... 8

    /// Why these numbers cannot describe a stream Parley can receive (nil when they can).
    public var invalidReason: String? {
        if !Self.portRange.contains(port) { return "port \(port) is outside \(Self.portRange.lowerBound)...\(Self.portRange.upperBound)" }
        if !Self.portRange.contains(rtcpPort) {
            return "RTCP would go to port \(rtcpPort) (port + 1, there is no a=rtcp-mux or a=rtcp:PORT), outside "
                + "\(Self.portRange.lowerBound)...\(Self.portRange.upperBound); use an even port up to 65534 or a=rtcp-mux"
        }
        if !Self.payloadTypeRange.contains(Int(payloadType)) { return "payload type \(payloadType) is outside 0...127" }
        if !Self.clockRateRange.contains(clockRate) {
            return "clock rate \(clockRate) Hz is outside \(Self.clockRateRange.lowerBound)...\(Self.clockRateRange.upperBound)"
        }
        if let channels, !Self.channelRange.contains(channels) {
            return "\(channels) channels is outside \(Self.channelRange.lowerBound)...\(Self.channelRange.upperBound)"
        }
        return nil
    }

    /// Throws when a number of the section is outside its range (see `invalidReason`).
    public func validate() throws(SessionDescriptionError) {
        if let invalidReason { throw .invalidMedia(media: kind.rawValue, line: nil, reason: invalidReason) }
    }

    public init(
        kind: Kind, port: Int, payloadType: UInt8, encodingName: String, clockRate: Int, channels: Int? = nil,
        formatParameters: String? = nil, rtcpMultiplexed: Bool = true, explicitRTCPPort: Int? = nil,
        connectionAddress: String? = nil, srtpKey: SRTPKeyingMaterial? = nil, acceptsNegativeAcknowledgements: Bool = false
    ) {
        self.acceptsNegativeAcknowledgements = acceptsNegativeAcknowledgements
        self.kind = kind
        self.port = port
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
        self.formatParameters = formatParameters
        self.rtcpMultiplexed = rtcpMultiplexed
        self.explicitRTCPPort = explicitRTCPPort
        self.connectionAddress = connectionAddress
        self.srtpKey = srtpKey
    }

    /// Opus per RFC 7587: PT 111, `opus/48000/2`, mono with in-band FEC.
    public static func opus(port: Int, srtpKey: SRTPKeyingMaterial? = nil) -> MediaDescription {
        MediaDescription(
            kind: .audio, port: port, payloadType: opusPayloadType, encodingName: "opus", clockRate: 48000, channels: 2,
            formatParameters: "minptime=20;useinbandfec=1;stereo=0;sprop-stereo=0", srtpKey: srtpKey)
    }

    /// VP8 per RFC 7741: PT 96, `VP8/90000`, keyframes on PLI, lost packets sent again on NACK.
    public static func vp8(port: Int, srtpKey: SRTPKeyingMaterial? = nil) -> MediaDescription {
        MediaDescription(
            kind: .video, port: port, payloadType: vp8PayloadType, encodingName: "VP8", clockRate: 90000, srtpKey: srtpKey,
            acceptsNegativeAcknowledgements: true)
    }

    /// Where RTCP for this stream goes.
    public var rtcpPort: Int { rtcpMultiplexed ? port : explicitRTCPPort ?? port &+ 1 }

    var lines: [String] {
        let profile = srtpKey == nil ? "RTP/AVPF" : "RTP/SAVPF"
        var lines = ["m=\(kind.rawValue) \(port) \(profile) \(payloadType)"]
        if let connectionAddress { lines.append("c=IN \(connectionAddress.contains(":") ? "IP6" : "IP4") \(connectionAddress)") }
        lines.append("a=rtpmap:\(payloadType) \(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? ""))
        if let formatParameters { lines.append("a=fmtp:\(payloadType) \(formatParameters)") }
        if kind == .video {
            if acceptsNegativeAcknowledgements { lines.append("a=rtcp-fb:\(payloadType) nack") }
            lines.append("a=rtcp-fb:\(payloadType) nack pli")
        }
        if rtcpMultiplexed { lines.append("a=rtcp-mux") } else if let explicitRTCPPort { lines.append("a=rtcp:\(explicitRTCPPort)") }
        if let srtpKey { lines.append("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:\(srtpKey.sdpInline)") }
        lines.append("a=sendonly")
        return lines
    }

    /// Collects one section's lines, then picks its payload type.
    struct Builder {
        let kind: Kind?
        let port: Int
        let payloadTypes: [UInt8]
        let lineNumber: Int
        var rtpmaps: [UInt8: (name: String, clockRate: Int, channels: Int?)] = [:]
        var formatParameters: [UInt8: String] = [:]
        var rtcpMultiplexed = false
        var explicitRTCPPort: Int?
        var connectionAddress: String?
        var srtpKey: SRTPKeyingMaterial?
        var unsupportedCrypto: String?
        var negativeAcknowledgements: Set<UInt8> = []

        init(mediaLine value: String, line: String, number: Int) throws(SessionDescriptionError) {
            let fields = value.split(separator: " ")
            guard fields.count >= 4, let port = Int(fields[1].split(separator: "/").first ?? ""), (0 ... 65535).contains(port) else {
                throw .malformedLine(number: number, line: line, reason: "expected m=MEDIA PORT PROTO FORMAT…")
            }
            kind = Kind(rawValue: String(fields[0]))
            self.port = port
            payloadTypes = fields.dropFirst(3).compactMap { UInt8($0) }.filter { $0 < 128 }
            lineNumber = number
        }

        mutating func attribute(_ value: String, line: String, number: Int) throws(SessionDescriptionError) {
            let (name, argument) = value.firstIndex(of: ":").map { (String(value[..<$0]), String(value[value.index(after: $0)...])) }
                ?? (value, "")
            switch name {
            case "rtpmap":
                let parts = argument.split(separator: " ", maxSplits: 1)
                let codec = parts.count == 2 ? parts[1].split(separator: "/") : []
                guard parts.count == 2, let payloadType = UInt8(parts[0]), codec.count >= 2, let rate = Int(codec[1]),
                      codec.count == 2 || Int(codec[2]) != nil
                else {
                    throw .malformedLine(number: number, line: line, reason: "expected a=rtpmap:PT NAME/RATE[/CHANNELS]")
                }
                let channels = codec.count > 2 ? Int(codec[2]) : nil
                guard MediaDescription.payloadTypeRange.contains(Int(payloadType)) else {
                    throw .malformedLine(number: number, line: line, reason: "payload type \(payloadType) is outside 0...127")
                }
                guard MediaDescription.clockRateRange.contains(rate) else {
                    let range = MediaDescription.clockRateRange
                    throw .malformedLine(
                        number: number, line: line, reason: "clock rate \(rate) Hz is outside \(range.lowerBound)...\(range.upperBound)")
                }
                if let channels, !MediaDescription.channelRange.contains(channels) {
                    let range = MediaDescription.channelRange
                    throw .malformedLine(
                        number: number, line: line, reason: "\(channels) channels is outside \(range.lowerBound)...\(range.upperBound)")
                }
                rtpmaps[payloadType] = (String(codec[0]), rate, channels)
            case "fmtp":
                let parts = argument.split(separator: " ", maxSplits: 1)
                if parts.count == 2, let payloadType = UInt8(parts[0]) { formatParameters[payloadType] = String(parts[1]) }
            case "rtcp-mux":
                rtcpMultiplexed = true
            case "rtcp-fb":
                // a=rtcp-fb:PT nack (generic NACK; "nack pli" is the keyframe request)
                let parts = argument.split(separator: " ")
                if parts.count == 2, parts[1] == "nack", let payloadType = UInt8(parts[0]) { negativeAcknowledgements.insert(payloadType) }
            case "rtcp":
                guard let port = Int(argument.split(separator: " ").first ?? ""), (1 ... 65535).contains(port) else {
                    throw .malformedLine(number: number, line: line, reason: "expected a=rtcp:PORT")
                }
                explicitRTCPPort = port
            case "crypto":
                // a=crypto:TAG SUITE inline:KEY[|LIFETIME][|MKI:LEN] [SESSION-PARAMS]
                let parts = argument.split(separator: " ")
                guard parts.count >= 3, parts[2].hasPrefix("inline:") else {
                    throw .malformedLine(number: number, line: line, reason: "expected a=crypto:TAG SUITE inline:KEY")
                }
                guard srtpKey == nil else { return }   // the first offer of several is the preferred one
                guard parts[1] == "AES_CM_128_HMAC_SHA1_80" else {
                    unsupportedCrypto = String(parts[1])
                    return
                }
                do {
                    srtpKey = try SRTPKeyingMaterial(sdpInline: String(parts[2].dropFirst("inline:".count)))
                } catch {
                    throw .malformedLine(number: number, line: line, reason: error.description)
                }
            default:
                return
            }
        }

        func build() throws(SessionDescriptionError) -> MediaDescription? {
            guard let kind, port != 0 else { return nil }
            let wanted = kind == .audio ? "opus" : "vp8"
            guard let payloadType = payloadTypes.first(where: { rtpmaps[$0]?.name.lowercased() == wanted }),
                  let map = rtpmaps[payloadType]
            else {
                let offered = payloadTypes.map { type in rtpmaps[type].map { "\(type) \($0.name)" } ?? "\(type)" }
                throw .unsupportedCodec(media: kind.rawValue, line: lineNumber, offered: offered)
            }
            if srtpKey == nil, let unsupportedCrypto { throw .unsupportedCryptoSuite(unsupportedCrypto) }
            let section = MediaDescription(
                kind: kind, port: port, payloadType: payloadType, encodingName: map.name, clockRate: map.clockRate,
                channels: map.channels, formatParameters: formatParameters[payloadType], rtcpMultiplexed: rtcpMultiplexed,
                explicitRTCPPort: explicitRTCPPort, connectionAddress: connectionAddress, srtpKey: srtpKey,
                acceptsNegativeAcknowledgements: kind == .video && negativeAcknowledgements.contains(payloadType))
            if let reason = section.invalidReason { throw .invalidMedia(media: kind.rawValue, line: lineNumber, reason: reason) }
            return section
        }
    }
}

/// Why an SDP text could not be used.
public enum SessionDescriptionError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedLine(number: Int, line: String, reason: String)
    case missingLine(String)
    case noUsableMedia
    case unsupportedCodec(media: String, line: Int, offered: [String])
    case unsupportedCryptoSuite(String)
    /// A number of a media section outside its range (`line`: the section's m= line, when parsed).
    case invalidMedia(media: String, line: Int?, reason: String)

    public var description: String {
        switch self {
        case let .malformedLine(number, line, reason):
            return "SDP line \(number) '\(line)' is malformed: \(reason)"
        case let .missingLine(what):
            return "the SDP has no \(what)"
        case .noUsableMedia:
            return "the SDP describes no audio or video stream with a non-zero port"
        case let .unsupportedCodec(media, line, offered):
            let codec = media == "audio" ? "Opus (a=rtpmap:PT opus/48000/2)" : "VP8 (a=rtpmap:PT VP8/90000)"
            return "the \(media) section at SDP line \(line) offers \(offered.joined(separator: ", ")); Parley receives \(codec)"
        case let .unsupportedCryptoSuite(suite):
            return "SRTP suite \(suite) is not supported; offer AES_CM_128_HMAC_SHA1_80"
        case let .invalidMedia(media, line, reason):
            return "the \(media) section" + (line.map { " at SDP line \($0)" } ?? "") + " cannot be received: \(reason)"
        }
    }
}
