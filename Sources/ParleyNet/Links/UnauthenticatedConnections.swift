import NIOConcurrencyHelpers
import NIOCore

/// The incoming connections that have not authenticated yet (TLS and HELLO
/// not done, or a stranger who may only ask to become a contact), capped in
/// total and per source address. When a new connection would exceed a cap,
/// the oldest one of that address (or overall) is closed to make room, so a
/// flood of idle sockets can neither exhaust file descriptors nor lock out
/// the contacts that connect after it.
public final class UnauthenticatedConnections: Sendable {
    /// Connections counted at once, in total.
    public let maxTotal: Int
    /// Connections counted at once from one IP address.
    public let maxPerAddress: Int

    private struct Entry {
        let channel: any Channel
        let address: String
        let sequence: UInt64
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var perAddress: [String: Int] = [:]
        var nextSequence: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())

    public init(maxTotal: Int = 128, maxPerAddress: Int = 8) {
        self.maxTotal = max(1, maxTotal)
        self.maxPerAddress = max(1, maxPerAddress)
    }

    /// How many connections are counted now.
    public var count: Int { state.withLockedValue { $0.entries.count } }

    /// Counts a newly accepted connection, closing the oldest ones that put it
    /// over a cap. It stops counting when it closes or is ``authenticated(_:)``.
    func admit(_ channel: any Channel) {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        let key = ObjectIdentifier(channel)
        let evicted: [any Channel] = state.withLockedValue { state in
            state.nextSequence &+= 1
            state.entries[key] = Entry(channel: channel, address: address, sequence: state.nextSequence)
            state.perAddress[address, default: 0] += 1
            var evicted: [any Channel] = []
            while state.perAddress[address, default: 0] > maxPerAddress,
                  let oldest = Self.oldest(in: state.entries, where: { $0.address == address }),
                  let channel = Self.remove(oldest, from: &state) {
                evicted.append(channel)
            }
            while state.entries.count > maxTotal, let oldest = Self.oldest(in: state.entries, where: { _ in true }),
                  let channel = Self.remove(oldest, from: &state) {
                evicted.append(channel)
            }
            return evicted
        }
        for channel in evicted { channel.close(promise: nil) }
        channel.closeFuture.whenComplete { [self] _ in authenticated(channel) }
    }

    /// Stops counting `channel`: its peer proved to be a contact, or it closed.
    public func authenticated(_ channel: any Channel) {
        let key = ObjectIdentifier(channel)
        state.withLockedValue { state in
            _ = Self.remove(key, from: &state)
        }
    }

    private static func oldest(in entries: [ObjectIdentifier: Entry],
                               where matches: (Entry) -> Bool) -> ObjectIdentifier? {
        entries.filter { matches($0.value) }.min { $0.value.sequence < $1.value.sequence }?.key
    }

    private static func remove(_ key: ObjectIdentifier, from state: inout State) -> (any Channel)? {
        guard let entry = state.entries.removeValue(forKey: key) else { return nil }
        let remaining = state.perAddress[entry.address, default: 1] - 1
        state.perAddress[entry.address] = remaining > 0 ? remaining : nil
        return entry.channel
    }
}
