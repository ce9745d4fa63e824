import GRDB

/// Applies the SQL files of `migrations/` (embedded at build time) in order.
/// GRDB records each applied file in `grdb_migrations`, so reopening is a no-op.
public enum SchemaMigrations {
    /// Names of the migrations this build knows, in order.
    public static var names: [String] { EmbeddedMigrations.all.map(\.name) }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbeddedMigrations.all {
            let sql = migration.sql
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: sql)
            }
        }
        return migrator
    }
}
