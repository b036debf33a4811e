//! HTTP service on `0.0.0.0:$PORT` (default 8080): `GET /health`, `GET /selftest` (the native calls).
//! `api --selftest` runs the native calls once and exits; `api --healthcheck` probes a running instance.

use std::env;
use std::process;

use service_core::{http_status, port_from_env, selftest};
use tiny_http::{Header, Response, Server};

fn text(status: u16, body: String) -> Response<std::io::Cursor<Vec<u8>>> {
    let header = Header::from_bytes(&b"Content-Type"[..], &b"text/plain; charset=utf-8"[..]).expect("static header");
    Response::from_string(body).with_status_code(status).with_header(header)
}

fn serve(port: u16) -> Result<(), String> {
    let server = Server::http(("0.0.0.0", port)).map_err(|e| e.to_string())?;
    println!("api listening on 0.0.0.0:{} ({})", port, service_core::BUILD_TARGET);
    for request in server.incoming_requests() {
        let response = match request.url() {
            "/health" => text(200, "ok\n".to_string()),
            "/selftest" => match selftest() {
                Ok(report) => text(200, format!("{}\n", report)),
                Err(e) => text(500, format!("selftest failed: {}\n", e)),
            },
            _ => text(404, "not found\n".to_string()),
        };
        if let Err(e) = request.respond(response) {
            eprintln!("api: {}", e);
        }
    }
    Ok(())
}

fn main() {
    let arg = env::args().nth(1);
    let code = match arg.as_deref() {
        Some("--healthcheck") => match http_status(port_from_env(), "/health") {
            Ok(200) => 0,
            Ok(status) => {
                eprintln!("healthcheck: HTTP {}", status);
                1
            }
            Err(e) => {
                eprintln!("healthcheck: {}", e);
                1
            }
        },
        Some("--selftest") => match selftest() {
            Ok(report) => {
                println!("api {}", report);
                0
            }
            Err(e) => {
                eprintln!("api: selftest failed: {}", e);
                1
            }
        },
        _ => {
            // Fail fast when a native library is unusable, before accepting traffic.
            if let Err(e) = selftest() {
                eprintln!("api: selftest failed: {}", e);
                process::exit(1);
            }
            match serve(port_from_env()) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("api: {}", e);
                    1
                }
            }
        }
    };
    process::exit(code);
}
