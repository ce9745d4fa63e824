import GRDB

/// Small key/value settings that belong to the profile's data (not the config file).
public struct SettingsRepository: Sendable {
    let writer: DatabasePool

    public func value(for key: String) throws(StoreError) -> String? {
        try storeOperation {
            try writer.read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
        }
    }

    public func set(_ value: String?, for key: String) throws(StoreError) {
        try storeOperation {
            try writer.write { db in
                if let value {
                    try db.execute(sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                   arguments: [key, value])
                } else {
                    try db.execute(sql: "DELETE FROM settings WHERE key = ?", arguments: [key])
                }
            }
        }
    }
}
