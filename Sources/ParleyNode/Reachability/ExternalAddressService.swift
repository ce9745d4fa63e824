import Foundation
import Logging
import NIOConcurrencyHelpers
import ParleyCore
import ParleyStore
import ParleyWire
#if canImport(Glibc)
import Glibc
#endif

/// Where this node can be dialled from outside its network, and where contacts say they
/// can be: sends EXTERNAL_ADDRESS on every contact link that takes it (when a link comes up
/// and when the address changes), and stores what contacts send as a learned address of
/// theirs, which the dialer tries next time (PROTOCOL.md 3.4).
final class ExternalAddressService: LinkService {
    /// Frames one link may carry; a sender has one per link plus one per change of address.
    static let maximumPerLink = 16
    /// Learned addresses kept per contact (the newest), so a contact cannot grow the table.
    static let learnedAddressesKept = 8

    private struct State {
        var current: ExternalAddress?
        /// EXTERNAL_ADDRESS frames received per link.
        var received: [ObjectIdentifier: Int] = [:]
    }

    private let database: ParleyDatabase
    private let registry: LinkRegistry
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(database: ParleyDatabase, registry: LinkRegistry, logger: Logger) {
        self.database = database
        self.registry = registry
        self.logger = logger
    }

    /// Our external address and how it was learnt, if known.
    var current: ExternalAddress? { state.withLockedValue { $0.current } }

    /// The address changed (nil: none known any more): recorded at once (in the order the
    /// changes come), then every linked contact is told of a new one.
    func update(_ address: ExternalAddress?) {
        let changed = state.withLockedValue { state -> Bool in
            defer { state.current = address }
            return state.current != address
        }
        guard changed, let address else { return }
        Task { [registry] in
            for session in await registry.all where Self.takes(session) {
                try? await session.send(.externalAddress(address))
            }
        }
    }

    static func takes(_ session: PeerSession) -> Bool {
        session.capabilities.contains(Hello.Capability.externalAddress)
    }

    // MARK: LinkService

    func handles(_ message: WireMessage) -> Bool {
        if case .externalAddress = message { true } else { false }
    }

    func linkUp(_ session: PeerSession) async {
        guard Self.takes(session), let current else { return }
        try? await session.send(.externalAddress(current))
    }

    func receive(_ message: WireMessage, from contact: Contact, on session: PeerSession) async throws {
        guard case .externalAddress(let address) = message else { return }
        let count = state.withLockedValue { state -> Int in
            state.received[ObjectIdentifier(session), default: 0] += 1
            return state.received[ObjectIdentifier(session), default: 0]
        }
        guard count <= Self.maximumPerLink else {
            throw PeerViolation("more than \(Self.maximumPerLink) EXTERNAL_ADDRESS frames on one link")
        }
        let hint = PeerAddress(host: address.host, port: Int(address.port))
        let id = contact.id
        try await database.perform { database throws(StoreError) in
            try database.contacts.addAddress(hint, for: id, source: .learned, keepingLearned: Self.learnedAddressesKept)
        }
        logger.info("\(contact.name) can be dialled at \(hint) (\(address.source == .mapping ? "port mapping" : "STUN"))")
    }

    func linkClosing(_ session: PeerSession) async {
        state.withLockedValue { _ = $0.received.removeValue(forKey: ObjectIdentifier(session)) }
    }

    // MARK: Conversion

    /// The wire form of a mapping's external address (nil when the router's text is not a
    /// numeric address anyone could dial).
    static func wireAddress(of mapping: PortMapping) -> ExternalAddress? {
        guard let bytes = numericAddress(mapping.externalHost), ExternalAddress.isDialable(bytes),
              let port = UInt16(exactly: mapping.externalPort), port != 0 else { return nil }
        return ExternalAddress(address: bytes, port: port, source: .mapping)
    }

    /// The 4 or 16 bytes of a numeric IPv4 or IPv6 address.
    static func numericAddress(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
