import DsariCore
import Testing

@Suite("DatabaseConfig")
struct DatabaseConfigTests {
    /// Passwords never reach a message or `config dump`: libpq keyword
    /// strings (quoted or not, any spacing) and URIs.
    @Test(arguments: [
        ("host=db1 password=s3cret dbname=dsari", "host=db1 password=*** dbname=dsari"),
        ("password = 's3 cr\\'et' host=db1", "password=*** host=db1"),
        ("host=db1 dbname=dsari password=last", "host=db1 dbname=dsari password=***"),
        ("host=db1 user=passwordless dbname=dsari", "host=db1 user=passwordless dbname=dsari"),
        ("postgresql://dsari:s3cret@db1:5432/dsari?sslmode=require", "postgresql://dsari:***@db1:5432/dsari?sslmode=require"),
        ("postgres://dsari@db1/dsari", "postgres://dsari@db1/dsari"),
        ("host=db1 dbname=dsari", "host=db1 dbname=dsari"),
    ])
    func passwordsAreRedacted(dsn: String, shown: String) {
        #expect(DatabaseConfig.redactingPasswords(dsn) == shown)
    }

    @Test func theMachineHasAHostName() {
        #expect(!DatabaseConfig.machineHostName().isEmpty)
    }
}
