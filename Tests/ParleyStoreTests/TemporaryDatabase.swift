import Foundation
@testable import ParleyStore

/// A fresh database file in its own temporary directory, removed by `cleanup()`.
struct TemporaryDatabase {
    let directory: URL
    var path: String { directory.appending(path: "parley.db").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appending(path: "parley-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func open() throws -> ParleyDatabase { try ParleyDatabase(path: path) }

    func cleanup() { try? FileManager.default.removeItem(at: directory) }
}
