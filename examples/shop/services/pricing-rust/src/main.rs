//! Pricing service: a tiny HTTP/1.1 server on the standard library only.

use std::env;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

const PRICES: &[(u32, u32)] = &[(1, 1800), (2, 1200), (3, 2500)];

fn route(method: &str, path: &str) -> (&'static str, String) {
    match (method, path) {
        ("GET", "/health") => ("200 OK", r#"{"status":"ok"}"#.to_string()),
        ("GET", "/prices") => {
            let items: Vec<String> = PRICES
                .iter()
                .map(|(id, cents)| format!(r#"{{"productId":{},"priceCents":{}}}"#, id, cents))
                .collect();
            ("200 OK", format!("[{}]", items.join(",")))
        }
        _ => ("404 Not Found", r#"{"error":"not found"}"#.to_string()),
    }
}

fn handle(stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;

    // Drain the headers; this service never reads a request body.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 0 && header != "\r\n" && header != "\n" {
        header.clear();
    }

    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    let (status, body) = route(method, path);

    let mut stream = stream;
    write!(
        stream,
        "HTTP/1.1 {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
        status,
        body.len(),
        body
    )?;
    stream.flush()
}

fn main() -> std::io::Result<()> {
    let port = env::var("PORT").unwrap_or_else(|_| "8081".to_string());
    let listener = TcpListener::bind(("0.0.0.0", port.parse::<u16>().expect("PORT must be a number")))?;
    println!("pricing listening on port {}", port);

    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                if let Err(err) = handle(stream) {
                    eprintln!("request failed: {}", err);
                }
            }
            Err(err) => eprintln!("accept failed: {}", err),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::route;

    #[test]
    fn health_is_ok() {
        assert_eq!(route("GET", "/health"), ("200 OK", r#"{"status":"ok"}"#.to_string()));
    }

    #[test]
    fn unknown_path_is_404() {
        assert_eq!(route("GET", "/nope").0, "404 Not Found");
    }
}
