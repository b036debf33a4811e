//! Types and a tiny std-only HTTP/1.1 helper shared by `backend` and `frontend`.
//!
//! Deliberately minimal: one request per connection, no keep-alive, no
//! request bodies. It is an example workload for crossbake, not a web server.

use std::env;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Body of `GET /health` for every service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub status: String,
    pub service: String,
    pub version: String,
}

impl Health {
    pub fn ok(service: &str, version: &str) -> Self {
        Health {
            status: "ok".to_string(),
            service: service.to_string(),
            version: version.to_string(),
        }
    }
}

/// The parts of a request line the services look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path without the query string.
    pub path: String,
}

/// A complete response; always sent with `Connection: close`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            content_type,
            body: body.into(),
        }
    }

    pub fn json<T: Serialize>(status: u16, value: &T) -> Self {
        match serde_json::to_vec(value) {
            Ok(body) => Response::new(status, "application/json", body),
            Err(e) => Response::new(500, "text/plain; charset=utf-8", format!("{}\n", e)),
        }
    }

    pub fn html(status: u16, body: &str) -> Self {
        Response::new(status, "text/html; charset=utf-8", body)
    }

    pub fn not_found() -> Self {
        Response::json(404, &serde_json::json!({ "error": "not found" }))
    }

    pub fn method_not_allowed() -> Self {
        Response::json(405, &serde_json::json!({ "error": "method not allowed" }))
    }
}

pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        500 => "Internal Server Error",
        _ => "Unknown",
    }
}

/// Reads the request line and drains the headers (up to the blank line).
pub fn read_request(stream: &TcpStream) -> io::Result<Request> {
    let mut reader = BufReader::new(stream.take(16 * 1024));
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, target) = match (parts.next(), parts.next()) {
        (Some(m), Some(t)) => (m.to_string(), t),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "malformed request line",
            ))
        }
    };
    let path = target.split('?').next().unwrap_or("/").to_string();
    // Drain headers; bodies are not supported.
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim_end().is_empty() {
            break;
        }
    }
    Ok(Request { method, path })
}

pub fn write_response(mut stream: &TcpStream, response: &Response) -> io::Result<()> {
    // Assemble head and body first so the response leaves in one write.
    let mut out = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        response.status,
        reason_phrase(response.status),
        response.content_type,
        response.body.len()
    )
    .into_bytes();
    out.extend_from_slice(&response.body);
    stream.write_all(&out)?;
    stream.flush()
}

/// `$PORT`, or 8080 when unset or not a valid port.
pub fn port_from_env() -> u16 {
    env::var("PORT")
        .ok()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or(8080)
}

/// Binds 0.0.0.0:`port`, logs one line and serves each connection on its own thread.
pub fn serve(service: &str, port: u16, handler: fn(&Request) -> Response) -> io::Result<()> {
    let listener = TcpListener::bind(("0.0.0.0", port))?;
    println!("{} listening on {}", service, listener.local_addr()?);
    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{}: accept failed: {}", service, e);
                continue;
            }
        };
        thread::spawn(move || {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let response = match read_request(&stream) {
                Ok(request) => handler(&request),
                Err(_) => Response::new(400, "text/plain; charset=utf-8", "bad request\n"),
            };
            let _ = write_response(&stream, &response);
        });
    }
    Ok(())
}

/// Health client for Docker's HEALTHCHECK (the runtime image has no curl):
/// GET http://127.0.0.1:`port`/health, returns 0 on HTTP 200 and 1 otherwise.
pub fn healthcheck(port: u16) -> i32 {
    match fetch_status(port, "/health") {
        Ok(200) => 0,
        Ok(status) => {
            eprintln!("healthcheck: HTTP {}", status);
            1
        }
        Err(e) => {
            eprintln!("healthcheck: {}", e);
            1
        }
    }
}

/// Sends `GET path` to 127.0.0.1:`port` and returns the response's status code.
pub fn fetch_status(port: u16, path: &str) -> io::Result<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let timeout = Duration::from_secs(3);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let request = format!(
        "GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        path, port
    );
    stream.write_all(request.as_bytes())?;
    let mut reader = BufReader::new(&stream);
    let mut status_line = String::new();
    reader.read_line(&mut status_line)?;
    // Drain the rest (bounded) so closing does not reset a server still writing.
    let _ = io::copy(&mut reader.take(64 * 1024), &mut io::sink());
    // "HTTP/1.1 200 OK"
    status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "malformed status line"))
}

/// Shared `main` for the services: `--healthcheck` probes a running instance
/// on `$PORT`, anything else starts the server.
pub fn run(service: &str, handler: fn(&Request) -> Response) -> ! {
    let port = port_from_env();
    let args: Vec<String> = env::args().skip(1).collect();
    if args.iter().any(|a| a == "--healthcheck") {
        std::process::exit(healthcheck(port));
    }
    if let Some(other) = args.first() {
        eprintln!(
            "usage: {} [--healthcheck]   (unknown argument {:?})",
            service, other
        );
        std::process::exit(2);
    }
    if let Err(e) = serve(service, port, handler) {
        eprintln!("{}: cannot listen on 0.0.0.0:{}: {}", service, port, e);
        std::process::exit(1);
    }
    std::process::exit(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn health_serializes_in_field_order() {
        let h = Health::ok("backend", "0.1.0");
        assert_eq!(
            serde_json::to_string(&h).unwrap(),
            r#"{"status":"ok","service":"backend","version":"0.1.0"}"#
        );
    }

    #[test]
    fn round_trip_over_loopback() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let req = read_request(&stream).unwrap();
            assert_eq!(req.method, "GET");
            assert_eq!(req.path, "/health");
            write_response(&stream, &Response::json(200, &Health::ok("t", "0"))).unwrap();
            // Dropping `stream` closes the connection; the client reads to EOF.
        });
        assert_eq!(healthcheck(port), 0);
        server.join().unwrap();
    }
}
