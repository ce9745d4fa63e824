import Foundation
import Logging
import ParleyCore
import ParleyStore

/// Limits contact requests from strangers per source address and per claimed
/// contact ID (never globally, so a crowd of strangers cannot lock out a
/// genuine newcomer), with the buckets kept in the database across restarts.
struct ContactRequestGate: Sendable {
    let database: ParleyDatabase
    let limits: NodeLimits
    let logger: Logger

    /// Whether a request from `peer`, arriving from `address`, may be stored now.
    /// Both buckets must have a token; a store error refuses (and is logged).
    func allow(_ peer: ContactID, from address: String?, now: Date = Date()) -> Bool {
        let hour = 3600.0
        do {
            if let address {
                let perAddress = Double(limits.requestsPerAddressPerHour)
                guard try database.requestLimits.take("address:\(address)", capacity: perAddress,
                                                      refillPerSecond: perAddress / hour, now: now) else { return false }
            }
            let perID = Double(limits.requestsPerIDPerHour)
            return try database.requestLimits.take("id:\(peer.canonical)", capacity: perID,
                                                   refillPerSecond: perID / hour, now: now)
        } catch {
            logger.warning("contact request refused: the limiter could not be read (\(error))")
            return false
        }
    }
}
