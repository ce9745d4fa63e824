import Foundation
import ParleyCore

/// One request on the control socket: a JSON object on one line.
///
/// Commands: `status`, `send` (contact, text — or texts, several in order), `read` (contact), `typing`
/// (contact, active), `contacts-changed`, `file-send` (contact, path, name?), `file-list`,
/// `file-accept` (transfer, directory?), `file-reject`, `file-cancel`, `file-pause`, `file-resume`
/// (transfer), `events` (the connection then streams one ``EventLine`` per line).
public struct ControlRequest: Codable, Sendable {
    public var command: String
    public var contact: String?
    public var text: String?
    public var texts: [String]?
    public var active: Bool?
    /// File transfers: the file to offer, the name to offer it as, the transfer ID, the target folder.
    public var path: String?
    public var name: String?
    public var transfer: String?
    public var directory: String?
    /// Calls (`call-start`, `call-invite`, `call-accept`, `call-reject`, `call-hangup`, `call-media`,
    /// `call-status`, `call-log`, `auto-answer`): the contacts of a group call (`call-start`; the
    /// first may come in `contact` alone), the call ID (nil: the current call), video wanted, audio-only
    /// answer, devices, ring time-out, the kinds and directions of a stop/play and whether it is
    /// on, a limit, an auto-answer mode.
    public var contacts: [String]?
    public var call: String?
    public var video: Bool?
    public var audioOnly: Bool?
    public var devices: CallDevices?
    public var timeout: Int?
    public var audio: Bool?
    public var directionIn: Bool?
    public var directionOut: Bool?
    public var on: Bool?
    public var limit: Int?
    public var mode: String?
    /// `broadcast-start`: announce to every contact (`contacts` names the audience otherwise).
    public var all: Bool?
    /// `broadcast-start`: the media server's HOST:PORT for a plain RTP copy (`path`: where its SDP goes).
    public var rtp: String?

    public init(command: String, contact: String? = nil, text: String? = nil, texts: [String]? = nil,
                active: Bool? = nil, path: String? = nil, name: String? = nil, transfer: String? = nil,
                directory: String? = nil, call: String? = nil, video: Bool? = nil, audioOnly: Bool? = nil,
                devices: CallDevices? = nil, timeout: Int? = nil, audio: Bool? = nil, directionIn: Bool? = nil,
                directionOut: Bool? = nil, on: Bool? = nil, limit: Int? = nil, mode: String? = nil, contacts: [String]? = nil, all: Bool? = nil) {
        self.all = all
        self.contacts = contacts
        self.call = call
        self.video = video
        self.audioOnly = audioOnly
        self.devices = devices
        self.timeout = timeout
        self.audio = audio
        self.directionIn = directionIn
        self.directionOut = directionOut
        self.on = on
        self.limit = limit
        self.mode = mode
        self.command = command
        self.contact = contact
        self.text = text
        self.texts = texts
        self.active = active
        self.path = path
        self.name = name
        self.transfer = transfer
        self.directory = directory
    }
}

/// The node's answer: `ok` and, depending on the command, a result.
public struct ControlResponse: Codable, Sendable {
    public var ok: Bool
    public var error: String?
    public var message: SentMessage?
    public var messages: [SentMessage]?
    public var status: NodeStatus?
    public var count: Int?
    public var transfer: TransferInfo?
    public var transfers: [TransferInfo]?
    public var call: CallStatus?
    public var calls: [CallLogEntry]?
    public var mode: String?
    /// `broadcast-start`, `broadcast-stop`, `broadcast-status`: our broadcast; `broadcast-list`:
    /// the contacts' broadcasts we may watch.
    public var broadcast: BroadcastStatus?
    public var broadcasts: [BroadcastOffer]?

    public init(ok: Bool, error: String? = nil, message: SentMessage? = nil, messages: [SentMessage]? = nil,
                status: NodeStatus? = nil, count: Int? = nil, transfer: TransferInfo? = nil,
                transfers: [TransferInfo]? = nil, call: CallStatus? = nil, calls: [CallLogEntry]? = nil, mode: String? = nil) {
        self.call = call
        self.calls = calls
        self.mode = mode
        self.transfer = transfer
        self.transfers = transfers
        self.ok = ok
        self.error = error
        self.message = message
        self.messages = messages
        self.status = status
        self.count = count
    }

    public static func failure(_ error: any Error) -> ControlResponse {
        ControlResponse(ok: false, error: String(describing: error))
    }
}

/// A message just queued by `send`.
public struct SentMessage: Codable, Sendable {
    public var id: String
    public var contact: String
    public var state: String

    public init(_ message: Message) {
        id = message.id.uuidString
        contact = message.contactID.grouped
        state = message.state.rawValue
    }
}

/// JSON coding shared by both ends of the control socket.
public enum ControlCoding {
    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    public static func decode<T: Decodable>(_ type: T.Type, from line: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(type, from: Data(line.utf8))
    }
}

/// A file transfer as the CLI shows it.
public struct TransferInfo: Codable, Sendable {
    public var id: String
    public var contact: String
    public var direction: String
    public var file: String
    public var size: UInt64
    public var bytesDone: UInt64
    public var bytesSent: UInt64
    public var state: String
    /// Why it is paused or failed, as a typed value (`by-sender`, `disk-full`, `hash-mismatch`, …).
    public var reason: String?
    public var error: String?
    public var path: String?
    public var sha256: String
    /// Bytes per second lately, while running.
    public var rate: Double?
    /// Seconds left at that rate.
    public var eta: Double?

    public init(_ transfer: Transfer, rate: Double?) {
        id = transfer.id.uuidString
        contact = transfer.contactID.grouped
        direction = transfer.direction.rawValue
        file = transfer.fileName
        size = transfer.size
        bytesDone = transfer.bytesDone
        bytesSent = transfer.bytesSent
        state = transfer.state.rawValue
        reason = transfer.pauseReason?.rawValue ?? transfer.failureReason?.rawValue
        error = transfer.error
        path = transfer.localPath
        sha256 = transfer.sha256
        self.rate = rate
        eta = rate.flatMap { $0 > 0 ? Double(transfer.size - min(transfer.size, transfer.bytesDone)) / $0 : nil }
    }

    enum CodingKeys: String, CodingKey {
        case id, contact, direction, file, size, state, reason, error, path, sha256, rate, eta
        case bytesDone = "bytes_done"
        case bytesSent = "bytes_sent"
    }
}
