import Crypto
import Foundation

/// A LAN discovery beacon: "contact ID such-and-such listens on this port",
/// multicast on the local network and signed with the identity key.
///
/// A beacon is only a hint where to dial; the TLS pin still decides who the
/// peer is. Layout (big-endian), at most `maximumSize` bytes:
///
///     magic "PLYB" | version u8 (1) | contact ID (36 ASCII symbols) | listen port u16 (1-65535)
///     | timestamp u64 (ms since 1970) | SPKI length u16 (1-256) | SPKI (DER) | signature (64 bytes, P-256 raw r‖s)
///
/// The signature covers `signingContext` followed by every byte before the signature.
public struct LANBeacon: Equatable, Sendable {
    public static let magic: [UInt8] = Array("PLYB".utf8)
    public static let version: UInt8 = 1
    /// Largest beacon accepted; anything longer is refused before it is parsed.
    public static let maximumSize = 512
    public static let maximumSPKILength = 256
    public static let signatureLength = 64
    /// Domain separation: a beacon signature can never be mistaken for another Parley signature.
    static let signingContext: [UInt8] = Array("parley lan beacon v1\0".utf8)

    public let contactID: ContactID
    public let listenPort: UInt16
    /// Milliseconds since 1970-01-01 UTC when the beacon was made.
    public let timestamp: UInt64
    /// The signer's DER SubjectPublicKeyInfo (its SHA-256 gives the contact ID).
    public let subjectPublicKeyInfo: [UInt8]
    public let signature: [UInt8]

    public init(contactID: ContactID, listenPort: UInt16, timestamp: UInt64, subjectPublicKeyInfo: [UInt8],
                signature: [UInt8]) {
        self.contactID = contactID
        self.listenPort = listenPort
        self.timestamp = timestamp
        self.subjectPublicKeyInfo = subjectPublicKeyInfo
        self.signature = signature
    }

    /// A signed beacon for `key` (whose ID it carries) listening on `listenPort`.
    public static func signed(with key: P256.Signing.PrivateKey, listenPort: UInt16, at date: Date = Date()) throws -> LANBeacon {
        let spki = Array(key.publicKey.derRepresentation)
        let unsigned = LANBeacon(contactID: ContactID(subjectPublicKeyInfo: spki), listenPort: listenPort,
                                 timestamp: milliseconds(date), subjectPublicKeyInfo: spki, signature: [])
        let signature = try key.signature(for: signingContext + unsigned.signedBody)
        return LANBeacon(contactID: unsigned.contactID, listenPort: listenPort, timestamp: unsigned.timestamp,
                         subjectPublicKeyInfo: spki, signature: Array(signature.rawRepresentation))
    }

    /// A signed beacon for a profile's identity.
    public static func signed(by identity: Identity, listenPort: UInt16, at date: Date = Date()) throws -> LANBeacon {
        try signed(with: P256.Signing.PrivateKey(pemRepresentation: identity.privateKeyPEM), listenPort: listenPort, at: date)
    }

    static func milliseconds(_ date: Date) -> UInt64 {
        let value = date.timeIntervalSince1970 * 1000
        return value <= 0 ? 0 : UInt64(value.rounded(.down))
    }

