import Foundation

// Usage: EmbedMigrations OUTPUT.swift 0001_x.sql 0002_y.sql …
// Writes `EmbeddedMigrations.all`, the migrations in file-name order.
let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedMigrations OUTPUT.swift FILE.sql…\n".utf8))
    exit(2)
}

var source = """
// Generated from migrations/*.sql at build time. Do not edit.

/// The SQL migrations shipped with this build, in the order they apply.
enum EmbeddedMigrations {
    static let all: [(name: String, sql: String)] = [

"""
for path in arguments.dropFirst().sorted() {
    let url = URL(fileURLWithPath: path)
    let name = url.deletingPathExtension().lastPathComponent
    let sql = try String(contentsOf: url, encoding: .utf8)
    // A raw string with enough '#' that no sequence in the SQL can close it.
    var hashes = "#"
    while sql.contains("\"" + hashes) { hashes += "#" }
    source += "        (name: \(String(reflecting: name)), sql: \(hashes)\"\"\"\n\(sql)\n\"\"\"\(hashes)),\n"
}
source += "    ]\n}\n"
let data = Data(source.utf8)
let outputURL = URL(fileURLWithPath: outputPath)
if (try? Data(contentsOf: outputURL)) != data {
    try data.write(to: outputURL, options: .atomic)
}
