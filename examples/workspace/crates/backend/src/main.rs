//! Example JSON API: `GET /health`, `GET /api/items`.
//! `backend --healthcheck` probes a running instance on `$PORT` (default 8080).

use serde::Serialize;
use shared::{Health, Request, Response};

const SERVICE: &str = "backend";

#[derive(Debug, Serialize)]
struct Item {
    id: u32,
    name: &'static str,
    price_cents: u32,
}

fn items() -> Vec<Item> {
    vec![
        Item {
            id: 1,
            name: "flour",
            price_cents: 249,
        },
        Item {
            id: 2,
            name: "yeast",
            price_cents: 119,
        },
        Item {
            id: 3,
            name: "salt",
            price_cents: 89,
        },
    ]
}

fn handle(request: &Request) -> Response {
    if request.method != "GET" {
        return Response::method_not_allowed();
    }
    match request.path.as_str() {
        "/health" => Response::json(200, &Health::ok(SERVICE, env!("CARGO_PKG_VERSION"))),
        "/api/items" => Response::json(200, &items()),
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
        assert_eq!(get("/health").status, 200);
        let items: serde_json::Value = serde_json::from_slice(&get("/api/items").body).unwrap();
        assert_eq!(items.as_array().unwrap().len(), 3);
        assert_eq!(get("/nope").status, 404);
    }
}