    /// Every byte the signature covers (the context excepted).
    var signedBody: [UInt8] {
        var bytes = Self.magic
        bytes.append(Self.version)
        bytes.append(contentsOf: Array(contactID.canonical.utf8))
        bytes.append(UInt8(listenPort >> 8))
        bytes.append(UInt8(listenPort & 0xff))
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8((timestamp >> UInt64(shift)) & 0xff)) }
        let length = UInt16(subjectPublicKeyInfo.count)
        bytes.append(UInt8(length >> 8))
        bytes.append(UInt8(length & 0xff))
        bytes.append(contentsOf: subjectPublicKeyInfo)
        return bytes
    }

    /// The bytes sent on the network.
    public var encoded: [UInt8] { signedBody + signature }

    /// Parses a datagram; every field is checked, nothing traps on hostile input.
    public init(decoding bytes: [UInt8]) throws(LANBeaconError) {
        guard bytes.count <= Self.maximumSize else { throw .tooLarge(bytes.count) }
        var offset = 0
        func take(_ count: Int, _ field: String) throws(LANBeaconError) -> ArraySlice<UInt8> {
            guard count >= 0, bytes.count - offset >= count else { throw .truncated(field) }
            defer { offset += count }
            return bytes[offset ..< offset + count]
        }
        func integer(_ count: Int, _ field: String) throws(LANBeaconError) -> UInt64 {
            try take(count, field).reduce(0) { $0 << 8 | UInt64($1) }
        }
        guard Array(try take(4, "magic")) == Self.magic else { throw .notABeacon }
        let version = try integer(1, "version")
        guard version == UInt64(Self.version) else { throw .unsupportedVersion(Int(version)) }
        let idBytes = try take(ContactID.length, "contact ID")
        guard let idText = String(bytes: idBytes, encoding: .ascii), let id = try? ContactID(parsing: idText),
              id.canonical == idText else {
            throw .malformed("contact ID")
        }
        let port = try integer(2, "listen port")
        guard port != 0 else { throw .malformed("listen port 0") }
        let timestamp = try integer(8, "timestamp")
        let spkiLength = Int(try integer(2, "SPKI length"))
        guard (1...Self.maximumSPKILength).contains(spkiLength) else { throw .malformed("SPKI length \(spkiLength)") }
        let spki = Array(try take(spkiLength, "SPKI"))
        let signature = Array(try take(Self.signatureLength, "signature"))
        guard offset == bytes.count else { throw .trailingBytes(bytes.count - offset) }
        self.init(contactID: id, listenPort: UInt16(port), timestamp: timestamp, subjectPublicKeyInfo: spki,
                  signature: signature)
    }

    /// Whether the ID is the hash of the key and the key signed the beacon (time is not checked here).
    public func checkSignature() throws(LANBeaconError) {
        guard ContactID(subjectPublicKeyInfo: subjectPublicKeyInfo) == contactID else { throw .keyDoesNotMatchID }
        guard let key = try? P256.Signing.PublicKey(derRepresentation: subjectPublicKeyInfo) else {
            throw .unsupportedKey
        }
        guard let signature = try? P256.Signing.ECDSASignature(rawRepresentation: signature),
              key.isValidSignature(signature, for: Self.signingContext + signedBody) else {
            throw .badSignature
        }
    }
}

/// Why a beacon was ignored.
public enum LANBeaconError: Error, Equatable, Sendable, CustomStringConvertible {
    case tooLarge(Int)
    case truncated(String)
    case notABeacon
    case unsupportedVersion(Int)
    case malformed(String)
    case trailingBytes(Int)
    case keyDoesNotMatchID
    case unsupportedKey
    case badSignature
    case stale(ageSeconds: Int64)
    case replayed

    public var description: String {
        switch self {
        case .tooLarge(let size): "too large (\(size) bytes)"
        case .truncated(let field): "truncated in the \(field)"
        case .notABeacon: "not a Parley beacon"
        case .unsupportedVersion(let version): "unsupported version \(version)"
        case .malformed(let what): "malformed \(what)"
        case .trailingBytes(let count): "\(count) bytes after the signature"
        case .keyDoesNotMatchID: "the key does not match the contact ID"
        case .unsupportedKey: "not a P-256 key"
        case .badSignature: "bad signature"
        case .stale(let age): "timestamp \(age) s away from now"
        case .replayed: "replayed (not newer than the last one accepted)"
        }
    }
}

/// Checks beacons before use: signature, freshness (±5 minutes) and replay
/// (each ID's timestamps must only grow). Not thread-safe: one owner.
public struct LANBeaconVerifier: Sendable {
    /// How far a beacon's time may be from ours.
    public static let maximumSkew: TimeInterval = 300
    /// IDs remembered for replay checks; the oldest entry goes first.
    public let capacity: Int
    private var lastAccepted: [ContactID: UInt64] = [:]

    public init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    /// Decodes and checks a datagram; on success its timestamp becomes the floor for that ID.
    /// `accepts` is asked (before the costly signature check) whether the ID is wanted at all.
    public mutating func verify(_ bytes: [UInt8], now: Date = Date(),
                                accepts: (ContactID) -> Bool = { _ in true }) throws(LANBeaconError) -> LANBeacon? {
        let beacon = try LANBeacon(decoding: bytes)
        guard accepts(beacon.contactID) else { return nil }
        let nowMS = Int64(LANBeacon.milliseconds(now))
        let age = nowMS - Int64(clamping: beacon.timestamp)
        guard abs(age) <= Int64(Self.maximumSkew * 1000) else { throw .stale(ageSeconds: age / 1000) }
        if let last = lastAccepted[beacon.contactID], beacon.timestamp <= last { throw .replayed }
        try beacon.checkSignature()
        if lastAccepted[beacon.contactID] == nil, lastAccepted.count >= capacity,
           let oldest = lastAccepted.min(by: { $0.value < $1.value })?.key {
            lastAccepted.removeValue(forKey: oldest)
        }
        lastAccepted[beacon.contactID] = beacon.timestamp
        return beacon
    }
}
