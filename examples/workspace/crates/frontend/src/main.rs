//! Example web front end: `GET /` (HTML), `GET /health`.
//! `frontend --healthcheck` probes a running instance on `$PORT` (default 8080).

use shared::{Health, Request, Response};

const SERVICE: &str = "frontend";

const INDEX_HTML: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>crossbake example</title></head>
<body>
<h1>crossbake example frontend</h1>
<p>Served by a Rust binary built for several platforms with <code>docker buildx bake</code>.</p>
<p>The JSON API lives in the <code>backend</code> service at <code>/api/items</code>.</p>
</body>
</html>
"#;

fn handle(request: &Request) -> Response {
    if request.method != "GET" {
        return Response::method_not_allowed();
    }
    match request.path.as_str() {
        "/" | "/index.html" => Response::html(200, INDEX_HTML),
        "/health" => Response::json(200, &Health::ok(SERVICE, env!("CARGO_PKG_VERSION"))),
        _ => Response::not_found(),
    }
}

fn main() {
    shared::run(SERVICE, handle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Response {
        handle(&Request {
            method: "GET".into(),
            path: path.into(),
        })
    }

    #[test]
    fn routes() {
        assert_eq!(get("/").status, 200);
        assert_eq!(get("/health").status, 200);
        assert_eq!(get("/api/items").status, 404);
    }
}
