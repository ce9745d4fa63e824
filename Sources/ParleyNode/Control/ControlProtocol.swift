import Foundation
import ParleyCore

/// One request on the control socket: a JSON object on one line.
///
/// Commands: `status`, `send` (contact, text — or texts, several in order), `read` (contact), `typing`
/// (contact, active), `contacts-changed`, `events` (the connection then
/// streams one ``NodeEvent`` per line).
public struct ControlRequest: Codable, Sendable {
    public var command: String
    public var contact: String?
    public var text: String?
    public var texts: [String]?
    public var active: Bool?

    public init(command: String, contact: String? = nil, text: String? = nil, texts: [String]? = nil,
                active: Bool? = nil) {
        self.command = command
        self.contact = contact
        self.text = text
        self.texts = texts
        self.active = active
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

    public init(ok: Bool, error: String? = nil, message: SentMessage? = nil, messages: [SentMessage]? = nil,
                status: NodeStatus? = nil, count: Int? = nil) {
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
