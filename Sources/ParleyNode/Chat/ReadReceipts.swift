import Foundation
import ParleyCore
import ParleyStore
import ParleyWire

/// Sends the read receipts a contact has not had yet: right after the user
/// read a conversation, and again whenever a link to the contact comes up.
enum ReadReceipts {
    static func flush(to contact: ContactID, on session: PeerSession, database: ParleyDatabase) async {
        guard let ids = try? database.messages.pendingReadReceipts(from: contact), !ids.isEmpty else { return }
        var sent: [UUID] = []
        for chunk in ids.chunks(ofCount: WireLimits.maxReceiptIDs).map(Array.init) {
            do {
                try await session.send(.receipt(Receipt(kind: .read, at: Date().wireTimestamp, ids: chunk)))
                sent += chunk
            } catch {
                break  // the link went down: the rest go out on the next one
            }
        }
        try? database.messages.readReceiptsSent(sent)
    }
}
