//! The native work every service binary does: a SQLite query on the system library, an OpenSSL
//! SHA-256 digest and a zstd round trip, plus a tiny HTTP client for `--healthcheck`.

use std::env;
use std::fmt;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// The Rust target triple this binary was compiled for (set by build.rs).
pub const BUILD_TARGET: &str = env!("SERVICE_BUILD_TARGET");

/// What one self test saw; `Display` prints it as one `key=value` line.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: &'static str,
    pub sqlite_version: String,
    pub query: i64,
    pub sha256: String,
    pub openssl_version: &'static str,
    pub zstd_bytes: usize,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "target={} sqlite={} query={} sha256={} openssl=\"{}\" zstd_roundtrip={}",
            self.target, self.sqlite_version, self.query, self.sha256, self.openssl_version, self.zstd_bytes
        )
    }
}

/// Sums a small table in an in-memory SQLite database.
pub fn sqlite_query() -> Result<(String, i64), String> {
    let conn = rusqlite::Connection::open_in_memory().map_err(|e| e.to_string())?;
    conn.execute_batch(
        "CREATE TABLE loaves (name TEXT NOT NULL, grams INTEGER NOT NULL);
         INSERT INTO loaves VALUES ('rye', 20), ('spelt', 22);",
    )
    .map_err(|e| e.to_string())?;
    let total: i64 = conn
        .query_row("SELECT sum(grams) FROM loaves", [], |row| row.get(0))
        .map_err(|e| e.to_string())?;
    Ok((rusqlite::version().to_string(), total))
}

/// SHA-256 through OpenSSL's libcrypto, as lowercase hex.
pub fn sha256_hex(data: &[u8]) -> Result<String, String> {
    let digest = openssl::hash::hash(openssl::hash::MessageDigest::sha256(), data).map_err(|e| e.to_string())?;
    Ok(digest.iter().map(|b| format!("{:02x}", b)).collect())
}

/// Compresses and decompresses `data` with zstd; returns the compressed size.
pub fn zstd_roundtrip(data: &[u8]) -> Result<usize, String> {
    let packed = zstd::encode_all(data, 3).map_err(|e| e.to_string())?;
    let unpacked = zstd::decode_all(&packed[..]).map_err(|e| e.to_string())?;
    if unpacked != data {
        return Err("zstd round trip changed the data".to_string());
    }
    Ok(packed.len())
}

/// Runs all three native calls.
pub fn selftest() -> Result<Report, String> {
    let (sqlite_version, query) = sqlite_query()?;
    let sha256 = sha256_hex(b"crossbake")?;
    let zstd_bytes = zstd_roundtrip(&b"crossbake ".repeat(64))?;
    Ok(Report {
        target: BUILD_TARGET,
        sqlite_version,
        query,
        sha256,
        openssl_version: openssl::version::version(),
        zstd_bytes,
    })
}

/// `$PORT`, or 8080 when unset or not a valid port.
pub fn port_from_env() -> u16 {
    env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080)
}

/// `GET http://127.0.0.1:<port><path>`; returns the status code.
pub fn http_status(port: u16, path: &str) -> std::io::Result<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    write!(stream, "GET {} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path)?;
    let mut head = String::new();
    stream.read_to_string(&mut head)?;
    head.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "no HTTP status line"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_calls() {
        let report = selftest().unwrap();
        assert_eq!(report.query, 42);
        assert_eq!(report.sha256.len(), 64);
        assert!(report.zstd_bytes > 0);
    }
}
