/// What went wrong in the store, said so a person can act on it.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The database file could not be opened or migrated.
    case unavailable(path: String, detail: String)
    /// No contact has this name or ID.
    case unknownContact(String)
    /// Another contact already has this name.
    case duplicateName(String)
    /// This ID is already a contact, under another name.
    case duplicateContact(id: String, existingName: String)
    /// No pending contact request matches.
    case unknownRequest(String)
    /// No transfer matches.
    case unknownTransfer(String)
    /// No message has this ID.
    case unknownMessage(String)
    /// A database operation failed.
    case failed(String)

    public var description: String {
        switch self {
        case .unavailable(let path, let detail):
            "cannot open the database at \(path) (\(detail)); check the disk and the file's permissions"
        case .unknownContact(let reference):
            "no contact is called or has the ID '\(reference)'; see 'parley contacts list'"
        case .duplicateName(let name):
            "a contact is already called '\(name)'; choose another name"
        case .duplicateContact(let id, let existingName):
            "\(id) is already a contact, called '\(existingName)'"
        case .unknownRequest(let reference):
            "no pending contact request matches '\(reference)'; see 'parley contacts requests'"
        case .unknownTransfer(let reference):
            "no transfer matches '\(reference)' (give at least 4 characters of its ID); see 'parley file list'"
        case .unknownMessage(let reference):
            "no message has the ID '\(reference)'; message IDs are printed by 'history --json' and 'search --json'"
        case .failed(let detail):
            "database error: \(detail)"
        }
    }
}

/// Runs a database operation, turning unexpected GRDB errors into `StoreError.failed`.
func storeOperation<T>(_ body: () throws -> T) throws(StoreError) -> T {
    do {
        return try body()
    } catch let error as StoreError {
        throw error
    } catch {
        throw .failed(String(describing: error))
    }
}
