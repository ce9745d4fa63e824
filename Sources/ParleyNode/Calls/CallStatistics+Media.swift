import ParleyMedia

extension CallStatistics {
    /// A leg's statistics as `call status` shows them, from the media engine's.
    init(_ raw: CallMediaStatistics) {
        self.init()
        func sent(_ kind: CallMediaKind, codec: String) -> CallStatistics.Stream? {
            guard let stats = raw.sent[kind] else { return nil }
            var stream = CallStatistics.Stream(codec: codec, packets: Int(stats.packetsSent), bytes: 0, bitrate: stats.bitrate)
            stream.roundTripMilliseconds = stats.roundTripMilliseconds
            stream.lossFraction = stats.reportedLossFraction
            stream.jitterMilliseconds = stats.reportedJitterMilliseconds
            stream.keyframeRequests = stats.keyframeRequestsReceived
            stream.targetBitrate = stats.targetBitrate
            stream.receiverEstimate = stats.receiverEstimate
            stream.retransmitted = stats.packetsRetransmitted.map { Int(clamping: $0) }
            stream.retransmissionsRefused = stats.retransmissionsRefused.map { Int(clamping: $0) }
            stream.width = stats.width
            stream.height = stats.height
            return stream
        }
        func received(_ kind: CallMediaKind, codec: String) -> CallStatistics.Stream? {
            guard let stats = raw.received[kind] else { return nil }
            var stream = CallStatistics.Stream(codec: codec, packets: Int(stats.packetsReceived), bytes: 0, bitrate: stats.bitrate)
            stream.lost = Int(stats.packetsLost)
            stream.lossFraction = stats.lossFraction
            stream.jitterMilliseconds = stats.jitterMilliseconds
            stream.jitterBufferMilliseconds = stats.jitterBufferDelayMilliseconds
            stream.framesConcealed = stats.framesConcealed.map(Int.init)
            stream.framesRecovered = stats.framesRecovered.map(Int.init)
            stream.framesInserted = stats.framesInserted.map(Int.init)
            stream.framesPerSecond = stats.framesPerSecond
            stream.width = stats.width
            stream.height = stats.height
            stream.keyframeRequests = stats.keyframeRequestsSent
            stream.decoderErrors = Int(stats.decoderErrors)
            stream.rejected = Int(stats.packetsRejected)
            return stream
        }
        self.audioSent = sent(.audio, codec: "opus")
        self.videoSent = sent(.video, codec: "vp8")
        self.audioReceived = received(.audio, codec: "opus")
        self.videoReceived = received(.video, codec: "vp8")
        self.videoLeadMilliseconds = raw.videoLeadMilliseconds
        self.datagramsRejected = Int(clamping: raw.datagramsRejected)
        self.datagramsDropped = Int(clamping: raw.datagramsDropped)
    }
}
